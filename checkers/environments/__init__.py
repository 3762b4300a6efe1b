"""GitHub environments as code: ``checkers environments``, ``checkers promote``, ``checkers oidc``.

* :func:`check_environments` checks ``.github/settings.yml`` against GitHub's documented limits
  and the promotion pattern (and, given workflows, that every environment they use is declared);
* :func:`checkers.environments.promote.plan` simulates a merge to ``main``: the stages in run
  order with their gates and secrets; :func:`checkers.environments.promote.draw` pictures it;
* :func:`checkers.environments.oidc.subjects` predicts each job's OIDC ``sub`` claim and matches
  it against Entra federated credentials.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

from ..findings import Result
from ..registry import all_rules, get_rule
from .rules import PLAN_NOTE
from .settings import Settings, SettingsError, read_text

__all__ = ["check_environments", "check_settings_text", "Settings", "SettingsError", "RULES"]

RULES = ("environments-format", "environments-limits", "environments-production-approval",
         "environments-production-branches", "environments-staging-automatic",
         "environments-solo-reviewer")
UNDECLARED = "environment-undeclared"


def _selected(select, ignore) -> list:
    all_rules()
    ids = [*RULES, UNDECLARED]
    return [get_rule(r) for r in ids if (not select or r in set(select)) and r not in set(ignore)]


def _run(settings: Settings, workflows: Iterable[str | Path], select, ignore) -> Result:
    from ..workflow.context import WorkflowContext

    findings = []
    rules = _selected(select, ignore)
    for r in rules:
        if r.id != UNDECLARED:
            findings.extend(r.run(settings))
    undeclared = [r for r in rules if r.id == UNDECLARED]
    for i, source in enumerate(workflows):
        if isinstance(source, str) and "\n" in source:  # YAML text, e.g. a learner's answer
            name = "workflow.yml" if i == 0 else f"workflow-{i + 1}.yml"
            ctx = WorkflowContext.from_text(Path(name), name, source)
        else:
            ctx = WorkflowContext.from_text(Path(source), str(source), read_text(Path(source)))
        ctx.cache["settings"] = settings
        for r in undeclared:
            findings.extend(r.run(ctx))
    if any(env.reviewers or env.wait_minutes for env in settings.environments):
        settings.notes.append(PLAN_NOTE)
    return Result(findings=findings, notes=settings.notes)


def check_environments(settings: str | Path, *, workflows: Iterable[str | Path] = (),
                       select: Iterable[str] | None = None, ignore: Iterable[str] = ()) -> Result:
    """Check a settings file (``.github/settings.yml``); with ``workflows``, also that every
    environment they use is declared. Raises :class:`SettingsError` for a file that cannot be
    read at all (missing, a folder, binary)."""
    return _run(Settings.from_path(settings), workflows, select, ignore)


def check_settings_text(text: str, *, name: str = ".github/settings.yml",
                        workflows: Iterable[str | Path] = (), select: Iterable[str] | None = None,
                        ignore: Iterable[str] = ()) -> Result:
    """Check settings YAML given as text (a learner's answer in a notebook); ``workflows`` may
    be paths or YAML texts."""
    return _run(Settings.from_text(text, name), workflows, select, ignore)
