# A documentation page's expired bearer token is not reported; a token that is still valid
# (its `exp` is years ahead) is, in a documentation page as anywhere; so is a base64 value
# that decodes to no placeholder (a real secret, encoded).
. "$EXAMPLES/lib.sh"
init
mkdir -p docs test/e2e/credentials
b64url() { printf '%s' "$1" | base64 | tr -d '\n=' | tr '/+' '_-'; }
header=$(b64url '{"alg":"RS256","kid":"F6KogNjM8ffRFbfxvwd4C2_5g9R22l"}')
old=$(b64url '{"aud":["gateway"],"exp":1701419607,"iss":"https://kubernetes.default.svc","sub":"system:serviceaccount:ml:scorer"}')
live=$(b64url '{"aud":["gateway"],"exp":4102444800,"iss":"https://kubernetes.default.svc","sub":"system:serviceaccount:ml:scorer"}')
cat > docs/calling.md <<MD
Expired: \`Authorization: Bearer $header.$old.Qm9vdHN0cmFwU2lnbmF0dXJlT2ZUaGVEZW1vQ2x1c3Rlcg\`

Valid until 2100: \`Authorization: Bearer $header.$live.Qm9vdHN0cmFwU2lnbmF0dXJlT2ZUaGVEZW1vQ2x1c3Rlcg\`
MD
real=$(printf '%s' "Kx9$(printf 'vQ2mT7')pLw4Rz8N" | base64 | tr -d '\n')
cat > test/e2e/credentials/azure_credentials.json <<JSON
{
    "clientId": "$(printf '%s' user | base64)",
    "clientSecret": "$real"
}
JSON
commit "docs and credentials"
