"""The promotion simulator: what a merge to ``main`` sets in motion, stage by stage.

For a push to ``main`` (what merging a pull request is), :func:`plan` lists the workflow's jobs
in the order GitHub runs them (a job starts when every job it ``needs`` has succeeded), each
with its environment and that environment's gates from ``.github/settings.yml``:

* a **wait timer** delays the job N minutes after it is triggered;
* **required reviewers**: the job waits until one of them approves (30 days at most, then it
  fails); with ``prevent_self_review`` the person who started the run cannot approve it;
* a **deployment branch policy** that does not allow ``main`` makes the job fail at once.

It also says which secrets each stage can read (an environment's secrets reach only the jobs
that use the environment, once its gates have passed) and what happens when the smoke tests
fail. :func:`draw` pictures the plan as an SVG job graph (JupyterLab and exported HTML show it;
plain text elsewhere).
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

from ..yamlnodes import CommentedMap

from ..workflow.deploy import MERGE_FILES
from ..workflow.trigger import evaluate
from ..workflow.walk import EXPRESSION, job_needs, scalars
from .oidc import OidcError, load_document
from .settings import Settings, SettingsError

SECRET = re.compile(r"\bsecrets\.([A-Za-z_][A-Za-z0-9_]*)")


class PromoteError(ValueError):
    """A workflow or settings file the simulator cannot use; the message is one line."""


@dataclass
class Stage:
    job: str
    name: str | None
    needs: list[str]
    environment: str | None
    gates: list[dict]
    secrets: list[str]
    secrets_from: str
    condition: str | None = None
    level: int = 0
    when_fails: str = ""
    skipped_on_failure: list[str] = field(default_factory=list)
    continue_on_error: bool = False
    secret_scopes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"job": self.job, "name": self.name, "needs": self.needs,
                "environment": self.environment, "gates": self.gates, "secrets": self.secrets,
                "secrets_from": self.secrets_from, "secret_scopes": self.secret_scopes,
                "if": self.condition, "level": self.level,
                "when_fails": self.when_fails, "skipped_on_failure": self.skipped_on_failure,
                "continue_on_error": self.continue_on_error}

    @property
    def gate_text(self) -> str:
        return "; ".join(g["text"] for g in self.gates) or "none"


@dataclass
class Plan:
    workflow: str
    branch: str
    runs: bool
    stages: list[Stage] = field(default_factory=list)
    smoke_tests: dict | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"workflow": self.workflow, "event": "push", "branch": self.branch,
                "runs": self.runs, "stages": [s.to_dict() for s in self.stages],
                "smoke_tests": self.smoke_tests, "notes": self.notes}

    def stage(self, job: str) -> Stage:
        return next(s for s in self.stages if s.job == job)

    def __str__(self) -> str:
        head = f"A merge to `{self.branch}` (a push to `{self.branch}`) "
        if not self.runs:
            return head + f"does not start {self.workflow}.\n" + "\n".join(
                f"- {n}" for n in self.notes)
        out = [head + f"starts {self.workflow}; the stages run in this order:"]
        for i, s in enumerate(self.stages, 1):
            out.append(f"{i}. {s.job}" + (f" ({s.name})" if s.name and s.name != s.job else ""))
            out.append(f"   needs: {', '.join(s.needs) or 'nothing'}; environment: "
                       f"{s.environment or 'none'}; gates: {s.gate_text}")
            if s.condition:
                out.append(f"   if: {s.condition}")
            out.append(f"   secrets: {', '.join(s.secrets) or 'none'} ({s.secrets_from})")
            out.append(f"   if it fails: {s.when_fails}")
        if self.smoke_tests:
            out.append(f"If the smoke tests fail: {self.smoke_tests['text']}")
        out.extend(f"note: {n}" for n in self.notes)
        return "\n".join(out)

    __repr__ = __str__

    def draw(self, states: dict[str, str] | None = None) -> "Diagram":
        return draw(self, states)

    def walkthrough(self, *, approve: bool = True, smoke_passes: bool = True) -> list[dict]:
        return walkthrough(self, approve=approve, smoke_passes=smoke_passes)


def _settings(settings: Any) -> Settings | None:
    if settings is None or isinstance(settings, Settings):
        return settings
    try:
        if isinstance(settings, str) and "\n" in settings:
            loaded = Settings.from_text(settings)
        else:
            loaded = Settings.from_path(settings)
    except SettingsError as exc:
        raise PromoteError(str(exc)) from None
    if loaded.problem:
        raise PromoteError(f"{loaded.display}:{loaded.problem.line or 1}:"
                           f"{loaded.problem.column or 1}: invalid YAML: {loaded.problem.message}")
    return loaded


def _order(jobs: CommentedMap, display: str) -> list[tuple[str, int]]:
    """Job ids in run order with their level (0: starts at once), file order among equals."""
    ids = [str(j) for j in jobs]
    for job_id in ids:
        for need in job_needs(jobs[job_id]):
            if need not in jobs:
                raise PromoteError(f"{display}: job `{job_id}` needs `{need}`, which does not exist")
    level: dict[str, int] = {}
    remaining = list(ids)
    while remaining:
        ready = [j for j in remaining if all(n in level for n in job_needs(jobs[j]))]
        if not ready:
            raise PromoteError(f"{display}: the jobs {', '.join(remaining)} need each other in a "
                               "cycle; GitHub refuses the workflow")
        for j in ready:
            level[j] = 1 + max((level[n] for n in job_needs(jobs[j])), default=-1)
            remaining.remove(j)
    return sorted(((j, level[j]) for j in ids), key=lambda item: (item[1], ids.index(item[0])))


def _gates(env_name: str | None, settings: Settings | None, branch: str) -> tuple[list[dict], list[str]]:
    if env_name is None:
        return [], []
    if settings is None:
        return [], [f"no settings file was given, so the gates of `{env_name}` are unknown"]
    if EXPRESSION.search(env_name):
        return [], [f"the environment `{env_name}` is computed at run time, so its gates depend "
                    "on its value"]
    env = settings.get(env_name)
    if env is None:
        return [], [f"`{env_name}` is not declared in {settings.display}: GitHub creates it on "
                    "first use with no protection rules"]
    gates: list[dict] = []
    policy = env.branch_policy
    allowed = policy.allows_branch(branch) if policy else True
    if allowed is False:
        gates.append({"type": "branch_policy", "allowed": False,
                      "text": f"blocked: `{branch}` may not deploy to `{env.name}` (deployment "
                              "branch policy), so the job fails"})
    if env.wait_minutes:
        gates.append({"type": "wait_timer", "minutes": env.wait_minutes,
                      "text": f"wait {env.wait_minutes} minutes"})
    if env.reviewers:
        who = [{"type": r.type, "id": r.id} for r in env.reviewers]
        text = "approval by one of: " + ", ".join(r.label() for r in env.reviewers)
        if env.prevent_self_review is True:
            text += " (not by whoever started the run)"
        gates.append({"type": "required_reviewers", "reviewers": who,
                      "prevent_self_review": env.prevent_self_review is True, "text": text})
    return gates, []


def _downstream(jobs, job_id: str) -> list[str]:
    found, changed = [], True
    while changed:
        changed = False
        for other in jobs:
            other = str(other)
            if other not in found and other != job_id and any(
                    n == job_id or n in found for n in job_needs(jobs[other])):
                found.append(other)
                changed = True
    return found


def _failure_effect(jobs, job_id: str) -> tuple[str, list[str]]:
    from ..workflow.deploy import runs_after_failure

    after = _downstream(jobs, job_id)
    anyway = [j for j in after if isinstance(jobs[j], CommentedMap) and "if" in jobs[j]
              and runs_after_failure(jobs[j]["if"])]
    skipped = [j for j in after if j not in anyway]
    coe = isinstance(jobs[job_id], CommentedMap) and jobs[job_id].get("continue-on-error") is True
    if coe:
        return (f"`continue-on-error: true`: its failure counts as success, so "
                f"{', '.join(after) or 'nothing'} still run", [])
    parts = []
    if skipped:
        parts.append(f"{', '.join(skipped)} {'is' if len(skipped) == 1 else 'are'} skipped")
    if anyway:
        parts.append(f"{', '.join(anyway)} still run{'s' if len(anyway) == 1 else ''} "
                     "(a status function in `if:`)")
    return ("the run fails; " + "; ".join(parts) if parts else "the run fails; no job depends on it"), skipped


def plan(workflow: Any, settings: Any = None, *, branch: str = "main") -> Plan:
    """Simulate a merge (push) to ``branch``. ``workflow`` and ``settings`` are paths, YAML text
    or parsed documents (``settings`` may be omitted: the gates are then unknown)."""
    try:
        data, display = load_document(workflow, "workflow.yml")
    except OidcError as exc:
        raise PromoteError(str(exc)) from None
    jobs = data.get("jobs") if isinstance(data, CommentedMap) else None
    if not isinstance(jobs, CommentedMap) or not jobs:
        raise PromoteError(f"{display}: not a workflow with a `jobs:` mapping")
    odd = [j for j in jobs if not isinstance(j, str)]
    if odd:
        raise PromoteError(f"{display}: job id `{odd[0]}` is not a name (job ids start with a "
                           "letter or `_`); GitHub refuses the workflow")
    settings = _settings(settings)
    decision = evaluate(data, "push", branch=branch, changed=MERGE_FILES)
    result = Plan(display, branch, decision.runs)
    if not decision.runs:
        result.notes.extend(decision.explanation)
        return result
    from ..workflow.deploy import job_environment, smoke_steps

    for job_id, level in _order(jobs, display):
        job = jobs[job_id]
        env_name = job_environment(job)[0]
        gates, notes = _gates(env_name, settings, branch)
        result.notes.extend(notes)
        names = sorted({m.group(1) for _, _, text in scalars(job) for m in SECRET.finditer(text)})
        scopes = ["repository", "organization"] + ([f"environment:{env_name}"] if env_name else [])
        scope = ("repository and organization secrets"
                 + (f", plus environment `{env_name}`'s own secrets once its gates pass"
                    if env_name else "; no environment secrets (the job uses no environment)"))
        when_fails, skipped = _failure_effect(jobs, job_id)
        condition = job.get("if") if isinstance(job, CommentedMap) else None
        result.stages.append(Stage(
            job_id, job.get("name") if isinstance(job, CommentedMap) else None,
            job_needs(job), env_name, gates, names, scope,
            " ".join(str(condition).split()) if condition is not None else None, level,
            when_fails, skipped,
            isinstance(job, CommentedMap) and job.get("continue-on-error") is True, scopes))
    for stage in result.stages:
        steps = smoke_steps(jobs, stage.job)
        if steps and stage.environment and stage.environment.lower() != "production":
            step_name = steps[0].get("name") or steps[0].get("id") or "smoke test"
            result.smoke_tests = {"job": stage.job, "step": str(step_name),
                                  "skipped": stage.skipped_on_failure,
                                  "text": f"step `{step_name}` fails job `{stage.job}`; "
                                          + stage.when_fails.replace("the run fails; ", "")
                                          + "; production keeps the model it already serves"}
            break
    return result


def walkthrough(result: Plan, *, approve: bool = True, smoke_passes: bool = True) -> list[dict]:
    """What happens, stage by stage, when the reviewers approve (or reject) and the smoke tests
    pass (or fail): ``[{"job", "state", "text"}]`` with state ``succeeded``, ``failed`` or
    ``skipped``. The data behind the notebook's approve/reject walk-through."""
    from ..workflow.deploy import runs_after_failure

    states: dict[str, str] = {}
    events = []
    for stage in result.stages:
        # a job with continue-on-error counts as succeeded for the jobs that need it
        upstream_bad = [n for n in stage.needs if states.get(n) != "succeeded"
                        and not result.stage(n).continue_on_error]
        if upstream_bad and not (stage.condition and runs_after_failure(stage.condition)):
            states[stage.job] = "skipped"
            events.append({"job": stage.job, "state": "skipped",
                           "text": f"{stage.job} is skipped: {', '.join(upstream_bad)} did not succeed"})
            continue
        lines, state = [], "succeeded"
        for gate in stage.gates:
            if gate["type"] == "branch_policy":
                lines.append(gate["text"])
                state = "failed"
            elif gate["type"] == "wait_timer" and state == "succeeded":
                lines.append(f"waits {gate['minutes']} minutes (wait timer)")
            elif gate["type"] == "required_reviewers" and state == "succeeded":
                lines.append("waits for " + gate["text"])
                if approve:
                    lines.append("a reviewer approves: the job starts and gets the environment's secrets")
                else:
                    lines.append("a reviewer rejects: the job fails without running, and so does the run")
                    state = "failed"
        if state == "succeeded":
            smoke = result.smoke_tests and result.smoke_tests["job"] == stage.job
            if smoke and not smoke_passes:
                lines.append(f"deploys, then step `{result.smoke_tests['step']}` fails: the job fails")
                state = "failed"
            else:
                lines.append("runs" + (" and its smoke test passes" if smoke else "") + ": succeeded")
        states[stage.job] = state
        events.append({"job": stage.job, "state": state, "text": f"{stage.job}: " + "; ".join(lines)})
    return events


# -- the picture --------------------------------------------------------------------------------

BOX_W, BOX_H, GAP_X, GAP_Y, GATE_H, PAD = 190, 58, 70, 40, 20, 16
COLOURS = {"production": ("#fde8e8", "#c0392b"), "staging": ("#e8f1fd", "#2c6fbb"),
           None: ("#f2f2f2", "#666666")}


@dataclass
class Diagram:
    """The job graph of a plan with its gates: SVG in a notebook, text elsewhere."""

    svg: str
    text: str

    def _repr_svg_(self) -> str:
        return self.svg

    def __str__(self) -> str:
        return self.text

    __repr__ = __str__

    def save(self, path) -> None:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(self.svg)


def _colour(env: str | None) -> tuple[str, str]:
    key = env.lower() if env and env.lower() in ("production", "staging") else None
    return COLOURS[key] if env is None or key else ("#eef7ee", "#3c8d40")


STATE_MARKS = {"succeeded": ("✔ succeeded", "#2e7d32"), "failed": ("✘ failed", "#c62828"),
               "skipped": ("⤼ skipped", "#757575"), "waiting": ("… waiting", "#b7950b"),
               "running": ("▶ running", "#1565c0")}
MAX_GATES = 3


def draw(result: Plan, states: dict[str, str] | None = None) -> Diagram:
    """The plan as an SVG picture: one box per job, columns in run order, gates above boxes.

    ``states`` (job -> ``succeeded``, ``failed``, ``skipped``, ``waiting`` or ``running``, as
    :func:`walkthrough` gives them) marks each box, for a walk-through that redraws as it goes.
    """
    text = str(result)
    if states:
        text += "\n" + "\n".join(f"{job}: {state}" for job, state in states.items())
    if not result.stages:
        svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="420" height="40">'
               f'<text x="8" y="24" font-family="sans-serif" font-size="13">'
               f'{html.escape(text.splitlines()[0])}</text></svg>')
        return Diagram(svg, text)
    box_h = BOX_H + (18 if states else 0)
    columns: dict[int, list[Stage]] = {}
    for s in result.stages:
        columns.setdefault(s.level, []).append(s)
    gates_h = GATE_H * min(MAX_GATES, max(len(s.gates) for s in result.stages))
    slot_h = box_h + gates_h + GAP_Y
    where: dict[str, tuple[int, int]] = {}
    for level, stages in columns.items():
        for row, s in enumerate(stages):
            where[s.job] = (PAD + level * (BOX_W + GAP_X), PAD + gates_h + row * slot_h)
    width = PAD * 2 + len(columns) * (BOX_W + GAP_X) - GAP_X
    if result.smoke_tests:
        width = max(width, 760)  # room for the line under the graph
    height = PAD * 2 + max(len(v) for v in columns.values()) * slot_h - GAP_Y + 20
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
             f"<title>{html.escape(text.splitlines()[0])}</title>",
             '<defs><marker id="arrow" markerWidth="10" markerHeight="8" refX="9" refY="4" '
             'orient="auto"><path d="M0,0 L10,4 L0,8 z" fill="#555"/></marker></defs>']
    for s in result.stages:
        x2, y2 = where[s.job]
        for need in s.needs:
            x1, y1 = where[need]
            parts.append(f'<line x1="{x1 + BOX_W}" y1="{y1 + box_h / 2}" x2="{x2 - 2}" '
                         f'y2="{y2 + box_h / 2}" stroke="#555" stroke-width="1.5" '
                         'marker-end="url(#arrow)"/>')
    for s in result.stages:
        x, y = where[s.job]
        fill, stroke = _colour(s.environment)
        mark = STATE_MARKS.get((states or {}).get(s.job, ""))
        parts.append(f'<g><title>{html.escape(s.job)}: gates {html.escape(s.gate_text)}; '
                     f'secrets {html.escape(", ".join(s.secrets) or "none")}</title>'
                     f'<rect x="{x}" y="{y}" width="{BOX_W}" height="{box_h}" rx="8" '
                     f'fill="{fill}" stroke="{mark[1] if mark else stroke}" '
                     f'stroke-width="{3 if mark else 2}"/>'
                     f'<text x="{x + 10}" y="{y + 22}" font-weight="bold">{html.escape(s.job[:26])}</text>'
                     f'<text x="{x + 10}" y="{y + 42}" fill="#333">environment: '
                     f'{html.escape((s.environment or "none")[:16])}</text>'
                     + (f'<text x="{x + 10}" y="{y + 62}" fill="{mark[1]}" font-weight="bold">'
                        f'{mark[0]}</text>' if mark else "") + "</g>")
        for i, gate in enumerate(reversed(s.gates[-MAX_GATES:])):
            label = {"wait_timer": f"⏱ wait {gate.get('minutes')} min",
                     "required_reviewers": "✋ approval: " + ", ".join(
                         f"{r['type']} {r['id']}" for r in gate.get("reviewers", [])),
                     "branch_policy": "⛔ branch not allowed"}.get(gate["type"], gate["text"])
            gy = y - (i + 1) * GATE_H
            parts.append(f'<rect x="{x}" y="{gy}" width="{BOX_W}" height="{GATE_H - 3}" rx="4" '
                         f'fill="#fff6d5" stroke="#b7950b"/><text x="{x + 6}" y="{gy + 13}" '
                         f'font-size="11">{html.escape(label[:32])}</text>')
    if result.smoke_tests:
        parts.append(f'<text x="{PAD}" y="{height - 8}" font-size="11" fill="#555">'
                     f'{html.escape(("If the smoke tests fail: " + result.smoke_tests["text"])[:150])}'
                     '</text>')
    parts.append("</svg>")
    return Diagram("".join(parts), text)
