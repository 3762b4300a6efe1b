. "$EXAMPLES/lib.sh"
init
echo "AZURE_CLIENT_SECRET=$(storage_key)" > .env
mkdir -p deploy
printf -- '-----BEGIN %s-----\nMIIB\n-----END %s-----\n' "RSA PRIVATE KEY" "RSA PRIVATE KEY" > deploy/id_rsa
commit "config"
