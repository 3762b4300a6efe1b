"""The workflow checker: GitHub Actions workflows for ML, judged the way GitHub runs them."""
from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up

# Nothing heavy at import: `checkers trigger`'s argument parser imports this package, and the
# command line starts zizmor before it loads YAML parsers and rules (see checkers.tools).
if TYPE_CHECKING:
    from .context import WorkflowContext

__all__ = ["check_workflows", "check_workflow_text", "workflow_rules", "WorkflowContext",
           "PATTERNS"]


def __getattr__(name: str):
    if name in ("WorkflowContext", "PATTERNS"):
        from . import context

        return getattr(context, name)
    raise AttributeError(f"module 'checkers.workflow' has no attribute {name!r}")


def workflow_rules() -> list:
    """The workflow rules, registered by importing their modules (general.py imports the ones
    checkers/rules.py does not list), without the repository checker's rules."""
    from ..registry import REGISTRY
    # deploy too: without it a fresh process (`checkers workflow`, a notebook's self-check)
    # ran no deploy-on-merge rule, and an ungated production deploy passed
    from . import deploy, external, general, schema, train  # noqa: F401

    return [r for _, r in sorted(REGISTRY.items()) if r.scope == "workflow"]


class CheckError(Exception):
    """A workflow file cannot be checked at all (missing or unreadable)."""


def _read(path: Path, display: str, pattern: str | None) -> WorkflowContext:
    """The file as a context; a file that exists but is no workflow text is a finding, not an error."""
    from .context import MAX_BYTES, WorkflowContext, decode

    if not path.exists():
        raise CheckError(f"{display}: no such file or directory")
    if not path.is_file():
        raise CheckError(f"{display}: not a file")
    try:
        with open(path, "rb") as fh:
            data = _head(fh, MAX_BYTES + 1)
    except OSError as exc:
        raise CheckError(f"{display}: cannot be read ({exc.strerror})") from None
    text, problem = decode(data)
    if problem:
        return WorkflowContext(path, display, "", problem=problem, pattern=pattern)
    return WorkflowContext.from_text(path, display, text, pattern)


def _head(fh, limit: int) -> bytes:
    """``fh.read(limit)``, in pieces: a single read allocates ``limit`` bytes first (2 MiB, a
    millisecond for every ten workflows), where workflows are a few kilobytes."""
    chunks, size = [], 0
    while size < limit:
        chunk = fh.read(min(65536, limit - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _run(contexts: list[WorkflowContext], select, ignore) -> list:
    rules = [r for r in workflow_rules()
             if (not select or r.id in set(select)) and r.id not in set(ignore)]
    actions = [c for c in contexts if c.is_action]
    if actions:  # named on the command line (a recursive glob of .github/workflows/): a note each
        workflows = [c for c in contexts if not c.is_action]
        notes = [f for r in rules if r.id == "workflow-syntax" for c in actions for f in r.run(c)]
        return (_run(workflows, select, ignore) if workflows else []) + notes
    batch = [r for r in rules if getattr(r.check, "batch", False)]
    found: dict[str, list] = {}
    # External tools (one process each for all the files) run in threads that mostly wait for
    # their process, so our own rules run on the other core meanwhile. (Plain threads: the
    # concurrent.futures module imports logging, a tenth of the whole start-up.)
    def collect(rule):
        try:
            found[rule.id] = list(rule.run(contexts))
        except BaseException as exc:  # noqa: BLE001 - re-raised in the calling thread
            found[rule.id] = exc

    threads = [threading.Thread(target=collect, args=(r,)) for r in batch]
    for thread in threads:
        thread.start()
    findings = []
    for rule in rules:
        if rule not in batch:
            for ctx in contexts:
                findings.extend(rule.run(ctx))
    if threads:
        # What the zizmor policy and the output will need, loaded while zizmor still runs:
        # after it exits, every millisecond is on the critical path
        import shlex  # noqa: F401 - zizmor_policy._numbers_only
        from .. import reporters  # noqa: F401
    for thread in threads:
        thread.join()
    for rule in batch:
        if isinstance(found[rule.id], BaseException):
            raise found[rule.id]
        findings.extend(found[rule.id])
    # No finding twice: two rules (or one rule on an aliased node) saying the same thing at the
    # same place is one problem.
    unique = {}
    for finding in findings:
        unique.setdefault((finding.rule, finding.path, finding.line, finding.column,
                           finding.message), finding)
    return list(unique.values())


def check_workflows(paths: Iterable[str | Path], *, pattern: str | None = None,
                    select: Iterable[str] | None = None, ignore: Iterable[str] = (),
                    root: str | Path | None = None) -> Result:
    """Check workflow files; ``pattern`` forces train-on-push/deploy-on-merge checks for all."""
    from ..findings import Result
    from .context import pattern_from_name

    contexts = []
    for raw in paths:
        path = Path(raw)
        display = str(path.relative_to(root)) if root else str(raw)
        contexts.append(_read(path, display, pattern or pattern_from_name(path)))
    return Result(findings=_run(contexts, select, ignore))


def check_workflow_text(text: str, *, name: str = "workflow.yml", pattern: str | None = None,
                        select: Iterable[str] | None = None, ignore: Iterable[str] = ()) -> Result:
    """Check YAML text (a learner's answer in a notebook) as if it were ``.github/workflows/NAME``."""
    import tempfile

    from ..findings import Result
    from .context import WorkflowContext, pattern_from_name

    with tempfile.TemporaryDirectory(prefix="workflow-check-") as tmp:
        path = Path(tmp) / name
        path.write_text(text)
        ctx = WorkflowContext.from_text(path, name, text, pattern or pattern_from_name(path))
        return Result(findings=_run([ctx], select, ignore))
