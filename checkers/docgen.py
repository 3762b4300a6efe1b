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

| rule | severity | checker | what it finds |
| --- | --- | --- | --- |
"""


def rules_markdown() -> str:
    rules = all_rules()
    out = [HEADER]
    out.extend(f"| [`{r.id}`](#{r.id}) | {r.severity} | {r.scope} | {r.summary} |\n" for r in rules)
    for r in rules:
        lesson = r.lesson_path
        out.append(
            f"\n## {r.id}\n\n"
            f"Severity: **{r.severity}**. Checker: `{r.scope}`"
            f"{' (needs git)' if r.needs_git else ''}. "
            f"Lesson: [{lesson}](../{lesson}).\n\n{r.doc}\n")
    return "".join(out)
