"""Secret detection: maintained patterns plus Azure's, a fast pre-filter that never hides one."""
from __future__ import annotations

import pytest

from checkers.repo.secretscan import _prefilter, mask, patterns, scan_text

A = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def fake(prefix: str, n: int, alphabet: str = A) -> str:
    """A token of the right shape, assembled at run time (nothing secret in the source)."""
    return prefix + (alphabet * 4)[:n]


SAMPLES = {
    "GitHub Token": fake("ghp_", 36),
    "GitHub Token (ghr)": fake("ghr_", 36),
    "GitLab Token": fake("glpat-", 20),
    "GitLab runner": fake("glrt-", 20),
    "OpenAI Token": fake("sk-", 20) + "T3Blbk" + "FJ" + fake("", 20),
    "AWS Access Key": fake("AKIA", 16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"),
    "Stripe Access Key": fake("sk_" + "live_", 24),
    "Slack Token": "xox" + "b-123456789012-123456789012-" + fake("", 24),
    "Telegram Bot Token": "123456789:" + fake("", 35),
    "Mailchimp Access Key": fake("", 32, "0123456789abcdef") + "-us12",
    "JSON Web Token": "eyJhbGciOiJIUzI1NiJ9." + "eyJzdWIiOiIxMjM0In0." + fake("", 43),
    "NPM tokens": "//registry.npmjs.org/:_authToken=" + fake("npm_", 36),
    "SendGrid API Key": "SG." + fake("", 22) + "." + fake("", 43),
    "Azure storage": "AccountKey=" + "Zm9v" * 22,
    "Azure Entra client secret": "abc8Q~" + fake("", 34),
    "Basic auth URL": "postgres://admin:" + "s3cr3tpassw0rd" + "@db.internal:5432/churn",
    "Private key": "-----BEGIN " + "OPENSSH PRIVATE KEY-----",
}


@pytest.mark.parametrize("name", SAMPLES)
def test_each_kind_is_found_even_without_telltale_words(name):
    text = f"value = {SAMPLES[name]}\n"
    hits = scan_text(text)
    assert hits, f"{name} not found"
    assert all(h.masked != SAMPLES[name] for h in hits)


@pytest.mark.parametrize("name", SAMPLES)
def test_prefilter_never_rejects_what_a_pattern_matches(name):
    for text in (SAMPLES[name], SAMPLES[name].upper(), SAMPLES[name].lower(), "é " + SAMPLES[name]):
        if any(rx.search(text) for _, rx in patterns()):
            assert _prefilter(text), text


@pytest.mark.parametrize("text", [
    'password = "<your-password>"', "token: ${{ secrets.AZURE_CLIENT_ID }}",
    "AZURE_CLIENT_SECRET=replace-me-please", 'api_key = "changeme"', "key = os.environ['KEY']",
    "just some text about keys and secrets", "AccountKey=<from-key-vault>",
    'SECRET_KEY = re.compile(r"(?i)(password|token)")', 'API_TOKEN = os.environ["API_TOKEN"]',
    "private_key: /path/to/key.pem", "SECRET_NAME=get_secret(name)",
])
def test_placeholders_and_prose_are_not_secrets(text):
    assert scan_text(text) == []


def test_mask_never_shows_a_short_secret_and_shows_little_of_a_long_one():
    assert mask("hunter2") == "********"
    long = "Zm9v" * 22
    assert long not in mask(long) and mask(long).startswith("Zm9v") and "88 chars" in mask(long)


@pytest.mark.parametrize("text", [
    "password: hunter2hunter2", "aws_secret_access_key = " + "wJalrXUtnFEMI" + "K7MDENGbPxRfiCY",
    "token = " + "github_pat_" + "11ABCDEFG0" * 4,
])
def test_unquoted_credentials_and_fine_grained_tokens(text):
    assert scan_text(text)
