"""Secret samples written for this course, in the shapes ML repositories leak them.

None of these comes from gitleaks' samples: the values are random (seeded, so the measurement is
reproducible) and the contexts are a data scientist's: notebook JSON, ``.env`` files, Azure ML
and MLflow configs, ``kaggle.json``, DVC files, training scripts. Every value is assembled at run
time, so this file holds no literal secret. ``samples()`` returns ``(kind, "tp"|"fp", text)``.
"""
from __future__ import annotations

import json
import random

LOWER, UPPER, DIGITS = "abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789"
ALNUM = LOWER + UPPER + DIGITS
HEX = "0123456789abcdef"


def _r(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def _cell(line: str) -> str:
    """A line of code as it sits in a notebook's JSON source."""
    return json.dumps({"cell_type": "code", "source": [line + "\n"]}, indent=1)


def true_samples(rng: random.Random) -> list[tuple[str, str]]:
    aws_id = "AKIA" + _r(rng, UPPER + "234567", 16)
    aws_secret = _r(rng, ALNUM + "+/", 40)
    storage_key = _r(rng, ALNUM + "+/", 86) + "=="
    conn = ("DefaultEndpoints" "Protocol=https;AccountName=churnstore;Account" "Key="
            + storage_key + ";EndpointSuffix=core.windows.net")
    hf = "hf" "_" + _r(rng, LOWER + UPPER, 34)
    openai = "sk-" "proj-" + _r(rng, ALNUM + "_-", 74) + "T3Blbk" "FJ" + _r(rng, ALNUM + "_-", 74)
    openai_old = "sk-" + _r(rng, ALNUM, 20) + "T3Blbk" "FJ" + _r(rng, ALNUM, 20)
    kaggle = _r(rng, HEX, 32)
    ghp = "gh" "p_" + _r(rng, ALNUM, 36)
    pat = "github" "_pat_" + _r(rng, ALNUM, 22) + "_" + _r(rng, ALNUM, 59)
    glpat = "gl" "pat-" + _r(rng, ALNUM, 20)
    entra = _r(rng, ALNUM, 3) + rng.choice(DIGITS) + "Q~" + _r(rng, ALNUM + "_-", 34)
    jwt = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9." + "eyJ" + _r(rng, ALNUM, 40) + "."
           + _r(rng, ALNUM + "_-", 43))
    dapi = "da" "pi" + _r(rng, HEX, 32)
    anthropic = "sk-" "ant-api03-" + _r(rng, ALNUM + "_-", 93) + "AA"
    wandb = _r(rng, HEX, 40)
    azure_openai = _r(rng, HEX, 32)
    db_password = _r(rng, ALNUM, 6) + "!" + _r(rng, ALNUM, 7)
    gcp = "AI" "za" + _r(rng, ALNUM + "_-", 35)
    pkey_body = _r(rng, ALNUM + "+/", 64)
    slack_hook = ("https://hooks.slack.com/services/T" + _r(rng, UPPER + DIGITS, 8) + "/B"
                  + _r(rng, UPPER + DIGITS, 10) + "/" + _r(rng, ALNUM, 24))
    sas = ("https://churnstore.blob.core.windows.net/data/train.csv?sv=2022-11-02&ss=b&srt=o&sp=r"
           "&se=2026-12-31&s" "ig=" + _r(rng, ALNUM + "%", 44) + "%3D")
    return [
        ("aws", f"[default]\naws_access_key_id = {aws_id}\naws_secret_access_key = {aws_secret}\n"),
        ("aws", _cell(f"s3 = boto3.client('s3', aws_access_key_id='{aws_id}', "
                      f"aws_secret_access_key='{aws_secret}')")),
        ("azure-storage", _cell(f'conn_str = "{conn}"')),
        ("azure-storage", f"AZURE_STORAGE_CONNECTION_STRING={conn}\n"),
        ("azure-storage", f"datastore:\n  account_key: {storage_key}\n"),
        ("azure-sas", f'TRAIN_URL = "{sas}"\n'),
        ("azure-openai", f"AZURE_OPENAI_KEY={azure_openai}\nAZURE_OPENAI_ENDPOINT=https://x.openai.azure.com/\n"),
        ("azure-openai", _cell(f'client = AzureOpenAI(api_key="{azure_openai}", api_version="2024-02-01")')),
        ("azure-entra", f"AZURE_CLIENT_SECRET={entra}\n"),
        ("azure-entra", json.dumps({"clientId": "00000000-0000-0000-0000-000000000000",
                                    "clientSecret": entra, "tenantId": "t"}, indent=2)),
        ("huggingface", _cell(f'login(token="{hf}")')),
        ("huggingface", f"huggingface-cli login --token {hf}\n"),
        ("huggingface", f"HF_TOKEN={hf}\n"),
        ("huggingface", _cell(f'model = AutoModel.from_pretrained("org/churn-bert", use_auth_token="{hf}")')),
        ("openai", _cell(f'openai.api_key = "{openai}"')),
        ("openai", f"OPENAI_API_KEY={openai_old}\n"),
        ("anthropic", f'client = anthropic.Anthropic(api_key="{anthropic}")\n'),
        ("kaggle", json.dumps({"username": "kai" + _r(rng, DIGITS, 3), "key": kaggle})),
        ("kaggle", f"export KAGGLE_KEY={kaggle}\n"),
        ("github", f"git remote add origin https://{ghp}@github.com/neuralspark/churn.git\n"),
        ("github", f"GITHUB_TOKEN={pat}\n"),
        ("gitlab", f'gl = gitlab.Gitlab("https://gitlab.com", private_token="{glpat}")\n'),
        ("private-key", json.dumps({"type": "service_account", "private_key":
                                    "-----BEGIN " "PRIVATE KEY-----\n" + pkey_body + "\n-----END PRIVATE KEY-----\n"})),
        ("private-key", "-----BEGIN " "RSA PRIVATE KEY-----\n" + pkey_body + "\n" + pkey_body + "\n-----END RSA PRIVATE KEY-----\n"),
        ("jwt", _cell(f'headers = {{"Authorization": "Bearer {jwt}"}}')),
        ("databricks", f"DATABRICKS_TOKEN={dapi}\n"),
        ("databricks", f'w = WorkspaceClient(host="https://adb-1.azuredatabricks.net", token="{dapi}")\n'),
        ("wandb", f"WANDB_API_KEY={wandb}\n"),
        ("wandb", _cell(f'wandb.login(key="{wandb}")')),
        ("connection-string", f"MLFLOW_TRACKING_URI=postgresql://mlflow:{db_password}@mlflow-db.neuralspark.io:5432/mlflow\n"),
        ("connection-string", f'engine = create_engine("mysql+pymysql://etl:{db_password}@10.0.3.7/features")\n'),
        ("password", f"database:\n  user: etl\n  password: {db_password}\n"),
        ("gcp", f'GOOGLE_API_KEY = "{gcp}"\n'),
        ("slack", f"SLACK_WEBHOOK_URL={slack_hook}\n"),
    ]


def false_samples(rng: random.Random) -> list[tuple[str, str]]:
    sha = _r(rng, HEX, 40)
    md5 = _r(rng, HEX, 32)
    guid = "-".join(_r(rng, HEX, n) for n in (8, 4, 4, 4, 12))
    png = "iVBORw0KGgoAAAANSUhEUgAA" + _r(rng, ALNUM + "+/", 120)
    return [
        ("code", "    return Client(user=self.user, password=self.password, timeout=30)\n"),
        ("code", "session = Session(api_key=api_key, region=region)\n"),
        ("code", "APP_SECRET = ARGS.APP_SECRET\n"),
        ("code", 'token = os.environ["HF_TOKEN"]\n'),
        ("code", 'client = OpenAI(api_key=os.getenv("OPENAI_API_KEY"))\n'),
        ("code", "secret = client.get_secret(secret_name).value\n"),
        ("code", 'key = credential.get_token("https://ml.azure.com/.default").token\n'),
        ("code", "access_token = response.json()['access_token']\n"),
        ("code", "tokenizer = AutoTokenizer.from_pretrained(model_name, use_fast=True)\n"),
        ("code", "out = model.generate(**inputs, max_new_tokens=128)\n"),
        ("placeholder", "AZURE_CLIENT_SECRET=your-client-secret\n"),
        ("placeholder", 'api_key = "<your-api-key>"\n'),
        ("placeholder", "password: ${DB_PASSWORD}\n"),
        ("placeholder", "token: {{ .Values.hfToken }}\n"),
        ("placeholder", "      creds: ${{ secrets.AZURE_CREDENTIALS }}\n"),
        ("placeholder", "HF_TOKEN=hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"),
        ("placeholder", '{"username": "your-kaggle-username", "key": "your-kaggle-api-key"}\n'),
        ("placeholder", "OPENAI_API_KEY=sk-...\n"),
        ("placeholder", "AZURE_OPENAI_KEY=\n"),
        ("placeholder", "password = \"changeme123\"\n"),
        ("placeholder", "export WANDB_API_KEY=<your wandb key>\n"),
        ("docs", "SECRET_KEY = 'dev'\n"),
        ("docs", "app.config['SECRET_KEY'] = 'dev'\n"),
        ("test-url", 'requests.get("http://user:pass@localhost:5000/predict")\n'),
        ("test-url", 'URL = "https://user:password@httpbin.org/basic-auth/user/password"\n'),
        ("test-url", "MLFLOW_TRACKING_URI=postgresql://mlflow:mlflow@localhost:5432/mlflow\n"),
        ("azurite", "AZURE_STORAGE_CONNECTION_STRING=DefaultEndpoints" "Protocol=http;AccountName=devstoreaccount1;"
                    "Account" "Key=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/"
                    "K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;\n"),
        ("aws-docs", "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"),
        ("hash", f"outs:\n- md5: {md5}\n  size: 1048576\n  path: data/churn.csv\n"),
        ("hash", f"commit: {sha}\n"),
        ("hash", f"pandas==2.2.2 --hash=sha256:{_r(rng, HEX, 64)}\n"),
        ("hash", f'"checksum": "{md5}",\n'),
        ("guid", f"subscription_id: {guid}\nresource_group: rg-churn\nworkspace_name: mlw-churn\n"),
        ("guid", f'AZURE_CLIENT_ID={guid}\nAZURE_TENANT_ID={guid}\n'),
        ("notebook-image", json.dumps({"output_type": "display_data", "data": {"image/png": png}})),
        ("names", 'key_vault_name = "kv-neuralspark-dev"\n'),
        ("names", "secret_name: storage-connection-string\n"),
        ("names", 'model_key = "resnet50_imagenet_v2"\n'),
        ("names", '"token_type": "Bearer",\n'),
        ("names", "password_length = 16\n"),
        ("names", "partition_key: customer_id\n"),
        ("names", 'hf_hub_download(repo_id="neuralspark/churn-model", filename="model.safetensors")\n'),
        ("names", "access_key: !ENV ${AWS_ACCESS_KEY_ID}\n"),
        ("names", 'secret_key = get_random_secret_key()\n'),
        ("names", "KEYVAULT_URI=https://kv-churn.vault.azure.net/\n"),
    ]


def samples(seed: int = 12, variants: int = 3) -> list[tuple[str, str, str]]:
    rng = random.Random(seed)
    out = []
    for _ in range(variants):
        out += [(kind, "tp", text) for kind, text in true_samples(rng)]
        out += [(kind, "fp", text) for kind, text in false_samples(rng)]
    return out
