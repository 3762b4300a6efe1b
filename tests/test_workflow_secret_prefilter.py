"""The workflow rule skips the secret scanner only where the scanner would find nothing."""
from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest

from checkers.repo import gitleaks, secretscan
from checkers.repo.secretscan import scan_text
from checkers.workflow import secret_prefilter as prefilter

from .secret_samples.own import samples as own_samples

ROOT = Path(__file__).resolve().parent.parent
REVIEW = ("the secret scanner's rules changed: review checkers/workflow/secret_prefilter.py "
          "against them, then update its snapshot")


def test_keywords_are_the_scanners():
    assert prefilter.KEYWORDS == secretscan.prefilter_words(), REVIEW
    # a rule without keywords runs on every text: then no text could be skipped
    assert all(r.keywords for r in gitleaks.ruleset().rules if not r.path_pattern)
    assert all(r.keywords for r in secretscan.OWN_RULES)


def test_approximated_rules_are_the_scanners():
    owners = {name for name, _, _ in prefilter.owning_rules()}
    assert owners <= set(prefilter.APPROXIMATED), REVIEW
    assert prefilter.rules_digest() == prefilter.RULES_DIGEST, REVIEW
    generic = next(r for r in gitleaks.ruleset().rules if r.id == "generic-api-key")
    assert (re.compile(prefilter.GENERIC).pattern, re.compile(prefilter.GENERIC).flags) == \
        (generic.regex.pattern, generic.regex.flags)
    assert prefilter.GENERIC_ENTROPY == generic.entropy
    unquoted = secretscan.OWN_RULES[10]
    assert (re.compile(prefilter.UNQUOTED).pattern, re.compile(prefilter.UNQUOTED).flags) == \
        (unquoted.regex.pattern, unquoted.regex.flags)


def test_allowlist_is_the_scanners():
    from checkers.workflow.secret_stopwords import STOPWORDS

    generic = next(r for r in gitleaks.ruleset().rules if r.id == "generic-api-key")
    lists = [(a.target, a.condition, a.spec.get("regexes", []), a.stopwords, a.paths)
             for a in generic.allowlists]
    assert ("secret", "OR", [prefilter.ALLOWED_VALUE], (), []) in lists, REVIEW
    assert any(condition == "OR" and stopwords == STOPWORDS for _, condition, _, stopwords, _
               in lists), REVIEW
    # the unquoted name: value rule is judged with the same allowlists
    assert all(a in secretscan._generic_allowlists() for a in generic.allowlists)
    assert secretscan.OWN_RULES[10].kind == "hard-coded credential"
    assert "generic-api-key" in secretscan.JUDGED_GITLEAKS
    # a password of letters, `_` and `-` in a URL is judged to be code
    assert "|[A-Za-z_-]+|" in secretscan._CODE.pattern
    assert secretscan._judged_as_code_or_placeholder("mandatory_for_the_image")


def test_the_scanner_reads_line_by_line():
    # generic-api-key would match across the line break; the scanner runs it on one line at a
    # time, which the prefilter's patterns rely on
    assert scan_text('x_token =\n  "Zq8vK2mP9xR4tY7wB3nLcV6"\n') == []


def _texts():
    for path in [*ROOT.glob("tests/**/*"), *ROOT.glob("sample_repo/**/*"),
                 *ROOT.glob("checkers/**/*"), *ROOT.glob("docs/**/*")]:
        if path.is_file() and path.stat().st_size < 2_000_000:
            try:
                yield path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue


def test_nothing_the_scanner_finds_is_skipped():
    checked = 0
    samples = json.loads((ROOT / "tests/secret_samples/gitleaks.json").read_text())["samples"]
    texts = [*_texts(), *(text for _, _, text in own_samples()),
             *(base64.b64decode(s["b64"]).decode("utf-8", "replace") for s in samples)]
    for text in texts:
        for piece in (text, *text.splitlines()[:300]):
            if not prefilter.could_hold_secret(piece):
                assert scan_text(piece) == [], piece[:200]
                checked += 1
    assert checked > 1000


def test_the_trie_finds_the_same_keywords():
    trie = re.compile(prefilter._trie(list(prefilter._OTHER_WORDS)))
    for text in [*_texts()][:300]:
        low = text.lower()
        assert bool(trie.search(low)) == any(w in low for w in prefilter._OTHER_WORDS)


@pytest.mark.parametrize("text", [
    "token: ${{ secrets.AZURE_CLIENT_ID }}", "permissions:\n  id-token: write\n",
    "      - uses: azure/login@v2\n        with:\n          client-id: ${{ secrets.X }}\n",
    "key: ${{ runner.os }}-pip-${{ hashFiles('requirements.txt') }}",
])
def test_a_workflow_naming_secrets_is_skipped(text):
    assert not prefilter.could_hold_secret(text)


def test_the_reference_workflows_skip_the_scanner():
    for name in ("train-on-push.yml", "deploy-on-merge.yml"):
        text = (ROOT / "sample_repo/.github/workflows" / name).read_text()
        assert not prefilter.could_hold_secret(text), name
