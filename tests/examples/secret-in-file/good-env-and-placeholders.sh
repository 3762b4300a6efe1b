. "$EXAMPLES/lib.sh"
init
mkdir -p src
cat > src/prepare.py <<'PY'
import os

CONN = os.environ["AZURE_STORAGE_CONNECTION_STRING"]
password = "<your-password>"
token = "${{ secrets.AZURE_CLIENT_ID }}"
PY
echo "AZURE_STORAGE_CONNECTION_STRING=<from Key Vault>" > .env.example
commit "read secrets at run time"
