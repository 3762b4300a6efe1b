# The shapes that were false alarms on flask, requests and dvc: names assigned from code,
# placeholders, credentials for localhost in tests, a documentation example, the Azurite
# storage emulator's published key.
. "$EXAMPLES/lib.sh"
init
mkdir -p src tests docs
cat > src/client.py <<'PY'
def connect(self, api_key=None):
    return Session(
        password=self.password,
        api_key=api_key,
    )
APP_SECRET = ARGS.APP_SECRET
PY
cat > src/settings.yaml <<'YAML'
client_secret: your-client-secret
token: "<token>"
password: ${DB_PASSWORD}
hf_token: "{{ HF_TOKEN }}"
YAML
cat > tests/test_auth.py <<'PY'
URL = "http://user:pass@localhost:5000/predict"
PARSED = "http://user:pass%20pass@complex.url.com/path?query=yes"
AZURITE = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;"
PY
printf "Set it in your config:\n\n    SECRET_KEY = 'dev'\n    SECRET_KEY = '%s'\n" "$(printf '192b9bdd22ab9ed4')d12e236c78afcb9a393ec15f71bbf5dc987d54727823bcbf" > docs/config.rst
printf 'token_type=bearer&access_token=2YotnFZFEjr1zCsicMWpAA\n' > src/oauth_example.txt
commit "app"
