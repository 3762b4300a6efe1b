. "$EXAMPLES/lib.sh"
mkdir -p keys
printf -- '-----BEGIN %s-----\nMIIB\n-----END %s-----\n' "OPENSSH PRIVATE KEY" "OPENSSH PRIVATE KEY" > keys/deploy
