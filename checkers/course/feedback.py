"""Exercise feedback as findings, so that a self-check reads like the checker's own output."""
from __future__ import annotations

from ..findings import Finding, Result
from ..links import web_url
from ..registry import LESSONS


def lesson_url(lesson: str) -> str:
    module, _, section = lesson.partition("#")
    return web_url(LESSONS[module]) + (f"#{section}" if section else "")


# A hint is a ladder: its first step gives the principle and the first thing to do; each later
# step, on a line starting with LADDER_STEP, says more. The self-check shows one more step on
# each new attempt that fails the same way (checkers.course.selfcheck); the CLI shows them all.
LADDER_STEP = "\n» "


def ladder(first: str, more: list[str] | tuple[str, ...] = ()) -> str:
    return LADDER_STEP.join([first, *more])


def ladder_steps(hint: str) -> list[str]:
    return hint.split(LADDER_STEP)


def problem(exercise: str, lesson: str, message: str, hint: str, *, path: str | None = None,
            line: int | None = None, severity: str = "error",
            more: list[str] | tuple[str, ...] = ()) -> Finding:
    return Finding(rule=exercise, severity=severity, path=path, line=line, column=None,
                   message=message, hint=ladder(hint, more), docs=lesson_url(lesson))


def result(findings: list[Finding], notes: list[str] | None = None) -> Result:
    return Result(findings=list(findings), notes=list(notes or []))
