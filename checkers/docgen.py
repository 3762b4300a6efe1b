"""The rules reference (``docs/rules.md``), generated from the rules' docstrings.

``python -m checkers rules --markdown > docs/rules.md`` regenerates it; a test fails when the
committed file has drifted from the code.
"""
from __future__ import annotations

from .registry import all_rules

HEADER = """\
# Rules reference

Generated from the checkers' code by `python -m checkers rules --markdown > docs/rules.md`;
do not edit by hand (`tests/test_docs.py` fails when this file drifts from the code).

Every finding names its rule. Exit status: 0 when no finding is an error, 1 when at least one
is, 2 for a usage error or a path that cannot be read.

"""
TABLE = """
## Rules

The severity column is each rule's usual severity; a rule may report one finding higher or
lower, as the policy above says (each rule's text explains when).

| rule | severity | checker | what it finds |
| --- | --- | --- | --- |
"""


def schema_exceptions() -> str:
    """The list of places where GitHub accepts what SchemaStore's schema rejects."""
    from .workflow.schema import GITHUB_ACCEPTS

    lines = ["\n### Where GitHub accepts what the schema rejects\n\n"
             "GitHub wins: the schema is changed for these before any workflow is checked.\n\n"
             "| GitHub accepts | evidence |\n| --- | --- |\n"]
    lines.extend(f"| {e.what} | {e.evidence} |\n" for e in GITHUB_ACCEPTS)
    return "".join(lines)


EXTRA = {"workflow-schema": schema_exceptions}


def rules_markdown() -> str:
    from .workflow.severity import POLICY

    rules = all_rules()
    out = [HEADER, POLICY, TABLE]
    out.extend(f"| [`{r.id}`](#{r.id}) | {r.severity} | {r.scope} | {r.summary} |\n" for r in rules)
    for r in rules:
        lesson = r.lesson_path
        out.append(
            f"\n## {r.id}\n\n"
            f"Severity: **{r.severity}**. Checker: `{r.scope}`"
            f"{' (needs git)' if r.needs_git else ''}. "
            f"Lesson: [{lesson}](../{lesson}).\n\n{r.doc}\n"
            + (EXTRA[r.id]() if r.id in EXTRA else ""))
    return "".join(out)
