# Values that look like secrets but are none: a Segment write key (it only sends events, and
# Segment documents it as public: a usage tracker's, as in NannyML), a test's service-principal
# JSON whose values are base64 placeholders (`cGFzc3dvcmQ=` is `password`: kserve's e2e
# credentials), and a documentation page's `curl -v` transcript whose bearer token expired.
. "$EXAMPLES/lib.sh"
init
mkdir -p src/churnlib test/e2e/credentials docs/samples/auth
write_key="$(printf 'lQVZ')JNAdk2ZaMyBHHnFWP$(printf '76g7CuwmzHz')"
cat > src/churnlib/usage.py <<PY
class SegmentUsageTracker:
    SEGMENT_WRITE_KEY = '$write_key'

    def __init__(self, write_key=None):
        self.write_key = write_key or self.SEGMENT_WRITE_KEY
PY
b64() { printf '%s' "$1" | base64 | tr -d '\n'; }
cat > test/e2e/credentials/azure_credentials.json <<JSON
{
    "clientId": "$(b64 user)",
    "clientSecret": "$(b64 password)",
    "subscriptionId": "$(b64 33333333-3333-3333-3333-333333333333)",
    "tenantId": "$(b64 1234)"
}
JSON
b64url() { printf '%s' "$1" | base64 | tr -d '\n=' | tr '/+' '_-'; }
header=$(b64url '{"alg":"RS256","kid":"F6KogNjM8ffRFbfxvwd4C2_5g9R22l"}')
claims=$(b64url '{"aud":["istio-ingressgateway"],"exp":1701419607,"iat":1701333207,"iss":"https://kubernetes.default.svc.cluster.local","sub":"system:serviceaccount:default:sa"}')
cat > docs/samples/auth/README.md <<MD
# Calling the model through the gateway

\`\`\`
> POST /v1/models/churn:predict HTTP/1.1
> Authorization: Bearer $header.$claims.Qm9vdHN0cmFwU2lnbmF0dXJlT2ZUaGVEZW1vQ2x1c3Rlcg
\`\`\`
MD
commit "usage tracking, e2e credentials, docs"
