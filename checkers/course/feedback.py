"""Exercise feedback as findings, so that a self-check reads like the checker's own output."""
from __future__ import annotations

from ..findings import Finding, Result
from ..registry import LESSONS

COURSE_DOCS = "https://github.com/git-cicd-for-ml/course/blob/main/"


def lesson_url(lesson: str) -> str:
    module, _, section = lesson.partition("#")
    return COURSE_DOCS + LESSONS[module] + (f"#{section}" if section else "")


def problem(exercise: str, lesson: str, message: str, hint: str, *, path: str | None = None,
            line: int | None = None, severity: str = "error") -> Finding:
    return Finding(rule=exercise, severity=severity, path=path, line=line, column=None,
                   message=message, hint=hint, docs=lesson_url(lesson))


def result(findings: list[Finding], notes: list[str] | None = None) -> Result:
    return Result(findings=list(findings), notes=list(notes or []))
