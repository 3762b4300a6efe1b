"""workflow-if-event-unlisted: an ``if:`` that asks for an event the workflow never runs on."""
from __future__ import annotations

from ..registry import Problem, rule
from ..yamlnodes import CommentedMap
from .context import WorkflowContext
from .severity import triggers

LESSON = "02-github-actions"
# Every context an `if:` may read; only github.event_name is known here, the rest is run time.
CONTEXTS = ("env", "vars", "job", "jobs", "steps", "runner", "secrets", "strategy", "matrix",
            "needs", "inputs")


def _condition(raw) -> str | None:
    """The expression of an ``if:`` on the event, or None (other conditions, or text around a
    ``${{ }}``, which is a string and always true)."""
    if not isinstance(raw, str) or "event_name" not in raw:
        return None
    # imported only for a condition on the event: most workflows have none, and the
    # expression engine is a large module for a command that must start fast
    from . import expressions as ex

    text = raw.strip()
    if "${{" in text and not ex.is_single_expression(text):
        return None
    return ex.condition_expression(text)


def never_true(condition: str, events: list[str]) -> bool:
    """True when the condition is false for every event (unknowns are never guessed)."""
    from . import expressions as ex

    status = ex.unknown_status()
    try:
        tree = ex.parse(condition)
    except ex.ExpressionError:
        return False  # a syntax error is workflow-syntax's to report
    contexts = {name: ex.Context(name) for name in CONTEXTS}
    # first with the event unknown: a condition false whatever the event (`if: false && ...`,
    # a job switched off on purpose) does not ask for a missing event
    for event in (None, *events):
        contexts["github"] = ex.Context("github", {"event_name": event} if event else {})
        try:
            value = ex.evaluate(tree, ex.Scope(contexts, status, place="if"))
        except ex.ExpressionError:
            return False
        false = ex.truthy(value) is False
        if false if event is None else not false:
            return False
    return True


def _places(ctx: WorkflowContext):
    for job_id, job in ctx.jobs.items():
        if not isinstance(job, CommentedMap):
            continue
        yield f"job `{job_id}`", job
        for index, step in ctx.steps(job):
            name = step.get("name") or step.get("id") or step.get("uses") or f"#{index + 1}"
            yield f"step `{name}` of job `{job_id}`", step


@rule("workflow-if-event-unlisted", severity="error", scope="workflow", lesson=f"{LESSON}#jobs")
def workflow_if_event_unlisted(ctx: WorkflowContext):
    """An ``if:`` compares ``github.event_name`` with events the workflow's ``on:`` never lists.

    ``github.event_name`` is the event that started this run, so it is always one of the events
    under ``on:``. A job or step with ``if: github.event_name == 'schedule'`` in a workflow that
    lists only ``push`` and ``pull_request`` never runs: GitHub accepts the file and silently
    skips it. The condition is evaluated for every listed event, with everything else unknown;
    it is reported only when it is false for all of them, and could be true for some other
    event (``if: false && github.event_name == 'schedule'`` is a job switched off on purpose). A ``workflow_call`` workflow is not
    checked (its ``github.event_name`` is the caller's event). Add the event to ``on:``::

        on:
          push:
          schedule:
            - cron: "0 3 * * 1"
        jobs:
          retrain:
            if: github.event_name == 'schedule'
    """
    if not ctx.ok:
        return
    events = sorted(triggers(ctx.data))
    if not events or "workflow_call" in events:
        return
    for what, node in _places(ctx):
        condition = _condition(node.get("if"))
        if condition is None or not never_true(condition, events):
            continue
        line, col = ctx.pos(node, "if", value=True)
        listed = ", ".join(f"`{e}`" for e in events)
        yield Problem(f"{what} never runs: its `if:` is false for every event the workflow runs "
                      f"on ({listed}), since `github.event_name` is always one of them",
                      "add the event the condition asks for to `on:`, or remove the condition",
                      path=ctx.display, line=line, column=col)
