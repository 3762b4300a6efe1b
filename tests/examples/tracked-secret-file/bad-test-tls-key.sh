# A TLS key under tests/ (requests keeps such fixtures): advice, not an error.
. "$EXAMPLES/lib.sh"
init
mkdir -p tests/certs
printf -- '-----BEGIN %s-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n-----END %s-----\n' "PRIVATE KEY" "PRIVATE KEY" > tests/certs/server.key
commit "test certs"
