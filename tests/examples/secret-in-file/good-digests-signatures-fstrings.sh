# Seen in openai-python: a spec's digest under a `*_hash` name, an AWS SigV4 test vector whose
# `..., x-amz-security-token, Signature=<hex>` is a request's signature (the field after the
# token's name), and test credentials an f-string builds at run time. None is a secret.
. "$EXAMPLES/lib.sh"
init
mkdir -p tests/fixtures
printf 'schema_version: 1\nopenapi_spec_hash: %s\nconfig_hash: %s\n' \
  "$(printf '92700e1a')33a4f6174a01b46648c8186a" "$(printf 'beab4f05')8e80bab30085bb6c8467b65f" > .stats.yml
cat > tests/fixtures/sigv4.json <<JSON
{"authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250102/us-east-1/bedrock/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature=$(printf 'dc20c8fb')e516daf0ccae7e5b7a78fc2936870413a9f1af6e1b2d44b970ce411f"}
JSON
cat > tests/test_runtime.py <<'PY'
class Credentials:
    def __init__(self, generation: int) -> None:
        self.access_key = f"access-{generation}"
        self.secret_key = f"secret-{generation}"
PY
commit "fixtures"
