"""Secret detection: gitleaks' rules plus Azure's and ML's, judged as values, measured for recall."""
from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

from checkers.repo.secretscan import mask, scan_text

from .secret_samples.own import samples as own_samples

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import secret_recall  # noqa: E402

A = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def fake(prefix: str, n: int, alphabet: str = A) -> str:
    """A random token of the right shape, assembled at run time (nothing secret in the source)."""
    rng = random.Random(prefix + str(n))
    return prefix + "".join(rng.choice(alphabet) for _ in range(n))


SAMPLES = {
    "GitHub Token": fake("gh" "p_", 36),
    "GitLab Token": fake("gl" "pat-", 20),
    "OpenAI Token": fake("sk-", 20) + "T3Blbk" + "FJ" + fake("", 20),
    "AWS Access Key": fake("AK" "IA", 16, "QWERTZUIOPASDFGHJKLYXCVBNM234567"),
    "Slack Token": "xox" + "b-123456789012-123456789012-" + fake("", 24),
    "JSON Web Token": "eyJhbGciOi" "JIUzI1NiJ9." + fake("eyJ", 30) + "." + fake("", 43),
    "Azure storage": "AccountKey=" + "Zm9v" * 22,
    "Azure Entra client secret": "abc8Q~" + fake("", 34),
    "Basic auth URL": "postgres://admin:" + "s3cr3tpassw0rd" + "@db.internal:5432/churn",
    "Private key": "-----BEGIN " + "OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n",
    "Hugging Face": "hf" "_" + "jCBaQngSHiHDRYOcsMcifUcysGyaiybUWz",
    "Kaggle": '{"username": "kai", "key": "' + "3f9a8c7d6e5b4a39" + "281706f5e4d3c2b1" + '"}',
    "Azure OpenAI": "AZURE_OPENAI_KEY=" + "3f9a8c7d6e5b4a39" + "281706f5e4d3c2b1",
}


@pytest.mark.parametrize("name", SAMPLES)
def test_each_kind_is_found_and_masked(name):
    hits = scan_text(f"value = {SAMPLES[name]}\n")
    assert hits, f"{name} not found"
    assert all(SAMPLES[name] not in h.masked or h.kind == "Private Key" for h in hits)


@pytest.mark.parametrize("text", [
    'password = "<your-password>"', "token: ${{ secrets.AZURE_CLIENT_ID }}",
    "AZURE_CLIENT_SECRET=replace-me-please", 'api_key = "changeme"', "key = os.environ['KEY']",
    "just some text about keys and secrets", "AccountKey=<from-key-vault>",
    'SECRET_KEY = re.compile(r"(?i)(password|token)")', 'API_TOKEN = os.environ["API_TOKEN"]',
    "private_key: /path/to/key.pem", "SECRET_NAME=get_secret(name)",
    # the false alarms found on flask, requests and dvc (issue 12)
    "        password=self.password,", "    api_key=api_key,", "APP_SECRET = ARGS.APP_SECRET",
    "client_secret: your-client-secret", "token = '{{VAR}}'", "PASSWORD=${VAR}",
    'url = "http://user:pass@localhost:5000/"', "SECRET_KEY = 'dev'",
    "AccountKey=" "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==",
])
def test_code_placeholders_and_public_keys_are_not_secrets(text):
    assert scan_text(text) == []


def test_code_in_notebook_json_keeps_its_line_and_column():
    text = '{\n "source": [\n  "login(token=\\"' + SAMPLES["Hugging Face"] + '\\")\\n"\n ]\n}'
    (hit,) = scan_text(text)
    assert hit.line == 3 and text.splitlines()[2][hit.column - 1:].startswith("hf_")


def test_allowlist_comments_of_both_tools():
    for marker in ("# pragma: allowlist secret", "# gitleaks:allow"):
        assert scan_text(f'KEY = "{SAMPLES["Hugging Face"]}"  {marker}') == []


def test_mask_never_shows_a_short_secret_and_shows_little_of_a_long_one():
    assert mask("hunter2") == "********"
    long = "Zm9v" * 22
    assert long not in mask(long) and mask(long).startswith("Zm9v") and "88 chars" in mask(long)


@pytest.mark.parametrize("text", [
    "password: hunter2hunter2", "aws_secret_access_key = " + "wJalrXUtnFEMI" + "K7MDENGbPxRfiCY",
    "token = " + fake("github_pat_", 22) + fake("_", 59),
])
def test_unquoted_credentials_and_fine_grained_tokens(text):
    assert scan_text(text)


def _rates(samples, only=None):
    rows = secret_recall.measure(samples, only)
    (tf, tt), (ff, ft) = secret_recall.totals(rows)
    return tf / tt, ff / ft, tt, ft


def test_recall_on_gitleaks_samples_of_the_kinds_ml_repositories_leak():
    found, false, tt, ft = _rates(secret_recall.load(secret_recall.SAMPLES / "gitleaks.json"),
                                  secret_recall.is_ml_kind)
    assert tt >= 100 and ft >= 100
    assert found >= 0.95 and false <= 0.02, (found, false)


def test_recall_on_samples_gitleaks_never_saw():
    found, false, tt, ft = _rates(own_samples())
    assert tt >= 90 and ft >= 90
    assert found >= 0.95 and false <= 0.02, (found, false)
