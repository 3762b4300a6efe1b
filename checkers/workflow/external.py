"""The field's own tools, run once over all the files: zizmor (security) and actionlint.

Both are batch rules: they receive every workflow of the invocation at once, so each tool
starts one process, not one per file. Their findings are mapped back to our files by path.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterable
from pathlib import Path

from .. import regexcache
from .. import tools
from ..registry import Problem, rule
from ..tools import find_zizmor, tool_env
from .context import WorkflowContext
from .zizmor_policy import judge, mark_writer_only_runs

LESSON = "02-github-actions"
ZIZMOR_CONFIG = tools.ZIZMOR_CONFIG
ZIZMOR_DOCS = "https://docs.zizmor.sh/audits/#{}"
ZIZMOR_OK = {0, 10, 11, 12, 13, 14}  # 1x: findings of severity x (with --no-exit-codes: 0)
ZIZMOR_HINTS = {
    "template-injection": "pass the value in through `env:` (e.g. `MESSAGE: ${{ github.event."
                          "head_commit.message }}`) and use `\"$MESSAGE\"` in the script",
    "artipacked": "add `with: persist-credentials: false` to actions/checkout unless a later "
                  "step really pushes with git",
    "excessive-permissions": "grant only what each job needs: `permissions: contents: read`, "
                             "plus `id-token: write` only on the job that logs in to Azure",
    "unpinned-uses": "pin the action to a release tag or commit, e.g. `actions/checkout@v4`",
    "dangerous-triggers": "use `pull_request`, not `pull_request_target`/`workflow_run`, for "
                          "anything that runs code from the pull request",
}
# dangerous-triggers: the hint that fits our verdict (zizmor's says the trigger itself is wrong)
TRIGGER_HINTS = {
    "runs": ZIZMOR_HINTS["dangerous-triggers"] + "; keep the privileged trigger for steps that "
            "never run it (labelling, commenting)",
    "gated": "keep the approval, and make reviewers read the pull request's changes (workflows, "
             "build scripts, tests) before they approve",
    "downloads": "unpack the artifacts into a temporary folder and read them only as data: never "
                 "run, source or `>> $GITHUB_ENV` them",
    "calls": "check the called workflow: it must not check out or run the pull request's code",
    "excluded": "keep the `if:` on the author (`github.event.pull_request.user.login` or the "
                "author association, never `github.actor`, which whoever last touched the pull "
                "request becomes)",
}
# When an outsider's action starts each privileged event, for the message.
PRIVILEGED_BY = {
    "pull_request_target": "for a fork's pull request",
    "workflow_run": "after a run that a fork's pull request started",
    "issue_comment": "for anyone's comment", "issues": "for anyone's issue",
    "discussion": "for anyone's post", "discussion_comment": "for anyone's comment",
    "pull_request_review": "for a fork's pull request",
    "pull_request_review_comment": "for a fork's pull request",
}
TIMEOUT = 120
SKIPPED_INPUT = regexcache.compile(r"failed to (?:validate|load|parse) (?:file://)?(.+?) as workflow")
ANSI = regexcache.compile(r"\x1b\[[0-9;]*m")


def run_tool(argv: list[str], proc=None) -> tuple[int | None, str, str]:
    """(exit code, stdout, stderr); exit code None when the tool could not run at all.
    ``proc``: the tool already started (by default, a new one)."""
    try:
        proc = proc or tools.start(argv)
    except OSError as exc:
        return None, "", exc.strerror or str(exc)
    try:
        out, err = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return None, "", f"timed out after {TIMEOUT} s"
    return proc.returncode, out, err


def _zizmor(zizmor: str, files: list[str]) -> tuple[int | None, str, str]:
    """zizmor's run on ``files``: the one the command line started on them and perhaps more
    files (a second run would start late and cost as much again), or a run of exactly these
    when that one failed on more files (one of the others may be what it failed on)."""
    argv = tools.zizmor_argv(zizmor, files)
    started, more = tools.take_zizmor(zizmor, files)
    if started is not None:
        code, out, err = run_tool(argv, started)
        if code in ZIZMOR_OK or code is None or not more:
            return code, out, err
    return run_tool(argv)


def reason(stderr: str) -> str:
    """The tool's own explanation of a failure, in one line."""
    lines = []
    for line in ANSI.sub("", stderr).splitlines():
        line = line.strip()
        if line.startswith("Stack backtrace"):
            break
        if line and not regexcache.compile(r"(INFO|WARN|DEBUG|TRACE)\b").match(line):
            lines.append(line.removeprefix("fatal: ").removeprefix("error: "))
    return ": ".join(lines[:2])[:300] or "no error message"


class Files:
    """The parsed workflows of a batch, found again by the path a tool reports."""

    def __init__(self, contexts: Iterable[WorkflowContext]):
        self.contexts = [c for c in contexts if c.ok]  # unreadable files: workflow-syntax
        self.by_path: dict[str, list[WorkflowContext]] = {}
        self._found: dict[str, list[WorkflowContext]] = {}
        for ctx in self.contexts:
            self.by_path.setdefault(self.key(ctx.path), []).append(ctx)

    key = staticmethod(tools.key)

    @property
    def args(self) -> list[str]:
        return list(self.by_path)

    def find(self, reported: str) -> list[WorkflowContext]:
        # zizmor names the same few files hundreds of times: resolve each name once
        if reported not in self._found:
            self._found[reported] = self.by_path.get(self.key(reported), [])
        return self._found[reported]


def _utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def skipped(files: Files, what: str, why: str, hint: str) -> Iterable[Problem]:
    """One note for the whole batch (at the file when there is only one)."""
    many = len(files.contexts) > 1
    yield Problem(f"{what} skipped{f' for {len(files.contexts)} workflows' if many else ''}: {why}",
                  hint, path=None if many else files.contexts[0].display, severity="info")


@rule("workflow-security", severity="warning", scope="workflow", lesson=f"{LESSON}#permissions")
def workflow_security(contexts: list[WorkflowContext]):
    """zizmor, the GitHub Actions security auditor, found a weakness in the workflow.

    zizmor (https://docs.zizmor.sh) runs offline over all the workflows at once. Each finding
    names zizmor's audit in brackets, e.g. ``[template-injection]``, with a link to the audit's
    documentation. Its severity comes from the policy at the top of this page, not from zizmor:

    - ``template-injection`` (``${{ ... }}`` pasted into a ``run:`` script): an **error** when
      the value is written by someone outside the repository's writers and an event that starts
      the workflow carries it (a pull request's title or head branch, an issue or comment body,
      a commit message); a **warning** for values only writers choose (``github.ref_name`` on
      ``push``, ``inputs.*``, a base branch matched by a wildcard) or whose origin the file does
      not show (``env.*``, step outputs); nothing for values nobody can shape
      (``github.workflow``, ``github.sha``, ``github.ref`` of a pull request, a base branch
      pinned by a literal ``branches:`` filter, an account's login such as
      ``github.event.pull_request.user.login``: letters, digits and hyphens only, a pull
      request's or comment's ``html_url``).
    - ``dangerous-triggers`` (``pull_request_target``, ``workflow_run``, ``issue_comment``): an
      **error** when the workflow checks out the pull request's code (a warning when a job it
      needs waits for an environment's reviewers, or when its ``if:`` is false for every
      outsider: ``github.event.pull_request.user.login == 'dependabot[bot]'``, an author
      association of ``OWNER``, ``MEMBER`` or ``COLLABORATOR``; never ``github.actor``, which
      whoever last touched the pull request becomes); a warning when it downloads the triggering
      run's artifacts; a note when it calls a reusable workflow this file cannot show; nothing
      otherwise.
    - ``artipacked`` (the token left in ``.git/config``): an **error** when an uploaded artifact
      includes it (``actions/upload-artifact`` before 4.4, or ``include-hidden-files: true``,
      with the checkout in ``path``); nothing when every upload is 4.4 or later (hidden files
      are left out); otherwise a warning. A warning too for an upload before v4 of a checkout
      that keeps only the job's own ``GITHUB_TOKEN``: such an artifact can be downloaded only
      after the run, and the token expires when its job ends (a checkout with ``token:`` set to
      a personal access token leaves one that lasts: an error).
    - ``excessive-permissions``: a warning (least privilege); nothing for a workflow-level
      ``id-token: write`` when every job logs in with OIDC.
    - ``cache-poisoning``: a warning for jobs that publish; nothing for zizmor's low-confidence
      finding in a job that publishes nothing.
    - ``github-env``, ``insecure-commands``, ``bot-conditions``: an **error** when an event
      started by outsiders runs the workflow with the repository's secrets
      (``pull_request_target``, ``workflow_run``, ``issue_comment`` ...), a warning otherwise.
      A ``github-env`` write of literal text and values nobody outside chooses
      (``echo "DIR=${{ runner.temp }}/out" >> "$GITHUB_ENV"``, or a number GitHub's API gives
      ``gh``: ``gh pr view "$BRANCH" --json number --jq .number``) is not reported: zizmor
      skips wholly static writes, and these are as static.
    - ``workflow_run`` counts as started by outsiders unless every workflow it follows is among
      the files checked (or beside it in ``.github/workflows/``) and is itself started only by
      writers (``push``, ``workflow_dispatch``, ``schedule`` ...): then no fork's pull request
      can make its artifacts or choose its branch, and its findings follow the rules above
      for writers' values (``dangerous-triggers``: nothing).
    - ``hardcoded-container-credentials``: an **error** (anyone who can read the repository
      reads the password).
    - Every other audit (pinning, images, trusted publishing ...): a warning, or a note for
      zizmor's low and informational findings. Actions pinned to a release tag
      (``actions/checkout@v4``) are accepted.

    Before::

        steps:
          - uses: actions/checkout@v4
          - run: echo "Training ${{ github.event.head_commit.message }}"

    After::

        steps:
          - uses: actions/checkout@v4
            with:
              persist-credentials: false
          - env:
              MESSAGE: ${{ github.event.head_commit.message }}
            run: echo "Training $MESSAGE"
    """
    files = Files(contexts)
    if not files.args:
        return
    mark_writer_only_runs(files.contexts, set(files.by_path))
    zizmor = find_zizmor()
    if zizmor is None:
        yield from skipped(files, "security audit", "zizmor is not installed",
                           "install it with `pip install zizmor` and run the check again")
        return
    if not ZIZMOR_CONFIG.is_file():
        yield from skipped(files, "security audit", f"{ZIZMOR_CONFIG.name} is missing from the "
                           "checkers package", "reinstall the checkers package")
        return
    readable = [a for a in files.args if _utf8(a)]
    for name in set(files.args) - set(readable):  # zizmor stops at a name that is not UTF-8
        for ctx in files.by_path.get(name, []):
            yield Problem("security audit skipped: zizmor cannot open a file whose name is not "
                          "UTF-8", "rename the file (GitHub shows such names garbled anyway)",
                          path=ctx.display, severity="info")
    if not readable:
        return
    code, out, err = _zizmor(zizmor, readable)
    unread = {Files.key(p) for p in SKIPPED_INPUT.findall(ANSI.sub("", err))}
    for key in unread:
        for ctx in files.by_path.get(key, []):
            yield Problem("security audit skipped: zizmor cannot read this file as a workflow",
                          "fix what workflow-schema reports; if it reports nothing, the file uses "
                          "syntax GitHub accepts and zizmor's parser does not know yet (run "
                          "`zizmor --offline FILE` for details)",
                          path=ctx.display, severity="info")
    if code not in ZIZMOR_OK:
        if unread and unread >= set(readable):
            return  # every file was unreadable (zizmor: "no inputs collected"): said above
        yield from skipped(files, "security audit", f"zizmor failed ({reason(err)})",
                           "run zizmor on the file yourself to see the whole error")
        return
    try:
        findings = json.loads(out or "[]")
    except json.JSONDecodeError:
        yield from skipped(files, "security audit", "zizmor's output was not JSON",
                           "check that zizmor is version 1.x (`zizmor --version`)")
        return
    seen = set()
    for finding in findings:
        for ctx, problem in zizmor_problems(finding, files):
            if (ctx.display, problem.line, problem.column, problem.message) not in seen:
                seen.add((ctx.display, problem.line, problem.column, problem.message))
                yield problem


workflow_security.batch = True


def char_column(ctx: WorkflowContext, line: int | None, byte_column: int | None) -> int | None:
    """The 1-based column, in characters, of zizmor's 0-based column, which counts bytes of
    UTF-8 (tree-sitter's): `echo "✅ ${{ github.actor }}"` puts the expression 2 further."""
    if byte_column is None:
        return None
    text = ctx.lines[line - 1] if line and 0 < line <= len(ctx.lines) else ""
    if text.isascii():
        return byte_column + 1
    return len(text.encode("utf-8")[:byte_column].decode("utf-8", errors="ignore")) + 1


def zizmor_problems(finding: dict, files: Files):
    """One zizmor JSON finding as (context, Problem) pairs, at its primary location."""
    if finding.get("ignored"):
        return
    ident = finding.get("ident", "zizmor")
    locations = finding.get("locations") or []
    primary = next((loc for loc in locations if loc.get("symbolic", {}).get("kind") == "Primary"),
                   locations[0] if locations else None)
    if primary is None:
        return
    symbolic, concrete = primary.get("symbolic", {}), primary.get("concrete", {})
    path = (symbolic.get("key") or {}).get("Local", {}).get("verbatim_path")
    start = concrete.get("location", {}).get("start_point", {})
    line = start["row"] + 1 if "row" in start else None
    determinations = finding.get("determinations", {})
    confidence = str(determinations.get("confidence", "?")).lower()
    message = f"[{ident}] {finding.get('desc', '')}"
    if symbolic.get("annotation"):
        message += f": {symbolic['annotation']}"
    url = finding.get("url") or ZIZMOR_DOCS.format(ident)
    hint = ZIZMOR_HINTS.get(ident, "see the audit's documentation for how to fix it")
    hint += f" ({url}; zizmor's confidence: {confidence})"
    for ctx in files.find(path) if path else []:
        column = char_column(ctx, line, start.get("column"))
        severity, why, better = judge(ident, confidence, str(determinations.get("severity", "")),
                                      ctx, primary, line, column)
        if severity is None:
            continue  # the policy: not a problem in this file (see docs/rules.md)
        shown, fix = message, hint
        if ident == "dangerous-triggers" and why:
            # zizmor calls the trigger itself insecure; say what this file does with it instead
            event = str(symbolic.get("annotation") or "").split(" ", 1)[0]
            cause = PRIVILEGED_BY.get(event, "for events people outside the repository's "
                                             "writers cause")
            shown = (f"[{ident}] `{event or 'the trigger'}` runs this workflow with the "
                     f"repository's secrets and token, also {cause}: {why}")
            case = ("calls" if severity == "info" else "runs" if severity == "error"
                    else "gated" if "reviewers approve" in why
                    else "excluded" if "excludes everyone else" in why else "downloads")
            fix = f"{TRIGGER_HINTS[case]} ({url}; zizmor's confidence: {confidence})"
            why = ""
        yield ctx, Problem(f"{shown} ({why})" if why else shown,
                           f"{better} ({url})" if better else fix, path=ctx.display,
                           line=line, column=column, severity=severity)


ACTIONLINT_KINDS = {"pyflakes": "warning", "deprecated-commands": "warning"}
# Checks our own rules make too (workflow-needs, workflow-deprecated-command): reported once.
ACTIONLINT_DUPLICATES = frozenset({"job-needs", "deprecated-commands"})
SHELLCHECK_LEVEL = regexcache.compile(r"\bSC\d+:(error|warning|info|style):")


@rule("workflow-actionlint", severity="error", scope="workflow", lesson=f"{LESSON}#anatomy")
def workflow_actionlint(contexts: list[WorkflowContext]):
    """actionlint, the GitHub Actions linter, found a mistake (only when it is installed).

    actionlint (https://github.com/rhysd/actionlint) type-checks ``${{ }}`` expressions, knows
    every ``github.*`` property, checks ``needs:`` against the jobs that exist, runner labels
    and, when shellcheck is installed, the shell scripts in ``run:``. It is optional: install it
    (for example ``brew install actionlint`` or ``go install github.com/rhysd/actionlint/cmd/
    actionlint@latest``) and this rule runs it once over all the workflows; without it the rule
    reports nothing. Each finding names actionlint's check in brackets, e.g. ``[expression]``.
    Following the severity policy, its findings are errors (GitHub refuses the file or runs it
    differently), except shellcheck's remarks (at shellcheck's level; style is a note) and
    pyflakes' (warnings). Checks our own rules make (``job-needs``, ``deprecated-commands``)
    are left out, so nothing is reported twice.

    Before::

        jobs:
          test: ...
          train:
            needs: tests        # no job is called "tests"

    After::

        jobs:
          test: ...
          train:
            needs: test
    """
    actionlint = tools.which("actionlint")
    files = Files(contexts)
    if actionlint is None or not files.args:
        return
    code, out, err = run_tool([actionlint, "-no-color", "-format", "{{json .}}", *files.args])
    errors = None
    if code in (0, 1):
        try:
            errors = json.loads(out.strip() or "[]") or []
        except json.JSONDecodeError:
            pass
    if not isinstance(errors, list):
        yield from skipped(files, "actionlint check", f"actionlint failed ({reason(err or out)})",
                           "run actionlint on the file yourself to see the whole error")
        return
    for error in errors:
        kind, message = error.get("kind", "actionlint"), error.get("message", "")
        if kind in ACTIONLINT_DUPLICATES:
            continue
        level = SHELLCHECK_LEVEL.search(message) if kind == "shellcheck" else None
        severity = ({"style": "info"}.get(level.group(1), level.group(1)) if level
                    else ACTIONLINT_KINDS.get(kind))
        for ctx in files.find(error.get("filepath", "")):
            yield Problem(f"[{kind}] {message}",
                          f"see https://github.com/rhysd/actionlint/blob/main/docs/checks.md "
                          f"for the `{kind}` check",
                          path=ctx.display, line=error.get("line"), column=error.get("column"),
                          severity=severity)


workflow_actionlint.batch = True
