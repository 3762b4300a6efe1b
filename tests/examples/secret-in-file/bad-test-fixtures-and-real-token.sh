# In test files (great_expectations, mlrun, wandb's Go tests), credentials found only by their
# name and private-key fixtures are warnings: tests are full of made-up ones. A token of a
# service's own format (Hugging Face `hf_...`) stays an error, in a test or not; so does a
# quoted key in code, an unquoted one in a config file, and a generated key written unquoted
# inside a raw string of code (it is no name of the code's).
. "$EXAMPLES/lib.sh"
init
mkdir -p tests/core internal/monitor src .dvc
uuid="$(printf '1009d2fe')-54b3-43b8-8297-ba2d517f9752"
printf 'def test_provider():\n    access_token = "%s"\n    assert provider(access_token)\n' "$uuid" > tests/core/test_config_provider.py
printf 'package monitor\n\nconst doc = `\njoin_token: %s\n`\n' "$(printf '6r2nt2.vbt9')w6s72pzcwkh7" > internal/monitor/metadata_test.go
{ printf '_EXAMPLE_KEY = b"""-----BEGIN RSA %s KEY-----\n' PRIVATE; printf 'MIIEowIBAAKCAQEA%s\n' "$(printf 'x9Kq%.0s' $(seq 12))"; printf -- '-----END RSA %s KEY-----\n"""\n' PRIVATE; } > tests/core/test_snowflake.py
printf 'TOKEN = "hf_%s"\n' "$(printf 'StBaAvBLpPuoBviH')uLzCTeLnVnuUiesocA" > tests/test_hub.py
printf 'api_key = "%s"\n' "$(printf 'Zx81kQp2')Lm7Rt4Vw9Yb3Nc6Hd" > src/client.py
printf "['remote \"storage\"']\n    url = s3://models\n    secret_access_key = %s\n" "$(printf 'd1fa8318')72a7bc08f2d786f01f1fe2dbe6fd99ac" > .dvc/config
printf 'package monitor\n\nconst agent = `\nteleport_token: %s\n`\n' "$(printf 'a5b0f5d6')645183e3b6fa3891ce66e0e8" > internal/monitor/agent.go
commit "tests"
