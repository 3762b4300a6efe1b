"""The workflow checker: GitHub Actions workflows for ML, judged the way GitHub runs them."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterable

from ..findings import Result
from ..registry import all_rules
from ..yamlload import YamlProblem
from .context import MAX_BYTES, PATTERNS, WorkflowContext, pattern_from_name

__all__ = ["check_workflows", "check_workflow_text", "WorkflowContext", "PATTERNS"]


class CheckError(Exception):
    """A workflow file cannot be checked at all (missing or unreadable)."""


def _read(path: Path, display: str, pattern: str | None) -> WorkflowContext:
    """The file as a context; a file that exists but is no workflow text is a finding, not an error."""
    if not path.exists():
        raise CheckError(f"{display}: no such file or directory")
    if not path.is_file():
        raise CheckError(f"{display}: not a file")
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise CheckError(f"{display}: cannot be read ({exc.strerror})") from None
    if len(data) > MAX_BYTES:
        return WorkflowContext(path, display, "", problem=YamlProblem(
            f"the file is larger than {MAX_BYTES // 1024 // 1024} MiB: not a workflow GitHub would "
            "read", 1, 1), pattern=pattern)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return WorkflowContext(path, display, "", problem=YamlProblem(
            "the file is not valid UTF-8 text, which GitHub requires of workflows", line,
            exc.start - data.rfind(b"\n", 0, exc.start)), pattern=pattern)
    return WorkflowContext.from_text(path, display, text, pattern)


def _run(contexts: list[WorkflowContext], select, ignore) -> list:
    rules = [r for r in all_rules("workflow")
             if (not select or r.id in set(select)) and r.id not in set(ignore)]
    batch = [r for r in rules if getattr(r.check, "batch", False)]
    findings = []
    # External tools (one process each for all the files) run in threads that mostly wait for
    # their process, so our own rules run on the other core meanwhile.
    with ThreadPoolExecutor(max_workers=max(1, len(batch))) as pool:
        pending = [pool.submit(lambda r=r: list(r.run(contexts))) for r in batch]
        for rule in rules:
            if rule not in batch:
                for ctx in contexts:
                    findings.extend(rule.run(ctx))
        for future in pending:
            findings.extend(future.result())
    return findings


def check_workflows(paths: Iterable[str | Path], *, pattern: str | None = None,
                    select: Iterable[str] | None = None, ignore: Iterable[str] = (),
                    root: str | Path | None = None) -> Result:
    """Check workflow files; ``pattern`` forces train-on-push/deploy-on-merge checks for all."""
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

    with tempfile.TemporaryDirectory(prefix="workflow-check-") as tmp:
        path = Path(tmp) / name
        path.write_text(text)
        ctx = WorkflowContext.from_text(path, name, text, pattern or pattern_from_name(path))
        return Result(findings=_run([ctx], select, ignore))
