"""Exercise feedback as findings, so that a self-check reads like the checker's own output."""
from __future__ import annotations

from ..findings import Finding, Result
from ..links import web_url
from ..registry import LESSONS


def lesson_url(lesson: str) -> str:
    module, _, section = lesson.partition("#")
    return web_url(LESSONS[module]) + (f"#{section}" if section else "")


def problem(exercise: str, lesson: str, message: str, hint: str, *, path: str | None = None,
            line: int | None = None, severity: str = "error") -> Finding:
    return Finding(rule=exercise, severity=severity, path=path, line=line, column=None,
                   message=message, hint=hint, docs=lesson_url(lesson))


def result(findings: list[Finding], notes: list[str] | None = None) -> Result:
    return Result(findings=list(findings), notes=list(notes or []))
