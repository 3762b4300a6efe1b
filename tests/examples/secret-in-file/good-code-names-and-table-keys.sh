# Shapes from ML libraries (diffusers, mlrun, wandb, metaflow, a research repo's bibliography):
# names in code, not values. An unquoted class or variable after `import`, a comma or `=`; a
# list of environment variables' names; the keys of a bibliography and of a feature table; a
# regex that describes a key; a requirement pin in a comment; a local service's default login;
# a Slack webhook of filler; the jwt.io example token in a fake API; the name of the Azure Key
# Vault an MLOps template deploys (dstoolkit-mlops-v2's infra config). None is a secret.
. "$EXAMPLES/lib.sh"
init
mkdir -p src/pipelines knowledge devtools tests
cat > src/pipelines/encoders.py <<'PY'
from transformers import Qwen2TokenizerFast, Qwen3ForCausalLM
from transformers import AutoTokenizer, Gemma3ForConditionalGeneration


def encode(pipe, prompt):
    prompt_tokens_2, prompt_weights_2 = split_weights(pipe.tokenizer_2, prompt)
    return prompt_tokens_2, prompt_weights_2


def write(target, features, timestamp_key, key_columns):
    return target.write(features=features, timestamp_key=timestamp_key, key_columns=key_columns)


def secrets_of(project, provider, secrets):
    return provider.list(project, secrets, allow_internal_secrets=True)


ENV_NAMES = {"V3IO_ACCESS_KEY", "V3IO_API", "V3IO_FRAMESD"}
API_KEY_REGEX = r"WANDB_API_KEY=\w+(-\w+)?"
PY
cat > knowledge/bibliography.yaml <<'YAML'
references:
  - citation_key: lundberg_2017_shap
    title: A unified approach to interpreting model predictions
  - citation_key: akiba2019optuna
    title: Optuna, a next-generation hyperparameter optimization framework
YAML
cat > setup.py <<'PY'
extras = {
    # tokenizers: "huggingface-hub==0.8.0"
    "quality": ["ruff==0.6.9"],
}
PY
cat > devtools/wait-api.sh <<'SH'
#!/bin/sh
curl -s -u admin:admin http://localhost:8090/api/v1/health
SH
fill() { printf "%0${2}d" 0 | tr 0 "$1"; }
printf 'NOTIFY = {"webhook": "https://hooks.slack.com/services/T%s/B%s/%s"}\n' \
  "$(fill 0 8)" "$(fill 0 8)" "$(fill X 24)" > tests/test_notify.py
b64() { printf '%s' "$1" | base64 -w0 | tr '+/' '-_' | tr -d '='; }
jwt="$(b64 '{"alg":"HS256","typ":"JWT"}').$(b64 '{"sub":"1234567890","name":"John Doe","iat":1516239022}').$(printf 'SflKxwRJSMeKKF2QT4fwpMeJ')f36POk6yJV_adQssw5c"
printf 'FAKE_TOKEN = (\n    "%s"\n)\n' "$jwt" > src/fake_cloud_api.py
mkdir -p config
cat > config/infra_config.json <<'JSON'
{"variables": {"AMLWORKSPACE": "mlw-mlops-dev-011", "KEYVAULT": "akvamlmlopsdstk011",
               "key_vault_name": "kv-churn-dev-westeu-01"}}
JSON
commit "encoders"
