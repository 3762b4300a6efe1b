"""``checkers trigger``: will this workflow run for this event? GitHub's ``on:`` rules, simulated.

What GitHub documents, and this module does ("Workflow syntax for GitHub Actions" and "Events
that trigger workflows"; the pattern language itself is in :mod:`.filters`):

* ``on:`` is an event name, a list of names, or a mapping of names to their filters (an empty
  value means no filters). An event that is not listed does not run the workflow.
* ``push`` has ``branches``/``branches-ignore``, ``tags``/``tags-ignore`` and ``paths``/
  ``paths-ignore``. A filter and its ``-ignore`` twin in one event are not allowed: GitHub refuses
  the workflow. With only branch filters, tag pushes do not run it; with only tag filters, branch
  pushes do not; with neither, both do. Path filters are not evaluated for tag pushes. With a
  branch filter and a path filter, both must be satisfied.
* ``paths``: the workflow runs if at least one changed file is included by the list (the last
  matching pattern decides, ``!`` excludes). ``paths-ignore``: it is skipped only when every
  changed file matches. With no changed files, a workflow with path filters does not run. Only
  the first 300 changed files are considered ("Diffs are limited to 300 files"). A push of more
  than 1,000 commits always satisfies the path filter ("the workflow will always run"): GitHub
  does not compute that diff.
* ``pull_request``/``pull_request_target``: ``branches`` match the *base* branch (the one the pull
  request targets), never the head branch; there are no tag filters; by default only the
  ``opened``, ``synchronize`` and ``reopened`` activity types trigger, ``types`` changes that.
* Any other listed event runs the workflow; its own settings are not simulated.
"""
from __future__ import annotations

import argparse
import os
import json
import sys
from collections.abc import Iterable
from pathlib import Path

from .filters import PatternError, check_patterns, match_list, only_negative
from .walk import close_matches

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any

PR_EVENTS = ("pull_request", "pull_request_target")
DEFAULT_PR_TYPES = ("opened", "synchronize", "reopened")
MAX_DIFF_FILES = 300
MAX_DIFF_COMMITS = 1000
PUSH_KEYS = ("branches", "branches-ignore", "tags", "tags-ignore", "paths", "paths-ignore")
PR_KEYS = ("types", "branches", "branches-ignore", "paths", "paths-ignore")
# The events a workflow's `on:` accepts (GitHub's workflow schema, actions/languageservices).
EVENTS = (
    "push", "pull_request", "pull_request_target", "workflow_dispatch", "schedule",
    "workflow_call", "workflow_run", "release", "create", "delete", "deployment",
    "deployment_status", "issues", "issue_comment", "label", "merge_group", "milestone",
    "discussion", "discussion_comment", "fork", "gollum", "page_build", "public",
    "pull_request_review", "pull_request_review_comment", "registry_package",
    "repository_dispatch", "status", "watch", "check_run", "check_suite",
    "branch_protection_rule", "image_version", "project", "project_card", "project_column",
)
_SHOWN = 3  # at most this many example files in one explanation line


class Decision:
    """Whether the workflow runs, and the sentences that explain why.

    A plain class, not a dataclass: importing dataclasses would double what the command line
    pays before it can start zizmor (it imports this module to build its parser).
    """

    __slots__ = ("runs", "explanation")

    def __init__(self, runs: bool, explanation: list[str] | None = None):
        self.runs = runs
        self.explanation = list(explanation or [])

    def __eq__(self, other) -> bool:
        return (isinstance(other, Decision) and (self.runs, self.explanation)
                == (other.runs, other.explanation))

    def __repr__(self) -> str:
        return f"Decision(runs={self.runs!r}, explanation={self.explanation!r})"

    def to_dict(self) -> dict:
        return {"runs": self.runs, "explanation": list(self.explanation)}


class _Invalid(Exception):
    """The workflow (or its ``on:``) is something GitHub would refuse; the message says why."""


def _quote(patterns: Iterable[str]) -> str:
    return "[" + ", ".join(f"'{p}'" for p in patterns) + "]"


def _files(files: list[str]) -> str:
    shown = ", ".join(f"'{f}'" for f in files[:_SHOWN])
    return shown + (f" and {len(files) - _SHOWN} more" if len(files) > _SHOWN else "")


def _short(ref: str | None) -> str | None:
    """``refs/heads/main`` -> ``main``: the patterns are matched against the short name."""
    for prefix in ("refs/heads/", "refs/tags/"):
        if ref and ref.startswith(prefix):
            return ref[len(prefix):]
    return ref


# -- reading the workflow -----------------------------------------------------------------------

def _unreadable(problem) -> str:
    where = f" (line {problem.line})" if problem.line else ""
    return f"The workflow file cannot be read: {problem.message}{where}, so it never runs."


def _load(workflow: Any) -> tuple[Any, str | None]:
    """The parsed document and None, or None and a sentence saying why it cannot be used."""
    # imported here: the command line imports this module to build its parser, before it
    # starts zizmor, and YAML parsers take longer to import than zizmor takes to start
    from .context import MAX_BYTES, WorkflowContext, decode

    if isinstance(workflow, dict):
        return workflow, None
    # a one-line string is a path if it names a file, or looks like a file name (no `key: value`)
    if isinstance(workflow, Path) or (isinstance(workflow, str) and "\n" not in workflow and (
            os.path.isfile(workflow) or (workflow.endswith((".yml", ".yaml")) and ": " not in workflow))):
        path = Path(workflow)
        try:
            with open(path, "rb") as fh:
                text, unreadable = decode(fh.read(MAX_BYTES + 1))
        except OSError as exc:
            return None, f"The workflow file '{path}' cannot be read ({exc.strerror})."
        if unreadable:
            return None, _unreadable(unreadable)
    elif isinstance(workflow, str):
        path, text = Path("workflow.yml"), workflow
    elif isinstance(workflow, bytes):  # a file's contents, decoded as GitHub would
        path = Path("workflow.yml")
        text, unreadable = decode(workflow)
        if unreadable:
            return None, _unreadable(unreadable)
    else:
        kind = type(workflow).__name__
        return None, f"The workflow must be a mapping, a path or YAML text, not {kind}."
    ctx = WorkflowContext.from_text(path, str(path), text)
    if ctx.problem:
        where = f" at line {ctx.problem.line}" if ctx.problem.line else ""
        return None, (f"The workflow is not valid YAML{where} ({ctx.problem.message}); GitHub "
                      "cannot read it, so it never runs.")
    if not ctx.ok:
        return None, ("The workflow is not a YAML mapping (a document of `name:`, `on:`, `jobs:`), "
                      "so it never runs.")
    return ctx.data, None


def _events(data: dict) -> dict[str, Any]:
    """``on:`` as {event name: its settings or None}, in the three forms GitHub accepts."""
    if "on" in data:
        on = data["on"]
    elif True in data:  # a YAML 1.1 loader (PyYAML) reads the key `on` as the boolean true
        on = data[True]
    else:
        raise _Invalid("The workflow has no `on:` key, so no event triggers it; it never runs.")
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        if not all(isinstance(name, str) for name in on):
            raise _Invalid("`on:` as a list must hold event names only (like `[push, "
                           "pull_request]`); GitHub refuses the workflow, so it never runs.")
        return {name: None for name in on}
    if isinstance(on, dict):
        for name in on:
            if name in PUSH_KEYS or name in PR_KEYS:  # an indentation slip: a filter under `on:`
                raise _Invalid(f"`on.{name}` is a filter, not an event: GitHub refuses the "
                               "workflow, so it never runs. Indent it under the event it "
                               f"filters (`push:` or `pull_request:`), two spaces deeper.")
        return {str(name): settings for name, settings in on.items()}
    raise _Invalid("`on:` is empty or not an event name, a list of names or a mapping, so no "
                   "event triggers the workflow; it never runs.")


def _filters(event: str, settings: Any, allowed: tuple[str, ...]) -> dict[str, list[str]]:
    """The filters of one event as lists of strings, checked the way GitHub checks them."""
    if settings is None:
        return {}
    if not isinstance(settings, dict):
        raise _Invalid(f"`on.{event}` must be a mapping of filters (like `branches: [main]`) or "
                       "empty; GitHub refuses this workflow, so it never runs.")
    found: dict[str, list[str]] = {}
    for key, value in settings.items():
        if key not in allowed:
            close = close_matches(str(key), allowed, n=1)
            hint = f" (did you mean `{close[0]}`?)" if close else ""
            raise _Invalid(f"`on.{event}` has an unexpected key `{key}`{hint}; GitHub refuses "
                           "the workflow, so it never runs.")
        values = [value] if isinstance(value, (str, int, float)) else value
        if values is None:
            values = []
        scalars = isinstance(values, list) and all(isinstance(v, (str, int, float)) for v in values)
        if not scalars:
            raise _Invalid(f"`on.{event}.{key}` must be a pattern or a list of patterns; GitHub "
                           "refuses the workflow, so it never runs.")
        found[key] = [str(v) for v in values]
    for name in ("branches", "tags", "paths"):
        if name in found and f"{name}-ignore" in found:
            raise _Invalid(f"The workflow is invalid: `on.{event}` uses both `{name}` and "
                           f"`{name}-ignore`, which GitHub does not allow for the same event (use "
                           f"`{name}` with '!' patterns instead); GitHub refuses the workflow, so "
                           "it never runs.")
    for key, patterns in found.items():
        if key != "types":
            try:
                check_patterns(patterns)
            except PatternError as exc:
                raise _Invalid(f"The workflow is invalid: `on.{event}.{key}` has a bad pattern: "
                               f"{exc}. GitHub refuses the workflow, so it never runs.") from None
    return found


# -- the filters --------------------------------------------------------------------------------

def _ref_filter(filters: dict, kind: str, name: str, what: str, lines: list[str]) -> bool:
    """``branches``/``branches-ignore`` (or tags) for one ref name; True when it lets it through."""
    if kind in filters:
        patterns = filters[kind]
        if only_negative(patterns):
            lines.append(f"The `{kind}` list {_quote(patterns)} has only negative ('!') patterns: "
                         "GitHub requires at least one positive pattern, so it matches nothing "
                         f"(to only exclude, use `{kind}-ignore`).")
            return False
        included, by = match_list(patterns, name)
        if included:
            lines.append(f"{what} '{name}' matches {kind} pattern '{by}'.")
        elif by:
            lines.append(f"{what} '{name}' is excluded by the negative {kind} pattern '{by}' (the "
                         "last matching pattern decides).")
        else:
            lines.append(f"{what} '{name}' matches none of the {kind} patterns {_quote(patterns)}.")
        return included
    ignore = filters.get(f"{kind}-ignore")
    if ignore is None:
        return True
    ignored, by = match_list(ignore, name)
    if ignored:
        lines.append(f"{what} '{name}' matches {kind}-ignore pattern '{by}', so it is ignored.")
    else:
        lines.append(f"{what} '{name}' matches none of the {kind}-ignore patterns "
                     f"{_quote(ignore)}, so it is not ignored.")
    return not ignored


def _path_filter(filters: dict, changed: list[str], lines: list[str],
                 commits: int | None = None) -> bool:
    """``paths``/``paths-ignore`` against the changed files; True when they let it through."""
    if "paths" not in filters and "paths-ignore" not in filters:
        return True
    if commits is not None and commits > MAX_DIFF_COMMITS:
        lines.append(f"The push brings {commits} commits: for a push of more than "
                     f"{MAX_DIFF_COMMITS:,} commits GitHub does not compute the diff, so the path "
                     "filter is not evaluated and lets the push through.")
        return True
    if not changed:
        lines.append("No changed files were given (--changed), so the simulator assumes the event "
                     "changed no files; GitHub does not run a workflow with a path filter when no "
                     "files changed.")
        return False
    if len(changed) > MAX_DIFF_FILES:
        lines.append(f"{len(changed)} changed files were given, but GitHub's diffs are limited to "
                     f"{MAX_DIFF_FILES} files: only the first {MAX_DIFF_FILES} are checked against "
                     f"the path filter, the other {len(changed) - MAX_DIFF_FILES} are not "
                     "considered.")
        changed = changed[:MAX_DIFF_FILES]
    if "paths" in filters:
        patterns = filters["paths"]
        if only_negative(patterns):
            lines.append(f"The `paths` list {_quote(patterns)} has only negative ('!') patterns: "
                         "GitHub requires at least one positive pattern, so no file matches (to "
                         "only exclude, use `paths-ignore`) -> the workflow does not run.")
            return False
        results = [(f, *match_list(patterns, f)) for f in changed]
        included = [(f, by) for f, ok, by in results if ok]
        if included:
            f, by = included[0]
            more = f" (and {len(included) - 1} more changed files)" if len(included) > 1 else ""
            lines.append(f"Paths filter: changed file '{f}' matches paths pattern '{by}'{more}, so "
                         "the path filter is satisfied.")
            return True
        excluded = [(f, by) for f, ok, by in results if by]
        for f, by in excluded[:_SHOWN]:
            lines.append(f"Paths filter: changed file '{f}' is excluded by the negative pattern "
                         f"'{by}' (the last matching pattern decides).")
        lines.append(f"Paths filter: no changed file matches {_quote(patterns)} (changed: "
                     f"{_files(changed)}) -> the workflow does not run.")
        return False
    patterns = filters["paths-ignore"]
    kept = [f for f in changed if not match_list(patterns, f)[0]]
    if kept:
        lines.append(f"Paths-ignore filter: changed file {_files(kept)} "
                     f"{'matches' if len(kept) == 1 else 'match'} none of {_quote(patterns)}, so "
                     "the workflow is not skipped (paths-ignore skips only when every changed "
                     "file matches it).")
        return True
    lines.append(f"Paths-ignore filter: every changed file ({_files(changed)}) matches "
                 f"{_quote(patterns)} -> the workflow does not run.")
    return False


# -- the events ---------------------------------------------------------------------------------

def _push(settings: Any, branch: str | None, tag: str | None, changed: list[str],
          lines: list[str], commits: int | None = None) -> bool:
    filters = _filters("push", settings, PUSH_KEYS)
    has_branch = "branches" in filters or "branches-ignore" in filters
    has_tag = "tags" in filters or "tags-ignore" in filters
    has_paths = "paths" in filters or "paths-ignore" in filters
    if tag is not None:
        if has_branch and not has_tag:
            lines.append(f"Push of tag '{tag}': `on.push` defines only branch filters, so tag "
                         "pushes do not trigger the workflow.")
            return False
        if has_tag:
            ok = _ref_filter(filters, "tags", tag, "Push of tag", lines)
        else:
            ok = True
            lines.append(f"Push of tag '{tag}': `on.push` has no branch or tag filters, so every "
                         "tag push matches.")
        if has_paths:
            lines.append("Path filters are not evaluated for tag pushes, so the changed files do "
                         "not matter here.")
        return ok
    if has_tag and not has_branch:
        lines.append(f"Push to branch '{branch}': `on.push` defines only tag filters, so branch "
                     "pushes do not trigger the workflow.")
        return False
    if has_branch:
        ok = _ref_filter(filters, "branches", branch, "Push to branch", lines)
    else:
        ok = True
        lines.append(f"Push to branch '{branch}': `on.push` has no branch filter, so every branch "
                     "matches.")
    if has_branch and has_paths:
        lines.append("`on.push` has both a branch filter and a path filter: both must be "
                     "satisfied.")
    return _path_filter(filters, changed, lines, commits) and ok


def _pull_request(event: str, settings: Any, base: str, head: str | None, changed: list[str],
                  activity: str | None, lines: list[str]) -> bool:
    if isinstance(settings, dict):
        ignored = [k for k in ("tags", "tags-ignore") if k in settings]
        if ignored:  # not a pull_request filter; say so rather than refuse the whole workflow
            lines.append(f"`on.{event}` has `{ignored[0]}`, but tag filters only apply to push "
                         "events; the simulator ignores it.")
            settings = {k: v for k, v in settings.items() if k not in ignored}
    filters = _filters(event, settings, PR_KEYS)
    activity = activity or "opened"
    types = filters.get("types")
    if types is None and activity not in DEFAULT_PR_TYPES:
        lines.append(f"Activity '{activity}': without `types`, {event} runs the workflow only for "
                     f"{', '.join(DEFAULT_PR_TYPES)} (add `types: [{activity}]` for this one).")
        return False
    if types is not None and activity not in types:
        lines.append(f"Activity '{activity}' is not in `on.{event}.types` {_quote(types)}.")
        return False
    lines.append(f"Activity '{activity}' "
                 + (f"is in `types` {_quote(types)}." if types is not None
                    else f"is one of the default activity types ({', '.join(DEFAULT_PR_TYPES)})."))
    ok = _ref_filter(filters, "branches", base, "Pull request into base branch", lines)
    has_branch = "branches" in filters or "branches-ignore" in filters
    if has_branch and head is not None and head != base:
        would = _ref_filter(filters, "branches", head, "Head branch", [])
        note = (f"; the head branch '{head}' would {'' if would else 'not '}have matched"
                if would != ok else "")
        lines.append(f"The branch filter of {event} is matched against the base branch "
                     f"'{base}' (the branch the pull request targets), not the head branch "
                     f"'{head}'{note}.")
    elif not has_branch:
        lines.append(f"`on.{event}` has no branch filter, so a pull request into any base branch "
                     "matches.")
    if has_branch and ("paths" in filters or "paths-ignore" in filters):
        lines.append(f"`on.{event}` has both a branch filter and a path filter: both must be "
                     "satisfied.")
    return _path_filter(filters, changed, lines) and ok


def _other(event: str, settings: Any, activity: str | None, lines: list[str]) -> bool:
    if event == "workflow_dispatch":
        lines.append("The workflow lists `workflow_dispatch`: it runs when started by hand (the "
                     "Actions tab, `gh workflow run` or the API); it has no filters.")
    else:
        lines.append(f"The workflow lists `{event}`, and the simulator applies no filters to it, "
                     "so the event triggers it.")
    if isinstance(settings, dict):
        types = settings.get("types")
        types = [types] if isinstance(types, str) else types
        if activity and isinstance(types, list) and activity not in types:
            lines.append(f"Activity '{activity}' is not in `on.{event}.types` {_quote(types)}.")
            return False
        others = [str(k) for k in settings if k not in ("inputs", "types")]
        if others:
            lines.append(f"Not simulated: {', '.join(f'`{k}`' for k in others)} of `on.{event}`.")
    return True


def argument_problem(event: str, *, branch=None, tag=None, base=None, head=None) -> str | None:
    """Why these arguments do not describe one event, or None."""
    if event == "push":
        if branch is not None and tag is not None:
            return "a push is to a branch or of a tag: give --branch or --tag, not both"
        if branch is None and tag is None:
            return "--event push needs --branch BRANCH or --tag TAG"
        if base is not None or head is not None:
            return "--base/--head describe pull requests; for a push give --branch or --tag"
    elif event in PR_EVENTS:
        if branch is not None or tag is not None:
            return (f"--event {event} takes --base (the branch the pull request targets) and "
                    "--head (its source branch), not --branch/--tag")
        if base is None:
            return f"--event {event} needs --base BRANCH (the branch the pull request targets)"
    return None


def evaluate(workflow: Any, event: str, *, branch: str | None = None, tag: str | None = None,
             base: str | None = None, head: str | None = None, changed: Iterable[str] = (),
             activity: str | None = None, commits: int | None = None) -> Decision:
    """Would GitHub run ``workflow`` (a parsed mapping, a path, YAML text, or a file's bytes)
    for this event?

    A ``str`` is a path when it is one line ending in ``.yml``/``.yaml``, YAML text otherwise.
    ``branch``/``tag`` describe a push, ``base``/``head`` a pull request; ``changed`` lists the
    changed files (repository-relative, in diff order); ``activity`` is the pull request's
    activity type (default ``opened``); ``commits`` is how many commits a push brings (more
    than 1,000 and GitHub skips the path filter).

    Raises ValueError only for arguments that describe no event (see :func:`argument_problem`);
    whatever is wrong with the workflow itself becomes a ``Decision`` that explains it.
    """
    problem = argument_problem(event, branch=branch, tag=tag, base=base, head=head)
    if problem:
        raise ValueError(problem)
    branch, tag, base, head = _short(branch), _short(tag), _short(base), _short(head)
    changed = [str(f) for f in changed]
    data, problem = _load(workflow)
    if problem:
        return Decision(False, [problem])
    lines: list[str] = []
    try:
        events = _events(data)
        if event not in events:
            listed = ", ".join(f"'{e}'" for e in events) or "no event"
            typo = close_matches(event, list(events), n=1)
            hint = f" (is '{typo[0]}' a misspelling of '{event}'?)" if typo else ""
            return Decision(False, [f"The workflow's `on:` lists {listed}, not '{event}'{hint}, "
                                    f"so a {event} event does not trigger it."])
        settings = events[event]
        if event == "push":
            runs = _push(settings, branch, tag, changed, lines, commits)
        elif event in PR_EVENTS:
            runs = _pull_request(event, settings, base, head, changed, activity, lines)
        else:
            runs = _other(event, settings, activity, lines)
    except _Invalid as exc:
        return Decision(False, lines + [str(exc)])
    lines.append("So the workflow runs." if runs else "So the workflow does not run.")
    return Decision(runs, lines)


# -- the command line ---------------------------------------------------------------------------

def add_parser(subparsers) -> argparse.ArgumentParser:
    """Add ``trigger`` to an argparse subparsers object."""
    parser = subparsers.add_parser(
        "trigger", help="would a workflow run for an event? (simulates GitHub's on: filters)",
        description="Decide whether GitHub would run a workflow for one push, pull request or "
                    "other event, and explain why, following GitHub's documented filter rules.")
    parser.add_argument("file", metavar="FILE", help="the workflow file (.github/workflows/*.yml)")
    parser.add_argument("--event", required=True, choices=EVENTS, metavar="EVENT",
                        help="the event: push, pull_request, pull_request_target, "
                             "workflow_dispatch, schedule, ...")
    parser.add_argument("--branch", metavar="B", help="push: the branch pushed to (not with --tag)")
    parser.add_argument("--tag", metavar="T", help="push: the tag pushed (not with --branch)")
    parser.add_argument("--base", metavar="B",
                        help="pull_request*: the branch the PR targets (required)")
    parser.add_argument("--head", metavar="H", help="pull_request*: the PR's source branch")
    parser.add_argument("--changed", metavar="PATH", action="append", default=[],
                        help="a changed file, from the repository root (repeatable)")
    parser.add_argument("--activity", metavar="TYPE",
                        help="pull_request*: the activity type (default: opened)")
    add_commits_argument(parser)
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="output format (default: text)")
    return parser


def add_commits_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--commits", metavar="N", type=_count,
                        help="push: how many commits it brings (over 1,000, GitHub skips the "
                             "path filter)")


def _count(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"a number of commits, not {text!r}")
    return int(text)


def _read(path: Path) -> bytes:
    """The file's bytes; decoding is :func:`.context.decode`'s job, as for `checkers workflow`."""
    from .context import MAX_BYTES

    if not path.exists():
        raise OSError(f"{path}: no such file or directory")
    if not path.is_file():
        raise OSError(f"{path}: not a file")
    try:
        with open(path, "rb") as fh:
            return fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise OSError(f"{path}: cannot be read ({exc.strerror})") from None


def run(args) -> int:
    """Print the decision; 0 whenever it could decide, 2 for a bad file or bad arguments."""
    get = lambda name: getattr(args, name, None)  # noqa: E731
    problem = argument_problem(args.event, branch=get("branch"), tag=get("tag"),
                               base=get("base"), head=get("head"))
    try:
        if problem is None:
            text = _read(Path(args.file))
    except OSError as exc:
        problem = str(exc)
    if problem:
        print(f"checkers: error: {problem}", file=sys.stderr)
        return 2
    decision = evaluate(text, args.event, branch=get("branch"), tag=get("tag"), base=get("base"),
                        head=get("head"), changed=get("changed") or (), activity=get("activity"),
                        commits=get("commits"))
    if get("format") == "json":
        print(json.dumps(decision.to_dict()))
    else:
        print("runs: yes" if decision.runs else "runs: no")
        for line in decision.explanation:
            print(f"- {line}")
    return 0
