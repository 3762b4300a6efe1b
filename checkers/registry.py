"""The rule registry: one rule, one function, registered once.

A rule is a function decorated with :func:`rule`. Its docstring is its documentation (the
generated ``docs/rules.md`` renders it); it yields :class:`Problem` objects, and the registry
stamps each with the rule's id, severity and documentation link, so a rule can never report
under the wrong name.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from . import links
from .findings import SEVERITIES, Finding
from .records import Record

LESSONS = {
    "01-git-hygiene": "notebooks/01-git-hygiene/01-git-hygiene.ipynb",
    "02-github-actions": "notebooks/02-github-actions/02-github-actions.ipynb",
    "03-environments": "notebooks/03-environments/03-environments.ipynb",
    "04-azure-ml-assets": "notebooks/04-azure-ml-assets/04-azure-ml-assets.ipynb",
}


class Problem(Record):
    """What a rule yields; the registry turns it into a :class:`Finding`. ``severity`` only to
    lower or raise one problem below or above the rule's default."""

    FIELDS = ("message", "hint", "path", "line", "column", "severity")

    def __init__(self, message: str, hint: str, path: str | None = None, line: int | None = None,
                 column: int | None = None, severity: str | None = None) -> None:
        self._set(message, hint, path, line, column, severity)


class Rule(Record):
    FIELDS = ("id", "severity", "scope", "lesson", "check", "needs_git")

    def __init__(self, id: str, severity: str, scope: str, lesson: str,
                 check: Callable[..., Iterable[Problem]], needs_git: bool = False) -> None:
        self._set(id, severity, scope, lesson, check, needs_git)

    @property
    def doc(self) -> str:
        import inspect  # only for documentation

        return inspect.cleandoc(self.check.__doc__ or "")

    @property
    def summary(self) -> str:
        return self.doc.splitlines()[0] if self.doc else self.id

    @property
    def docs_url(self) -> str:
        return f"{links.rules_url()}#{self.id}"

    @property
    def lesson_path(self) -> str:
        module, _, section = self.lesson.partition("#")
        return LESSONS[module] + (f"#{section}" if section else "")

    def finding(self, problem: Problem) -> Finding:
        return Finding(
            rule=self.id,
            severity=problem.severity or self.severity,
            path=problem.path,
            line=problem.line,
            column=problem.column,
            message=problem.message,
            hint=problem.hint,
            docs=self.docs_url,
        )

    def run(self, *args, **kwargs) -> Iterator[Finding]:
        for problem in self.check(*args, **kwargs):
            yield self.finding(problem)


REGISTRY: dict[str, Rule] = {}


def rule(id: str, *, severity: str, scope: str, lesson: str, needs_git: bool = False):
    """Register the decorated function as rule ``id``."""
    if severity not in SEVERITIES:
        raise ValueError(f"{id}: unknown severity {severity!r}")
    if lesson.partition("#")[0] not in LESSONS:
        raise ValueError(f"{id}: unknown lesson {lesson!r}")

    def register(func):
        if id in REGISTRY:
            raise ValueError(f"rule {id!r} registered twice")
        if not (func.__doc__ or "").strip():
            raise ValueError(f"rule {id!r} has no docstring")
        REGISTRY[id] = Rule(id, severity, scope, lesson, func, needs_git)
        return func

    return register


def all_rules(scope: str | None = None) -> list[Rule]:
    """Every registered rule (optionally of one scope), in a stable order."""
    from . import rules  # noqa: F401  (importing registers every rule)

    return [r for _, r in sorted(REGISTRY.items()) if scope is None or r.scope == scope]


def get_rule(rule_id: str) -> Rule:
    all_rules()
    return REGISTRY[rule_id]
