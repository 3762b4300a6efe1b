"""The repository checker: Git hygiene and layout of an ML project (``checkers repo PATH``)."""
from __future__ import annotations

import os
from pathlib import Path

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from collections.abc import Iterable

    from ..findings import Result
    from .context import RepoContext

__all__ = ["check_repo", "RepoContext"]

# Imported on first use: the workflow checker imports this package's secret scanner
# (checkers.repo.secretscan), which must not pay for the repository checker's context (it
# imports dataclasses, tomllib and the git helpers) or for every rule's registry.
_LAZY = {"RepoContext": ".context", "ConfigError": ".config", "normalise": ".config",
         "read_excludes": ".config", "Result": "..findings", "all_rules": "..registry"}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        module = importlib.import_module(_LAZY[name], __name__)
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


LAYOUTS = ("roles", "course")


class CheckError(Exception):
    """The input cannot be checked at all (missing or unreadable path)."""


def check_repo(path: str | Path, *, select: Iterable[str] | None = None,
               ignore: Iterable[str] = (), history: bool = True,
               max_blob_size: int = 5 * 1024 * 1024, exclude: Iterable[str] = (),
               layout: str = "course", history_revs: Iterable[str] = ()) -> Result:
    """Run the repository rules on ``path`` (a git work tree or a plain folder).

    ``exclude``: path patterns to leave out, added to ``[tool.checkers] exclude`` of the
    folder's ``pyproject.toml`` (see :mod:`checkers.repo.config`). ``layout``: ``"course"``
    (repo-layout requires the course's documented file names, as its exercises do) or
    ``"roles"`` (the parts of the layout, whatever their names: the command line's default).
    ``history_revs``: scan only the history reachable from these revisions (branch or tag names,
    commit ids, ``HEAD``) instead of every ref and every stash entry.
    """
    from ..findings import Result
    from ..registry import all_rules
    from .config import ConfigError, normalise, read_excludes
    from .context import RepoContext

    if layout not in LAYOUTS:
        raise CheckError(f"unknown layout {layout!r} (choose from {', '.join(LAYOUTS)})")
    root = Path(path)
    if not root.exists():
        raise CheckError(f"{path}: no such file or directory")
    if not root.is_dir():
        raise CheckError(f"{path}: not a directory")
    try:
        next(root.iterdir(), None)
    except OSError as exc:
        raise CheckError(f"{path}: cannot be read ({exc.strerror})") from None
    try:
        configured, note = read_excludes(root)
    except ConfigError as exc:
        raise CheckError(f"{root / 'pyproject.toml'}: {str(exc).split(': ', 1)[1]}") from None
    patterns = tuple(normalise(p) for p in (*configured, *exclude) if normalise(p))
    ctx = RepoContext(root=root.resolve(), history=history, max_blob_size=max_blob_size,
                      exclude=patterns, layout=layout)
    history_revs = tuple(history_revs)  # (named again in the bare repository's note)
    ctx.history_revs = _resolve_revs(ctx, path, history_revs, history)
    if note:
        ctx.notes.append(note)
    ignored = set(ignore)
    rules = [r for r in all_rules("repo") if r.id not in ignored]
    if not ctx.is_git:
        ctx.skipped = [r.id for r in rules if r.needs_git]
        rules = [r for r in rules if not r.needs_git]
    elif ctx.is_bare:
        rules = [r for r in rules if r.id.startswith("history-")]
        ctx.notes.append("this is a bare repository: only its history was checked ("
                         + ("the history of " + ", ".join(history_revs) if ctx.history_revs
                            else "every branch, tag and stash")
                         + "); check a clone for the work-tree rules")
    if select:
        rules = [r for r in rules if r.id in set(select)]
    if "workflow-plaintext-secret" not in ignored and (not select or "workflow-plaintext-secret" in select):
        from .secrets_rule import WORKFLOW_SECRETS_JUDGED

        ctx.cache[WORKFLOW_SECRETS_JUDGED] = True  # secret-in-file leaves the workflows to it
    findings = [finding for rule in rules for finding in rule.run(ctx)]
    findings.extend(_workflow_findings(ctx, select, ignored))
    if patterns:
        findings = [f for f in findings if not f.path or not ctx.excluded(f.path)]
    if history and ctx.is_git and ctx.git("rev-parse", "--is-shallow-repository",
                                          check=False).strip() == b"true":
        ctx.notes.append("this is a shallow clone: only the fetched commits were checked (in "
                         "GitHub Actions, use actions/checkout with `fetch-depth: 0`)")
    if not history and ctx.is_git:
        ctx.notes.append("the history was not scanned (--no-history): old commits may still "
                         "hold models, data or secrets")
    return Result(findings=findings, root=str(path), notes=ctx.notes)


def _resolve_revs(ctx, path, revs: tuple[str, ...], history: bool) -> tuple[str, ...]:
    """The commit ids of ``--history-rev`` revisions, or a CheckError naming the one that fails."""
    if not revs:
        return ()
    if not history:
        raise CheckError("--history-rev and --no-history exclude each other")
    if not ctx.is_git:
        raise CheckError(f"{path}: not a git repository (--history-rev names its commits)")
    ids = []
    for rev in revs:
        out = b"" if rev.startswith("-") else ctx.git(
            "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}", check=False).strip()
        if not out:
            raise CheckError(f"--history-rev {rev}: not a commit of {path}")
        ids.append(out.decode("ascii"))
    return tuple(ids)


def _workflow_findings(ctx: RepoContext, select, ignored) -> list:
    """The workflow checker on every workflow of the project (as GitHub would find them)."""
    from ..registry import all_rules
    from ..workflow import CheckError, check_workflows

    wanted = [e.path for e in ctx.entries if e.mode != "120000"
              and e.path.startswith(".github/workflows/") and e.path.count("/") == 2
              and e.path.endswith((".yml", ".yaml"))]
    if not wanted or (select and not any(r.id in set(select) for r in all_rules("workflow"))):
        return []
    # one unreadable file must not hide the findings of the others
    existing = []
    for path in wanted:
        try:
            if (ctx.root / path).is_file() and os.access(ctx.root / path, os.R_OK):
                existing.append(ctx.root / path)
        except OSError:
            continue
    try:
        return check_workflows(existing, root=ctx.root, select=select, ignore=ignored).findings
    except CheckError:
        return []
