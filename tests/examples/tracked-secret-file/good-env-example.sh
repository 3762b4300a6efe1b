. "$EXAMPLES/lib.sh"
init
good_gitignore
echo "AZURE_CLIENT_ID=<your-client-id>" > .env.example
echo "AZURE_CLIENT_SECRET=$(storage_key)" > .env   # ignored
echo "ssh-ed25519 AAAA kai@laptop" > id_ed25519.pub
commit "placeholders only"
