"""``checkers plan``: what GitHub would run for one event, without GitHub (``act -n``, offline).

For a push (or pull request, or manual run) it answers, in order:

1. whether the workflow runs at all: the trigger simulator's answer and its reasons
   (:mod:`.trigger`);
2. the jobs in the order GitHub starts them: by ``needs`` level, then file order. A job's ``if:``
   is evaluated where the event decides it; without a status function it means
   ``success() && (...)``, and no ``if:`` means ``success()``. The plan describes the run in
   which every job and step that starts succeeds (so ``failure()`` is false), and says so;
3. one entry for each matrix combination, expanded with GitHub's documented ``include``/
   ``exclude`` rules;
4. each step: its name, its ``uses:`` or its ``run:`` script with every ``${{ }}`` resolved for
   this event, and the ``env:`` it sees (workflow, job and step levels merged).

Nothing is guessed: step and job outputs, ``hashFiles``, the runner, variables and inputs
nobody gave keep their ``${{ }}`` text; an ``if:`` that depends on them gives status
``unknown``. Secrets show as ``***``, as in GitHub's logs.
"""
from __future__ import annotations

import argparse
import itertools
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import expressions as ex
from .trigger import (EVENTS, PR_EVENTS, _load, _read, _short, add_commits_argument,
                      argument_problem, evaluate)

MAX_COMBINATIONS = 256  # GitHub's limit of jobs per matrix
MAX_TRIED = 100_000  # combinations looked at before exclusions, so a huge product cannot hang us
ASSUMPTION = "this plan assumes every job and step that starts succeeds"
# github.* properties GitHub documents; the ones the event does not tell us are unknown, any
# other name is null, as on GitHub.
GITHUB_PROPERTIES = (
    "action", "action_path", "action_ref", "action_repository", "action_status", "actor",
    "actor_id", "api_url", "base_ref", "env", "event", "event_name", "event_path", "graphql_url",
    "head_ref", "job", "path", "ref", "ref_name", "ref_protected", "ref_type", "repository",
    "repository_id", "repository_owner", "repository_owner_id", "repositoryUrl",
    "retention_days", "run_id", "run_number", "run_attempt", "secret_source", "server_url",
    "sha", "token", "triggering_actor", "workflow", "workflow_ref", "workflow_sha", "workspace",
)
# The webhook payload's top-level keys ("Webhook events and payloads"): the event does not tell
# us their values (unknown), but any other key is null, as in the real payload.
_COMMON = ("enterprise", "installation", "organization", "repository", "sender")
PAYLOAD_KEYS = {
    "push": _COMMON + ("after", "base_ref", "before", "commits", "compare", "created", "deleted",
                       "forced", "head_commit", "pusher", "ref"),
    "pull_request": _COMMON + ("action", "assignee", "changes", "label", "number",
                               "pull_request", "reason", "requested_reviewer",
                               "requested_team"),
    "workflow_dispatch": _COMMON + ("inputs", "ref", "workflow"),
}
_REPO = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}")


class PlanError(ValueError):
    """Arguments that describe no event GitHub would accept (the CLI exits 2)."""


@dataclass
class StepPlan:
    name: str
    kind: str                    # "run" or "uses"
    body: str                    # the resolved script, or the action reference
    env: dict[str, str]
    status: str = "runs"         # "runs", "skipped" or "unknown"
    reason: str = ""
    condition: str | None = None
    posix_shell: bool = True     # bash/sh: the text form may show the script with env filled in

    def to_dict(self) -> dict:
        return {"name": self.name, self.kind: self.body, "env": dict(self.env)}


@dataclass
class JobPlan:
    id: str
    name: str
    needs: list[str]
    condition: str
    status: str
    reason: str
    matrix: dict | None = None
    steps: list[StepPlan] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"id": self.id, "needs": list(self.needs), "if": self.condition,
                "status": self.status, "reason": self.reason, "matrix": self.matrix,
                "steps": [s.to_dict() for s in self.steps if s.status != "skipped"]}


@dataclass
class Plan:
    runs: bool
    why: list[str]
    jobs: list[JobPlan] = field(default_factory=list)
    event: str = ""
    title: str = ""

    def to_dict(self) -> dict:
        """The JSON form: ``{"runs", "why", "jobs": [...]}``."""
        return {"runs": self.runs, "why": list(self.why), "jobs": [j.to_dict() for j in self.jobs]}

    def job(self, job_id: str) -> JobPlan:
        """The (first) entry of one job."""
        for job in self.jobs:
            if job.id == job_id:
                return job
        raise KeyError(job_id)

    def text(self) -> str:
        return render_text(self)

    def __str__(self) -> str:
        return self.text()

    def _repr_pretty_(self, printer, cycle) -> None:  # IPython / Jupyter show the text form
        printer.text(self.text())


# -- the event's contexts -------------------------------------------------------------------------

@dataclass
class Event:
    name: str
    branch: str | None = None
    tag: str | None = None
    base: str | None = None
    head: str | None = None
    sha: str | None = None
    repo: str | None = None
    run_number: int | None = None
    activity: str | None = None
    inputs: dict[str, str] = field(default_factory=dict)
    variables: dict[str, str] = field(default_factory=dict)


def _github(event: Event, workflow_name: str | None) -> ex.Context:
    known: dict[str, Any] = {"event_name": event.name, "server_url": "https://github.com",
                             "api_url": "https://api.github.com",
                             "graphql_url": "https://api.github.com/graphql",
                             "token": ex.Unknown("github.token", truthy=True, display="***")}
    payload: dict[str, Any] = {}
    if event.sha:
        known["sha"] = event.sha
    if event.name in PR_EVENTS:
        known["head_ref"] = event.head if event.head is not None else ex.Unknown("github.head_ref")
        known["base_ref"] = event.base
        payload["action"] = event.activity or "opened"
        pr: dict[str, Any] = {"base": ex.Context("github.event.pull_request.base",
                                                 {"ref": event.base})}
        if event.head is not None:
            pr["head"] = ex.Context("github.event.pull_request.head", {"ref": event.head})
        payload["pull_request"] = ex.Context("github.event.pull_request", pr)
        if event.name == "pull_request_target":  # runs in the base branch's context
            known.update(ref=f"refs/heads/{event.base}", ref_name=event.base, ref_type="branch")
    else:
        known["head_ref"] = known["base_ref"] = ""  # only pull request events set them
        ref = (f"refs/tags/{event.tag}" if event.tag is not None else
               f"refs/heads/{event.branch}" if event.branch is not None else None)
        if ref:
            known.update(ref=ref, ref_name=event.tag if event.tag is not None else event.branch,
                         ref_type="tag" if event.tag is not None else "branch")
            payload["ref"] = ref
        if event.name == "push" and event.sha:
            payload["after"] = event.sha
    if event.repo:
        owner, name = event.repo.split("/", 1)
        known.update(repository=event.repo, repository_owner=owner)
        payload["repository"] = ex.Context("github.event.repository", {
            "full_name": event.repo, "name": name,
            "owner": ex.Context("github.event.repository.owner", {"login": owner})})
    if event.run_number is not None:
        known["run_number"] = str(event.run_number)
    if workflow_name:
        known["workflow"] = workflow_name
    if event.name == "workflow_dispatch":
        payload["inputs"] = {k: ex.to_string(v) for k, v in event.inputs.items()}
    keys = PAYLOAD_KEYS.get("pull_request" if event.name in PR_EVENTS else event.name)
    known["event"] = ex.Context("github.event", payload, unknown=keys if keys else True)
    missing = [p for p in GITHUB_PROPERTIES if p not in known]
    return ex.Context("github", known, unknown=missing)


def _dispatch_inputs(settings: Any, given: dict[str, str]) -> dict[str, Any]:
    """workflow_dispatch inputs, typed as the ``inputs`` context has them; PlanError for a
    dispatch GitHub would refuse (unknown, missing required, wrong type or choice)."""
    declared = settings.get("inputs") if isinstance(settings, dict) else None
    declared = declared if isinstance(declared, dict) else {}
    names = {str(k).lower(): str(k) for k in declared}
    unexpected = [k for k in given if k.lower() not in names]
    if unexpected:
        listed = ", ".join(declared) or "none"
        raise PlanError(f"GitHub refuses this run: unexpected input(s) {', '.join(unexpected)} "
                        f"(the workflow declares: {listed})")
    given = {names[k.lower()]: v for k, v in given.items()}
    values: dict[str, Any] = {}
    for name, spec in declared.items():
        spec = spec if isinstance(spec, dict) else {}
        kind = str(spec.get("type", "string"))
        if name in given:
            raw: Any = given[name]
        elif "default" in spec and spec["default"] is not None:
            raw = spec["default"]
        elif spec.get("required") is True:
            raise PlanError(f"GitHub refuses this run: input '{name}' is required (give --input "
                            f"{name}=VALUE)")
        else:
            raw = False if kind == "boolean" else ""
        if kind == "boolean":
            text = ex.to_string(raw).lower()
            if text not in ("true", "false"):
                raise PlanError(f"input '{name}' is a boolean: give true or false, not {raw!r}")
            values[name] = text == "true"
        elif kind == "number" and raw != "":
            number = ex.to_number(raw)
            if number != number:
                raise PlanError(f"input '{name}' is a number, not {raw!r}")
            values[name] = number
        elif kind == "choice" and name in given:
            options = [ex.to_string(o) for o in spec.get("options") or []]
            if ex.to_string(raw) not in options:
                raise PlanError(f"input '{name}' must be one of {', '.join(options)}, not {raw!r}")
            values[name] = ex.to_string(raw)
        else:
            values[name] = raw if isinstance(raw, (bool, int, float)) else ex.to_string(raw)
    return values


# -- small helpers --------------------------------------------------------------------------------

def _as_list(value: Any) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _scalar_text(value: Any) -> str:
    """A YAML scalar as the string GitHub reads (``true`` -> 'true', ``3.10`` -> '3.1')."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return ex.number_to_string(value)
    return str(value)


def _condition_text(raw: Any) -> str:
    return ex.condition_expression(raw) if isinstance(raw, str) else _scalar_text(raw)


def _unknown_names(value: Any) -> str:
    return f"`{value.what}`" if isinstance(value, ex.Unknown) else "a value known only at run time"


def _evaluate_condition(raw: Any, scope: ex.Scope) -> tuple[Any, Any, bool]:
    """(value of the status part, value of the written part, whether the default success()
    applies). A condition written as text around ``${{ }}`` is a string: true when not empty."""
    if raw is None:
        return ex.evaluate("success()", scope), True, True
    if isinstance(raw, str) and "${{" in raw and not ex.is_single_expression(raw):
        text, unknowns = ex.render(raw, scope)
        value = ex.Unknown(raw.strip(), truthy=True) if unknowns and text.strip() else text
        return ex.evaluate("success()", scope), value, True
    tree = ex.parse(_condition_text(raw)) if isinstance(raw, str) else ("lit", raw)
    if ex.uses_status_function(tree):
        return True, ex.evaluate(tree, scope), False
    return ex.evaluate("success()", scope), ex.evaluate(tree, scope), True


def _combine(status_part: Any, written: Any) -> bool | None:
    a, b = ex.truthy(status_part), ex.truthy(written)
    if a is False or b is False:
        return False
    if a is None or b is None:
        return None
    return True


def _env(raw: Any, scope: ex.Scope, into: dict[str, str]) -> None:
    if raw is None:
        return
    if not isinstance(raw, dict):
        value = ex.value_of(raw, scope)
        if isinstance(value, dict):
            for k, v in value.items():
                into[str(k)] = "${{ ... }}" if isinstance(v, ex.Unknown) else ex.to_string(v)
        else:  # the names themselves are known only at run time
            into[_scalar_text(raw).strip()] = "(a whole `env:` from an expression: its names " \
                                              "and values are known only at run time)"
        return
    for key, value in raw.items():
        if isinstance(value, str):
            into[str(key)] = ex.render(value, scope)[0]
        else:
            into[str(key)] = _scalar_text(value)


# -- matrix ---------------------------------------------------------------------------------------

def expand_matrix(matrix: dict) -> list[dict]:
    """Every combination of a (fully known) matrix, in GitHub's order, with its documented
    rules: the product of the vectors (first key outermost), minus ``exclude`` entries (partial
    matches count; applied before ``include``), then each ``include`` entry added to every
    original combination none of whose original values it would overwrite, or appended as a new
    combination when it fits none. Raises ValueError for what GitHub refuses."""
    keys = [k for k in matrix if k not in ("include", "exclude")]
    vectors = []
    for key in keys:
        values = matrix[key]
        if not isinstance(values, list):
            raise ValueError(f"matrix vector '{key}' must be a list of values")
        if not values:
            raise ValueError(f"matrix vector '{key}' does not contain any values")
        vectors.append(values)
    excludes = _as_list(matrix.get("exclude"))
    if not all(isinstance(entry, dict) for entry in excludes):
        raise ValueError("each matrix `exclude` entry must be a mapping")
    combos: list[dict] = []
    for tried, values in enumerate(itertools.product(*vectors) if keys else ()):
        if tried >= MAX_TRIED or len(combos) > MAX_COMBINATIONS:
            raise ValueError(f"the matrix has more than {MAX_COMBINATIONS} combinations; GitHub "
                             f"allows at most {MAX_COMBINATIONS} jobs per matrix")
        combo = dict(zip(keys, values))
        if not any(all(k in combo and combo[k] == v for k, v in entry.items())
                   for entry in excludes):
            combos.append(combo)
    originals = [dict(c) for c in combos]
    added: list[dict] = []
    for entry in _as_list(matrix.get("include")):
        if not isinstance(entry, dict):
            raise ValueError("each matrix `include` entry must be a mapping")
        fits = False
        for original, combo in zip(originals, combos):
            if all(original[k] == v for k, v in entry.items() if k in original):
                combo.update({k: v for k, v in entry.items() if k not in original})
                fits = True
        if not fits:
            added.append(dict(entry))
    result = combos + added
    if len(result) > MAX_COMBINATIONS:
        raise ValueError(f"the matrix has {len(result)} combinations; GitHub allows at most "
                         f"{MAX_COMBINATIONS} jobs per matrix")
    return result


# -- the jobs -------------------------------------------------------------------------------------

def _order(jobs: dict) -> tuple[list[str], dict[str, list[str]], str | None]:
    """Job ids by needs level then file order, each job's needs, or why GitHub refuses them."""
    needs = {}
    for job_id, job in jobs.items():
        raw = job.get("needs") if isinstance(job, dict) else None
        needs[str(job_id)] = [str(n) for n in _as_list(raw)]
    for job_id, wanted in needs.items():
        for n in wanted:
            if n not in needs:
                return [], needs, (f"The workflow is invalid: job '{job_id}' needs '{n}', which "
                                   "is not a job of this workflow; GitHub refuses the workflow, "
                                   "so it never runs.")
    level: dict[str, int] = {}
    waiting = {job_id: set(wanted) for job_id, wanted in needs.items()}
    while waiting:  # level by level (Kahn), so a long chain of jobs needs no deep recursion
        ready = [j for j, wanted in waiting.items() if wanted <= level.keys()]
        if not ready:
            stuck = next(iter(waiting))
            return [], needs, (f"The workflow is invalid: the `needs` of job '{stuck}' form a "
                               "cycle; GitHub refuses the workflow, so it never runs.")
        for job_id in ready:
            level[job_id] = 1 + max((level[n] for n in needs[job_id]), default=-1)
            del waiting[job_id]
    index = {job_id: i for i, job_id in enumerate(needs)}
    return sorted(needs, key=lambda j: (level[j], index[j])), needs, None


def _needs_context(wanted: list[str], status: dict[str, str]) -> dict:
    context = {}
    for n in wanted:
        result: Any = {"runs": "success", "skipped": "skipped", "fails": "failure"}.get(status[n])
        context[n] = ex.Context(f"needs.{n}", {
            "result": result if result else ex.Unknown(f"needs.{n}.result"),
            "outputs": ex.Context(f"needs.{n}.outputs")}, unknown=False)
    return context


def _success(wanted: list[str], status: dict[str, str]) -> Any:
    states = [status[n] for n in wanted]
    if "skipped" in states or "fails" in states:
        return False
    if "unknown" in states:
        return ex.Unknown("success()")
    return True


def _job_reason(job_id: str, raw_if: Any, wanted: list[str], status: dict[str, str],
                status_part: Any, written: Any, default: bool, outcome: bool | None) -> str:
    shown = f"`if: {_condition_text(raw_if)}`" if raw_if is not None else None
    after = (f"it starts after {', '.join(wanted)} succeed{'s' if len(wanted) == 1 else ''} "
             f"({ASSUMPTION})" if wanted else "it starts at once")
    if outcome is True:
        if raw_if is None:
            return (f"No `if:` (the default is success()); {after}." if wanted else
                    "No `needs` and no `if:`: it starts at once.")
        if not default:  # a status function decides: it waits for its needs to finish
            return f"{shown} is true for this event" + (
                f"; it starts once {', '.join(wanted)} finish{'es' if len(wanted) == 1 else ''}."
                if wanted else ".")
        return f"{shown} is true for this event; {after}."
    blocking = [f"{n} ({'fails' if status[n] == 'fails' else 'skipped'})" for n in wanted
                if status[n] in ("skipped", "fails")]
    unknown_needs = [n for n in wanted if status[n] == "unknown"]
    if outcome is False:
        if default and ex.truthy(status_part) is False:
            return (f"It needs {', '.join(blocking)}, and "
                    f"{shown + ' has no status function, so it means success() && (...); ' if shown else 'its default `if:` is success(): '}"
                    "success() needs every job in `needs` to succeed (use `if: ${{ !cancelled() }}` "
                    "or always() to run it anyway).")
        if default:
            assumed = (f" ({ASSUMPTION}: every needed job's result is 'success')"
                       if "needs" in shown.lower() else "")
            return f"{shown} is false for this event{assumed}, so GitHub skips the job."
        return (f"{shown} is false for this event ({ASSUMPTION}, so failure() and cancelled() "
                "are false).")
    if default and ex.truthy(status_part) is None:
        return (f"It needs {', '.join(unknown_needs)}, whose status is unknown offline, so "
                f"{'its default success()' if raw_if is None else shown} cannot be decided.")
    return (f"{shown} depends on {_unknown_names(written)}, known only when the workflow runs, so "
            "whether the job runs cannot be decided offline.")


def _step_name(step: dict, scope: ex.Scope) -> str:
    name = step.get("name")
    if name is not None:
        return ex.render(_scalar_text(name), scope)[0]
    if "run" in step:
        first = next((line for line in _scalar_text(step["run"]).splitlines() if line.strip()), "")
        return f"Run {first.strip()}"
    return f"Run {_scalar_text(step.get('uses'))}"


def _posix_shell(shell: Any, runs_on: Any) -> bool:
    """Whether the script runs in bash or sh (the default, except on Windows runners)."""
    if shell is not None:
        return str(shell).split()[0].rsplit("/", 1)[-1] in ("bash", "sh")
    return "windows" not in json.dumps(runs_on, default=str).lower()


def _default_shell(*owners: Any) -> Any:
    for owner in owners:  # the job's `defaults.run.shell` wins over the workflow's
        defaults = owner.get("defaults") if isinstance(owner, dict) else None
        run = defaults.get("run") if isinstance(defaults, dict) else None
        if isinstance(run, dict) and run.get("shell") is not None:
            return run["shell"]
    return None


def _plan_steps(job: dict, scope_for, env: dict[str, str], default_shell: Any = None,
                runs_on: Any = None) -> list[StepPlan]:
    steps = []
    exported = False
    for step in _as_list(job.get("steps")):
        if not isinstance(step, dict):
            continue
        step_env = dict(env)
        base_scope = scope_for(dict(env), exported)
        _env(step.get("env"), base_scope, step_env)
        scope = scope_for(step_env, exported)
        name = _step_name(step, base_scope)
        if "uses" in step:
            kind, body = "uses", _scalar_text(step.get("uses"))
        else:
            kind, body = "run", ex.render(_scalar_text(step.get("run")), scope)[0]
        plan = StepPlan(name, kind, body, step_env)
        plan.posix_shell = _posix_shell(step.get("shell", default_shell), runs_on)
        if "if" in step:
            plan.condition = _condition_text(step["if"])
            status_part, written, default = _evaluate_condition(
                step["if"], scope_for(dict(env), exported, condition=True))
            outcome = _combine(status_part, written)
            if outcome is False:
                plan.status = "skipped"
                plan.reason = f"`if: {plan.condition}` is false" + (
                    "" if default else f" ({ASSUMPTION})")
            elif outcome is None:
                plan.status = "unknown"
                plan.reason = (f"`if: {plan.condition}` depends on {_unknown_names(written)}, "
                               "known only at run time")
        steps.append(plan)
        exported = exported or "uses" in step or "GITHUB_ENV" in _scalar_text(step.get("run"))
    return steps


def _plan_jobs(data: dict, event: Event, contexts: dict, lines: list[str]) -> list[JobPlan] | None:
    jobs = data.get("jobs")
    if isinstance(jobs, dict):
        jobs = {str(k): v for k, v in jobs.items()}
    if not isinstance(jobs, dict) or not jobs:
        lines.append("The workflow has no `jobs:` mapping; GitHub refuses it, so nothing runs.")
        return None
    order, needs, problem = _order(jobs)
    if problem:
        lines.append(problem)
        return None
    status: dict[str, str] = {}
    planned: list[JobPlan] = []
    workflow_env: dict[str, str] = {}
    _env(data.get("env"), ex.Scope({k: contexts[k] for k in ("github", "secrets", "inputs", "vars")},
                                   place="the workflow's env"), workflow_env)
    for job_id in order:
        job = jobs[job_id] if isinstance(jobs[job_id], dict) else {}
        wanted = needs[job_id]
        base = {"github": contexts["github"], "vars": contexts["vars"],
                "inputs": contexts["inputs"], "needs": _needs_context(wanted, status)}
        always = {"success": _success(wanted, status), "always": True, "cancelled": False,
                  "failure": any(status[n] == "fails" for n in wanted)}
        raw_if = job.get("if")
        try:
            status_part, written, default = _evaluate_condition(
                raw_if, ex.Scope(base, always, place=f"jobs.{job_id}.if"))
            outcome = _combine(status_part, written)
            reason = _job_reason(job_id, raw_if, wanted, status, status_part, written, default,
                                 outcome)
        except ex.ExpressionSyntaxError:
            raise
        except ex.ExpressionError as exc:
            outcome, reason = None, f"Evaluating its `if:` fails ({exc}); GitHub fails the job."
        state = {True: "runs", False: "skipped", None: "unknown"}[outcome]
        status[job_id] = state
        name = _scalar_text(job.get("name")) if job.get("name") is not None else job_id
        condition = _condition_text(raw_if) if raw_if is not None else "success()"
        entry = dict(id=job_id, name=name, needs=wanted, condition=condition, status=state,
                     reason=reason)
        if state == "skipped":
            planned.append(JobPlan(**entry))
            continue
        try:
            combos, matrix_note = _matrix(job, ex.Scope(base, place=f"jobs.{job_id}.strategy"))
        except ex.ExpressionSyntaxError:
            raise
        except ex.ExpressionError as exc:
            combos, matrix_note = [], f"GitHub fails the job: its `strategy` fails ({exc})."
        if combos is None:
            entry["status"] = status[job_id] = "unknown"
            entry["reason"] = f"{reason} {matrix_note}"
            combos = [None]
        elif not combos:
            failed = matrix_note.startswith("GitHub fails")
            entry["status"], status[job_id] = ("runs", "fails") if failed else ("skipped",) * 2
            entry["reason"] = matrix_note
            planned.append(JobPlan(**entry))
            continue
        for index, combo in enumerate(combos):
            try:
                planned.append(_plan_job(job, entry, combo, index, len(combos), contexts, base,
                                         workflow_env, data))
            except ex.ExpressionSyntaxError:
                raise
            except ex.ExpressionError as exc:  # evaluated when it runs: the job fails there
                status[job_id] = "fails"
                planned.append(JobPlan(**{**entry, "reason": f"{entry['reason']} But GitHub "
                                          f"fails the job: an expression in it fails ({exc})."},
                                       matrix=combo))
    return planned


def _matrix(job: dict, scope: ex.Scope) -> tuple[list | None, str]:
    strategy = job.get("strategy")
    if not isinstance(strategy, dict) or "matrix" not in strategy:
        return [None], ""
    value = ex.value_of(strategy["matrix"], scope)
    if ex.contains_unknown(value):
        return None, ("Its matrix depends on values known only at run time (such as another "
                      "job's outputs), so its combinations cannot be listed offline.")
    if not isinstance(value, dict):
        return [], "Its `strategy.matrix` is not a mapping; GitHub fails the job."
    try:
        combos = expand_matrix(value)
    except ValueError as exc:
        return [], f"GitHub fails the job: {exc}."
    if not combos:
        return [], "Its matrix has no combinations left (every one is excluded), so no job runs."
    return combos, ""


def _plan_job(job: dict, entry: dict, combo: dict | None, index: int, total: int,
              contexts: dict, base: dict, workflow_env: dict[str, str],
              workflow: dict) -> JobPlan:
    strategy = job.get("strategy") if isinstance(job.get("strategy"), dict) else {}
    fail_fast = strategy.get("fail-fast", True)
    strategy_ctx = {"fail-fast": fail_fast if isinstance(fail_fast, bool) else ex.Unknown(
        "strategy.fail-fast"), "job-index": index, "job-total": total,
        "max-parallel": strategy.get("max-parallel", total)}
    matrix = combo if combo is not None else (ex.Unknown("matrix") if "matrix" in strategy else {})
    if isinstance(matrix, ex.Unknown):  # how many combinations there are is unknown too
        strategy_ctx = ex.Context("strategy", {"fail-fast": strategy_ctx["fail-fast"]})
    job_scope = ex.Scope({**base, "strategy": strategy_ctx, "matrix": matrix,
                          "secrets": contexts["secrets"]}, place="a job's env")
    job_env = dict(workflow_env)
    _env(job.get("env"), job_scope, job_env)
    runner = ex.Context("runner")
    step_status = {"success": True, "always": True, "cancelled": False, "failure": False,
                   "hashfiles": None}

    def scope_for(env: dict[str, str], exported: bool = False,
                  condition: bool = False) -> ex.Scope:
        # after a step that may export variables (GITHUB_ENV, any action), a name missing
        # from the declared env may exist at run time: unknown, not null
        env_ctx = ex.Context("env", env) if exported else env
        contexts = {**base, "strategy": strategy_ctx, "matrix": matrix, "env": env_ctx,
                    "runner": runner, "job": ex.Context("job"), "steps": ex.Context("steps")}
        if condition:  # a step's `if:` has the status functions but not `secrets`
            return ex.Scope(contexts, step_status, place="a step's `if:`")
        return ex.Scope({**contexts, "secrets": contexts_secrets}, {"hashfiles": None},
                        place="a step")

    contexts_secrets = contexts["secrets"]
    plan = JobPlan(**entry, matrix=combo)
    if isinstance(job.get("name"), str) and "${{" in job["name"]:
        plan.name = ex.render(job["name"], ex.Scope({**base, "strategy": strategy_ctx,
                                                     "matrix": matrix}))[0]
    plan.env = {k: v for k, v in job_env.items()}
    if "uses" in job:
        plan.notes.append(f"It calls the reusable workflow {_scalar_text(job['uses'])}; its jobs "
                          "are not expanded here.")
        return plan
    try:
        runs_on = ex.value_of(job.get("runs-on"), job_scope)
    except ex.ExpressionError:
        runs_on = job.get("runs-on")
    plan.steps = _plan_steps(job, scope_for, job_env, _default_shell(job, workflow), runs_on)
    return plan


def _check_expressions(data: dict) -> str | None:
    """The first ``${{ }}`` GitHub would refuse when reading the workflow, as a sentence."""
    from ..yamlload import position

    def walk(node: Any, where: str, parent: Any, key: Any):
        if isinstance(node, dict):
            for k, v in node.items():
                yield from walk(v, f"{where}.{k}" if where else str(k), node, k)
        elif isinstance(node, list):
            for i, v in enumerate(node):
                yield from walk(v, f"{where}[{i}]", node, i)
        elif isinstance(node, str):
            yield where, node, parent, key

    found = [item for top, node in data.items() if top not in ("on", True)
             for item in walk(node, str(top), data, top)]
    for where, text, parent, key in found:
        try:
            if key == "if" and "${{" not in text:
                ex.parse(text)
            else:
                ex.check_template(text)
        except ex.ExpressionSyntaxError as exc:
            line, _ = position(parent, key, value=True)
            at = f" (line {line})" if line else ""
            return (f"The workflow is invalid: `{where}`{at} has an expression GitHub cannot read: "
                    f"{exc}. GitHub refuses the workflow, so it never runs.")
    return None


# -- the API --------------------------------------------------------------------------------------

def plan(workflow: Any, event: str = "push", *, branch: str | None = None,
         tag: str | None = None, base: str | None = None, head: str | None = None,
         sha: str | None = None, changed=(), repo: str | None = None,
         inputs: dict | None = None, variables: dict | None = None,
         run_number: int | None = None, activity: str | None = None,
         commits: int | None = None) -> Plan:
    """What GitHub would run for this event: ``workflow`` is a path, YAML text or a parsed
    mapping (as for :func:`checkers.workflow.trigger.evaluate`). ``inputs`` are
    workflow_dispatch inputs, ``variables`` the repository's ``vars``; whatever is not given
    stays unknown. Raises PlanError (a ValueError) for arguments that describe no event."""
    problem = argument_problem(event, branch=branch, tag=tag, base=base, head=head)
    if problem:
        raise PlanError(problem)
    if repo is not None and not _REPO.fullmatch(repo):
        raise PlanError(f"--repo must be OWNER/REPO, not {repo!r}")
    if run_number is not None and (not isinstance(run_number, int) or run_number < 1):
        raise PlanError(f"the run number must be a positive integer, not {run_number!r}")
    if inputs and event != "workflow_dispatch":
        raise PlanError("inputs belong to a workflow_dispatch run (--event workflow_dispatch)")
    ev = Event(event, _short(branch), _short(tag), _short(base), _short(head), sha, repo,
               run_number, activity, {str(k): v for k, v in (inputs or {}).items()},
               {str(k): v for k, v in (variables or {}).items()})
    data, problem = _load(workflow)
    if problem:
        return Plan(False, [problem], event=event)
    decision = evaluate(data, event, branch=branch, tag=tag, base=base, head=head,
                        changed=changed, activity=activity, commits=commits)
    title = _scalar_text(data.get("name")) if isinstance(data.get("name"), (str, int)) else ""
    result = Plan(decision.runs, list(decision.explanation), event=event, title=title)
    if not decision.runs:
        return result
    problem = _check_expressions(data)
    if problem:
        return Plan(False, result.why[:-1] + [problem], event=event, title=title)
    on = data.get("on")
    settings = on.get(event) if isinstance(on, dict) else None
    typed = _dispatch_inputs(settings, ev.inputs) if event == "workflow_dispatch" else {}
    if event == "workflow_dispatch":
        ev.inputs = typed
    contexts = {
        "github": _github(ev, title or None),
        "vars": ex.Context("vars", ev.variables),
        "secrets": ex.Context("secrets", display="***"),
        "inputs": typed if event != "workflow_call" else ex.Context("inputs"),
    }
    lines: list[str] = []
    try:
        jobs = _plan_jobs(data, ev, contexts, lines)
    except ex.ExpressionSyntaxError as exc:
        jobs, lines = None, [f"The workflow is invalid: {exc}; GitHub refuses the workflow, so "
                             "it never runs."]
    if jobs is None:
        return Plan(False, result.why[:-1] + lines, event=event, title=title)
    result.jobs = jobs
    return result


def plan_workflows(folder: Any, event: str = "push", **kwargs) -> dict[str, Plan]:
    """:func:`plan` for every ``*.yml``/``*.yaml`` in ``folder`` (such as a repository's
    ``.github/workflows``), by file name: which workflows one push starts, and what they run."""
    files = sorted(f for f in Path(folder).iterdir()
                   if f.suffix in (".yml", ".yaml") and f.is_file())
    return {f.name: plan(f, event, **kwargs) for f in files}


# -- reading a script as the shell would run it (text output only) --------------------------------

_VAR = re.compile(r"\$(?:\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?P<op>//?[^}]*)?\}|"
                  r"(?P<plain>[A-Za-z_][A-Za-z0-9_]*))")
_HEREDOC = re.compile(r"<<-?\s*(['\"])([A-Za-z_][A-Za-z0-9_]*)\1|<<-?\s*\\([A-Za-z_]\w*)")


def _substitute(match: re.Match, env: dict[str, str]) -> str:
    name = match.group("braced") or match.group("plain")
    value = env.get(name)
    if value is None or "${{" in value:
        return match.group(0)
    op = match.group("op")
    if not op:
        return value
    everywhere = op.startswith("//")
    body = op[2:] if everywhere else op[1:]
    parts = re.split(r"(?<!\\)/", body, maxsplit=1)
    pattern = parts[0]
    replacement = parts[1] if len(parts) > 1 else ""
    if re.search(r"(?<!\\)[*?\[]", pattern) or pattern.startswith(("#", "%")) or not pattern:
        return match.group(0)  # a glob or anchored pattern: leave it to the shell
    unescape = lambda s: re.sub(r"\\(.)", r"\1", s)  # noqa: E731
    pattern, replacement = unescape(pattern), unescape(replacement)
    return value.replace(pattern, replacement) if everywhere else value.replace(pattern,
                                                                                replacement, 1)


def shell_preview(script: str, env: dict[str, str]) -> str:
    """The script with ``$NAME``, ``${NAME}`` and ``${NAME//literal/text}`` of the step's known
    ``env:`` values filled in, as bash would expand them; single-quoted text and quoted
    here-documents stay as written, and anything else is left to the shell."""
    out_lines = []
    heredoc_end = None
    for line in script.split("\n"):
        if heredoc_end is not None:
            out_lines.append(line)
            if line.strip() == heredoc_end:
                heredoc_end = None
            continue
        out, i, quote = [], 0, None
        while i < len(line):
            c = line[i]
            if quote is None and c == "'":
                j = line.find("'", i + 1)
                j = len(line) if j < 0 else j + 1
                out.append(line[i:j])
                i = j
                continue
            if c == "\\" and quote is None or (c == "\\" and line[i + 1:i + 2] in ('"', "$", "\\")):
                out.append(line[i:i + 2])
                i += 2
                continue
            if c == '"':
                quote = None if quote == '"' else '"'
            if c == "$":
                m = _VAR.match(line, i)
                if m:
                    out.append(_substitute(m, env))
                    i = m.end()
                    continue
            if c == "#" and quote is None and (i == 0 or line[i - 1] in " \t"):
                out.append(line[i:])
                break
            out.append(c)
            i += 1
        out_lines.append("".join(out))
        m = _HEREDOC.search(line)
        if m:
            heredoc_end = m.group(2) or m.group(3)
    return "\n".join(out_lines)


# -- output ---------------------------------------------------------------------------------------

def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line if line else line.rstrip() for line in text.split("\n"))


def render_text(p: Plan) -> str:
    out = [f"runs: {'yes' if p.runs else 'no'}"]
    out += [f"- {line}" for line in p.why]
    if not p.jobs:
        return "\n".join(out)
    out.append("")
    out.append("Jobs, in the order GitHub starts them "
               f"({ASSUMPTION}; `${{{{ }}}}` left as is = known only at run time):")
    for n, job in enumerate(p.jobs, 1):
        label = job.id if job.name == job.id else f"{job.id} ({job.name})"
        matrix = f" matrix {json.dumps(job.matrix)}" if job.matrix is not None else ""
        out.append(f"{n}. {label}{matrix}: {job.status}")
        out.append(f"   needs: {', '.join(job.needs) or '-'}; if: {job.condition}")
        out.append(f"   {job.reason}")
        out += [f"   {note}" for note in job.notes]
        if job.status == "skipped":
            continue
        if job.env:
            out.append("   env: " + ", ".join(f"{k}={v}" for k, v in job.env.items()))
        for k, step in enumerate(job.steps, 1):
            state = "" if step.status == "runs" else f" [{step.status}: {step.reason}]"
            out.append(f"   {k}. {step.name}{state}")
            extra = {key: v for key, v in step.env.items() if job.env.get(key) != v}
            if extra:
                out.append("      env: " + ", ".join(f"{key}={v}" for key, v in extra.items()))
            if step.kind == "uses":
                out.append(f"      uses: {step.body}")
                continue
            out.append("      run: |")
            script = step.body.rstrip("\n")
            out.append(_indent(script, "        "))
            filled = shell_preview(script, step.env) if step.posix_shell else script
            if filled != script:
                out.append("      as the shell runs it, with the env values filled in:")
                out.append(_indent(filled, "        "))
    return "\n".join(out)


# -- the command line -----------------------------------------------------------------------------

def _pair(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, not {text!r}")
    return key.strip(), value


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Add ``plan`` to an argparse subparsers object."""
    parser = subparsers.add_parser(
        "plan", help="what a push (or PR, or manual run) would run, resolved offline",
        description="Show whether GitHub would run a workflow for one event, the jobs in the "
                    "order GitHub starts them, and each step's script with its ${{ }} "
                    "expressions resolved for that event. Nothing is sent anywhere.")
    parser.add_argument("file", metavar="WORKFLOW", help="the workflow file")
    parser.add_argument("--event", default="push", choices=EVENTS, metavar="EVENT",
                        help="push (default), pull_request, workflow_dispatch, ...")
    parser.add_argument("--branch", metavar="B", help="push/workflow_dispatch: the branch")
    parser.add_argument("--tag", metavar="T", help="push: the tag pushed (not with --branch)")
    parser.add_argument("--base", metavar="B", help="pull_request*: the branch the PR targets")
    parser.add_argument("--head", metavar="H", help="pull_request*: the PR's source branch")
    parser.add_argument("--sha", metavar="S", help="the commit (github.sha)")
    parser.add_argument("--changed", metavar="PATH", action="append", default=[],
                        help="a changed file, from the repository root (repeatable)")
    parser.add_argument("--repo", metavar="OWNER/REPO", help="the repository (github.repository)")
    parser.add_argument("--input", metavar="K=V", action="append", default=[], type=_pair,
                        help="workflow_dispatch: an input (repeatable)")
    parser.add_argument("--var", metavar="K=V", action="append", default=[], type=_pair,
                        help="a repository variable, vars.K (repeatable)")
    parser.add_argument("--run-number", metavar="N", type=int, help="github.run_number")
    parser.add_argument("--activity", metavar="TYPE",
                        help="pull_request*: the activity type (default: opened)")
    add_commits_argument(parser)
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="output format (default: text)")
    return parser


def run(args) -> int:
    """Print the plan; 0 whenever it could decide, 2 for bad arguments or an unreadable file."""
    get = lambda name: getattr(args, name, None)  # noqa: E731
    try:
        text = _read(Path(args.file))
        result = plan(text, args.event, branch=get("branch"), tag=get("tag"), base=get("base"),
                      head=get("head"), sha=get("sha"), changed=get("changed") or (),
                      repo=get("repo"), inputs=dict(get("input") or []),
                      variables=dict(get("var") or []), run_number=get("run_number"),
                      activity=get("activity"), commits=get("commits"))
    except (OSError, ValueError) as exc:
        print(f"checkers: error: {exc}", file=sys.stderr)
        return 2
    if get("format") == "json":
        print(json.dumps(result.to_dict(), ensure_ascii=False))
    else:
        print(result.text())
    return 0
