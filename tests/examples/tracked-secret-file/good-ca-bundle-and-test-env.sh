# requests ships a CA bundle (certificates, no key); a test fixture .env holds no secret value.
. "$EXAMPLES/lib.sh"
init
mkdir -p certs tests/fixtures
for i in 1 2; do
  printf -- '-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQGEwJJ\n-----END CERTIFICATE-----\n'
done > certs/cacert.pem
printf 'DEBUG=1\nDB_HOST=localhost\nAPI_KEY=${API_KEY}\n' > tests/fixtures/.env
commit "certs and fixtures"
