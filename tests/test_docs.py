"""The rules reference is generated from the code and must not drift."""
from pathlib import Path

from checkers.docgen import rules_markdown
from checkers.registry import all_rules

ROOT = Path(__file__).resolve().parent.parent


def test_rules_reference_is_up_to_date():
    committed = (ROOT / "docs" / "rules.md").read_text()
    assert committed == rules_markdown(), (
        "docs/rules.md is stale: run `python -m checkers rules --markdown > docs/rules.md`")


def test_every_rule_documents_itself():
    for r in all_rules():
        assert r.id == r.id.lower() and " " not in r.id and "_" not in r.id, r.id
        assert len(r.doc.splitlines()) >= 3, f"{r.id}: the docstring is its documentation; say more"
        assert r.docs_url.endswith(f"#{r.id}")
        assert f"\n## {r.id}\n" in rules_markdown()


def test_readme_links_the_rules_reference():
    assert "docs/rules.md" in (ROOT / "README.md").read_text()
