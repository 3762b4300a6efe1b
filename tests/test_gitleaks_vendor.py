"""The vendored gitleaks rule set: unchanged, pinned, documented, and every rule usable."""
from __future__ import annotations

import re

import pytest

from checkers.repo import gitleaks


def test_vendored_file_matches_its_pinned_hash_and_the_readme():
    assert gitleaks.file_sha256() == gitleaks.SHA256, (
        "vendor/gitleaks.toml changed: update SHA256/SOURCE in gitleaks.py and vendor/README.md")
    readme = (gitleaks.VENDORED.parent / "README.md").read_text()
    assert gitleaks.SHA256 in readme and gitleaks.SOURCE.split()[-4][:12] in readme
    assert "MIT License" in (gitleaks.VENDORED.parent / "GITLEAKS-LICENSE").read_text()


def test_json_snapshot_is_the_vendored_file_and_is_what_runs():
    """The snapshot read at run time holds exactly the TOML's rules and names its hash; a
    snapshot of another file is ignored (the TOML is parsed instead)."""
    import json

    snapshot = json.loads(gitleaks.SNAPSHOT.read_text())
    assert snapshot["sha256"] == gitleaks.SHA256 == gitleaks.file_sha256(), (
        "regenerate the snapshot: python -m checkers.repo.gitleaks")
    assert snapshot["config"] == gitleaks._parse_toml()
    assert gitleaks._config() == snapshot["config"]


def test_a_stale_snapshot_is_not_used(tmp_path, monkeypatch):
    stale = tmp_path / "gitleaks.json"
    stale.write_text('{"sha256": "0000", "config": {"rules": []}}')
    monkeypatch.setattr(gitleaks, "SNAPSHOT", stale)
    assert len(gitleaks._config()["rules"]) > 200


def test_every_rule_compiles_in_python():
    rules = gitleaks.ruleset().rules
    assert len(rules) > 200
    for rule in rules:
        assert isinstance(rule.regex, re.Pattern), rule.id
        for allow in rule.allowlists:
            assert all(isinstance(rx, re.Pattern) for rx in allow.regexes)


@pytest.mark.parametrize("go, text, matches", [
    (r"\b(p8e-(?i)[a-z0-9]{4})\b", "p8e-AbC1", True),     # a flag group in the middle
    (r"\b(p8e-(?i)[a-z0-9]{4})\b", "P8E-abc1", False),    # ... applies only after itself
    (r"pat[[:alnum:]]{3}\z", "patA1b", True),
    (r"(?i)(?-i:[Aa]pi|API)x", "APIX", True),
])
def test_go_regex_translation(go, text, matches):
    assert bool(re.search(gitleaks.go_regex(go), text)) is matches


def test_entropy_and_secret_group_follow_gitleaks():
    assert gitleaks.shannon("aaaa") == 0 and round(gitleaks.shannon("ab"), 3) == 1.0
    rule = next(r for r in gitleaks.ruleset().rules if r.id == "sonar-api-token")
    m = rule.regex.search("sonar_token = " + "a1b2c3d4e5" * 4)
    assert gitleaks.secret_of(rule, m)[0] == "a1b2c3d4e5" * 4  # secretGroup = 2
