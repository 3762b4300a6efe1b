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
# The severity policy: every workflow layer applies it (checkers/workflow/severity.py and
# zizmor_policy.py hold what it needs to know about a file); docs/rules.md opens with it.
POLICY = """\
## Severity policy

Every layer (our own rules, the SchemaStore schema, zizmor, actionlint) reports through this one
policy. A false alarm is treated as seriously as a miss.

- **error**: GitHub refuses the file, or runs it differently from what it says (a job that
  silently never runs, an expression that is always empty, a login that cannot succeed); in
  `--pattern` mode, the pattern's purpose is broken (it trains on `main`, trains on a
  README-only change, logs in with stored credentials, submits an untraceable job); or someone
  outside the repository's writers (the author of a fork's pull request, of an issue or a comment,
  anything reached through `pull_request_target` or `workflow_run`) can run code, read secrets or
  write with the workflow's token.
- **warning**: hardening against values only the repository's writers control (branch names on
  `push`, `workflow_dispatch` and `workflow_call` inputs), least-privilege advice when nothing
  from outside can exploit it, policy choices (release tags rather than commit SHAs, `creds`
  logins outside pattern mode, deprecated commands that still work), and style.
- **info**: what one file cannot show (a `workflow_call` workflow gets its token permissions
  from its caller; a training job submitted by a script or a reusable workflow), and checks that
  were skipped.

zizmor's findings are not passed through at zizmor's own severity. Each is judged with what
zizmor reports (the audit and its confidence) and what the file says: the events that start it
and the source of the expression. `${{ github.event.pull_request.title }}` pasted into `run:`
is an error in a workflow that pull requests start, because their authors write the title;
`${{ github.ref_name }}` in a `push` workflow is a warning, because only people who can push
choose branch names, and they can edit the workflow anyway; `${{ github.workflow }}` is the
file's own `name:` and is not reported. Where SchemaStore's schema is stricter than GitHub,
GitHub wins: the exceptions are listed, with evidence, under
[`workflow-schema`](#workflow-schema).
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
