# Values that look like keys but are public or not secrets: a PostHog project key (ingestion
# only, meant for client code), an AWS key ID inside a pre-signed URL, a dataset archive's
# sha256 keyed by its file name, a storage key's kebab-case name, a docstring's example.
. "$EXAMPLES/lib.sh"
init
mkdir -p src/telemetry configs website
posthog="phc_$(printf 'Q7wLmZ3rT9nXcV2b')KpYdHs8GfJa4WuEo6RtNiBqXz"
printf 'import posthog\nposthog.api_key = "%s"\nposthog.host = "https://eu.posthog.com"\n' "$posthog" \
  > src/telemetry/client.py
key_id="AKIA$(printf 'QX7TMB2WRK9ZD4NE')"
cat > website/universe.json <<JSON
{"resources": [{"id": "tens", "thumb": "https://assets.s3.amazonaws.com/433595900.png?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${key_id}%2F20250414%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20250414T080000Z"}]}
JSON
cat > configs/amazon_employee_access.yaml <<YML
name: amazon_employee_access_challenge
archive_filenames: amazon-employee-access-challenge.zip
sha256:
  amazon-employee-access-challenge.zip: $(printf 'bba1cf24bc01f390e7faf3f9cdbebd62')67c875d51a36a2c625ce66e0c3e71db7
YML
cat > src/ui_version.ts <<'TS'
export const UI_VERSION_COOKIE_NAME = 'ui_version'
export const V2_PROMO_DISMISSED_STORAGE_KEY = 'prefect-v2-promo-dismissed'
TS
cat > src/session.py <<'PY'
def connect(api_host, key, secret):
    """Open a session.

    :param str key: The user key (in the key/secret pair). For example, ``key='thisisakey123'``
    :param str secret: The user secret. For example, ``secret='thisisseceret123'``
    """
PY
commit "telemetry, docs, configs"
