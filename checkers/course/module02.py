"""Module 02, GitHub Actions for ML: the checks behind each exercise.

Each ``check_*`` function takes the learner's answer (plain data: a dict of predictions, YAML
text, a shell script) and returns a :class:`~checkers.findings.Result`. What decides is the
course's own simulation of GitHub: the trigger simulator (:mod:`checkers.workflow.trigger`),
the workflow checker with the train-on-push pattern (:mod:`checkers.workflow`), and the plan of
a real ``git push`` to a practice repository's bare ``origin`` (:mod:`checkers.workflow.push`).
Nothing is sent to GitHub or Azure.

Answer keys (the predictions' and the knowledge check's right answers and their explanations)
live in the grader-only :mod:`checkers.course.keys.module02`; the notebook runs these checks in
a separate process (:mod:`checkers.course.selfcheck`), so no key enters the learner's kernel.
"""
from __future__ import annotations

import re
import shlex
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from ..findings import Finding, Result
from .feedback import ladder, problem, result
from .quiz import judge_quiz, one_question
from .quiz import quiz_text as _quiz_text
from .sandbox import Sandbox

LESSON = "02-github-actions"
REPOSITORY = "neuralspark/churn-model"
FEATURE_BRANCH = "feature/improve-churn-model"
COURSE_ROOT = Path(__file__).resolve().parent.parent.parent


def _keys(checkable: list[Finding] = ()):
    """The answer key (grader-only); without one, ``AnswerKeyMissing`` carries ``checkable``."""
    from .answer_keys import load_for

    return load_for("module02", checkable)


# --- Exercise 1: predict pushes -------------------------------------------------------------------
PREDICT_WORKFLOW = """\
on:
  push:
    branches:
      - 'feature/**'
      - '!feature/**-wip'
    tags:
      - 'v*'
    paths:
      - 'src/**'
      - 'pipelines/**'
      - '!src/**/*.md'
"""
# Each push: what is pushed (a branch or a tag) and which files it changes.
PUSHES = {
    "P1": {"branch": "feature/improve-churn-model", "changed": ["src/features/encode.py"]},
    "P2": {"branch": "feature/tune-wip", "changed": ["src/train.py"]},
    "P3": {"branch": "feature/improve-churn-model", "changed": ["src/docs/usage.md"]},
    "P4": {"tag": "v1.2.0", "changed": ["README.md"]},
    "P5": {"branch": "feature/new-split", "changed": ["README.md", "pipelines/training-pipeline.yaml"]},
}
PREDICT_POINTS = 0.5  # per push: one graded cell each


def describe_push(push: dict) -> str:
    what = f"tag {push['tag']}" if "tag" in push else f"branch {push['branch']}"
    return f"push of {what}, changing {', '.join(push['changed'])}"


def pushes_text() -> str:
    return "\n".join(f"{key}: {describe_push(push)}" for key, push in PUSHES.items())


def simulate(workflow: str, push: dict):
    """The trigger simulator's decision for one push (a :class:`~checkers.workflow.trigger.Decision`)."""
    from ..workflow.trigger import evaluate

    ref = {"tag": push["tag"]} if "tag" in push else {"branch": push["branch"]}
    return evaluate(workflow, "push", changed=push.get("changed", ()), **ref)


def check_predictions(answers: object) -> Result:
    """Exercise 1: ``answers`` maps push keys (P1...) to True (runs) or False (does not run).

    Only the pushes present are judged, so each graded cell hands over one push. The key says
    what GitHub does (a test checks it against the simulator); the explanation is the
    simulator's own reasoning, shown once the answer is recorded.
    """
    ex, lesson = "exercise-1-predict", f"{LESSON}#filters"
    if not isinstance(answers, dict) or not answers:
        return result([problem(ex, lesson, "expected a dict of predictions, True or False per push",
                               "see the answer cell: PREDICTIONS = {\"P1\": True, ...}")])
    findings, judged = [], {}
    for key, given in answers.items():
        if key not in PUSHES:
            findings.append(problem(ex, lesson, f"{key!r} is not a question here (not a push)",
                                    f"the pushes are {', '.join(PUSHES)}", path=str(key)))
        elif not isinstance(given, bool):
            findings.append(problem(ex, lesson, f"{key}: {given!r} is not one of True, False",
                                    "write True if the workflow runs, False if it does not",
                                    path=key))
        else:
            judged[key] = given
    notes = []
    if judged:
        keys = _keys(findings)
        for key, given in judged.items():
            why = _why(simulate(PREDICT_WORKFLOW, PUSHES[key]))
            said = "runs" if given else "does not run"
            if given != keys.PREDICT_ANSWER[key]:
                findings.append(problem(ex, lesson, f"{key}: it is not true that the workflow "
                                        f"{said}. {why}", keys.PREDICT_PRINCIPLE[key], path=key))
            else:
                notes.append(f"{key}: right, the workflow {said}. {why}")
    return result(findings, notes)


def explain_push(workflow: str, *, branch: str | None = None, tag: str | None = None,
                 changed=()) -> str:
    """The trigger simulator's answer as text: runs or not, and the filter lines that decided."""
    push = {"tag": tag} if tag is not None else {"branch": branch or ""}
    push["changed"] = [c.strip() for c in changed if c and c.strip()]
    if not (tag or branch):
        return "Give a branch or a tag."
    decision = simulate(workflow, push)
    head = f"{describe_push(push) if push['changed'] else describe_push({**push, 'changed': ['no file']})}"
    lines = [f"{head}: {'RUNS' if decision.runs else 'does not run'}"]
    lines += [f"  - {line}" for line in decision.explanation[:-1]]
    return "\n".join(lines)


# --- Exercise 2: filters for a stated policy ----------------------------------------------------
# The policy is stated in the notebook; these are the events it implies, with what must happen.
# They are no answer (the learner still writes the filters), so self-checks can name the one
# that goes wrong: that is the exercise's feedback loop.
FILTER_CASES = (
    ("push", {"branch": "feature/improve-churn-model", "changed": ["src/train.py"]}, True),
    ("push", {"branch": "feature/team-a/new-features", "changed": ["components/train/component.yaml"]}, True),
    ("push", {"branch": "feature/new-split", "changed": ["docs/index.md", "pipelines/training-pipeline.yaml"]}, True),
    ("push", {"branch": "feature/tune-wip", "changed": ["src/train.py"]}, False),
    ("push", {"branch": "main", "changed": ["src/train.py"]}, False),
    ("push", {"branch": "develop", "changed": ["src/train.py"]}, False),
    ("push", {"branch": "feature/improve-churn-model", "changed": ["README.md"]}, False),
    ("push", {"branch": "feature/improve-churn-model", "changed": ["src/README.md"]}, False),
    ("push", {"tag": "v1.0.0", "changed": ["src/train.py"]}, False),
    ("pull_request", {"base": "main", "head": "feature/improve-churn-model", "changed": ["src/train.py"]}, True),
    ("pull_request", {"base": "develop", "head": "feature/improve-churn-model", "changed": ["src/train.py"]}, False),
    ("pull_request", {"base": "main", "head": "feature/improve-churn-model", "changed": ["src/model.md"]}, False),
)
_FILTER_PRINCIPLE = {
    "wrong-branch": "a branch filter lists patterns; `**` crosses `/`, `*` does not, and a `!` "
                    "pattern after a positive one takes names out (the last match decides)",
    "paths": "a path filter runs the workflow when at least one changed file is included; a "
             "`!` pattern after the positive ones takes files out again",
    "pull_request": "for pull requests the branch filter is matched against the base branch "
                    "(the one the pull request goes into)",
    "tag": "with only branch filters, tag pushes never run the workflow",
}


def _event_text(event: str, case: dict) -> str:
    files = ", ".join(case["changed"])
    if event == "pull_request":
        return f"a pull request from {case['head']} into {case['base']} changing {files}"
    return describe_push(case)


def check_filters(text: object) -> Result:
    """Exercise 2: the ``on:`` block (or a whole workflow) implements the stated policy."""
    from ..workflow.trigger import evaluate

    ex, lesson = "exercise-2-filters", f"{LESSON}#filters"
    if text is not None and not isinstance(text, str):
        return result([_not_text(ex, lesson, "FILTERS", text)])
    if not isinstance(text, str) or _content(text) in ([], ["on:"]):
        return result([problem(ex, lesson, "no filters yet", "write the `on:` block into FILTERS, "
                               "in place of the placeholder comment")])
    findings = _backslash_patterns(ex, lesson, text)
    for event, case, expected in FILTER_CASES:
        decision = evaluate(text, event, **case)
        if decision.runs == expected:
            continue
        why = _why(decision)
        if not decision.runs and "never runs" in why:
            return result([problem(ex, lesson, why, "GitHub refuses or never starts this "
                                   "workflow: fix that first", more=[_SKELETON])])
        said = "runs" if decision.runs else "does not run"
        must = "must run" if expected else "must not run"
        kind = _what_decided(event, case, expected, decision)
        findings.append(problem(ex, lesson, f"for {_event_text(event, case)}, the workflow {said}, "
                                f"but the policy says it {must} ({why})",
                                _FILTER_PRINCIPLE[kind], more=[_SKELETON]))
    if len(findings) > MAX_SHOWN:
        more = len(findings) - MAX_SHOWN
        return result(findings[:MAX_SHOWN], [f"{more} more event(s) of the policy go wrong too; "
                                             "fix these first"])
    return result(findings)


MAX_SHOWN = 4


def _not_text(ex: str, lesson: str, variable: str, value: object) -> Finding:
    return problem(ex, lesson, f"{variable} is a {type(value).__name__}, not text",
                   f'write it as one string, between the triple quotes: {variable} = r""" ... """')


_SLASHES = re.compile(r"\\+")


def _backslash_patterns(ex: str, lesson: str, text: str) -> list[Finding]:
    """Windows-style paths in filters: GitHub reads ``\\`` as an escape, never as a separator."""
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        code = line.split(" #", 1)[0]
        for pattern in re.findall(r"[^\s'\",\[\]]*\\[A-Za-z0-9_*.-][^\s'\",\[\]]*", code):
            found.append(problem(
                ex, lesson, f"`{pattern}` uses a backslash: in GitHub's filter patterns `\\` "
                "escapes the next character, so this matches no path you meant",
                "separate folders with a forward slash (GitHub compares paths with `/` on every "
                f"runner): `{_SLASHES.sub('/', pattern)}`", line=number, severity="warning"))
    return found


def _why(decision) -> str:
    """The simulator's reasons, without its closing "So the workflow ..." line."""
    lines = [l for l in decision.explanation if not l.startswith("So the workflow")]
    return " ".join(lines)


_SKELETON = ("the shape: on: / push: / branches: [...] / paths: [...], and pull_request: / "
             "branches: [...] / paths: [...], each list in the order include, then '!' excludes")


def _what_decided(event: str, case: dict, expected: bool, decision) -> str:
    """Which principle the learner needs: the branch filter's, the paths', or the tags'."""
    if "tag" in case:
        return "tag"
    ref = "Pull request into base branch" if event == "pull_request" else "Push to branch"
    refused = any(line.startswith(ref) and ("matches none" in line or "excluded" in line or
                                            "ignored" in line) for line in decision.explanation)
    branch_ok = (case.get("base") == "main" if event == "pull_request" else
                 case["branch"].startswith("feature/") and not case["branch"].endswith("-wip"))
    if expected and refused or not expected and not branch_ok:
        return "pull_request" if event == "pull_request" else "wrong-branch"
    return "paths"


def _content(text: str) -> list[str]:
    """The lines that are neither blank nor comments."""
    return [line.strip() for line in text.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def _has_content(text: str) -> bool:
    return bool(_content(text))


# --- Exercise 3 and 4: whole workflows, judged by the workflow checker ----------------------------
_WORKFLOW_PRINCIPLE = {
    "workflow-syntax": "GitHub reads nothing from a file it cannot parse: fix the YAML at the line "
                       "named (indentation, a missing `:`, a list where a mapping belongs)",
    "workflow-schema": "GitHub refuses keys it does not know and values of the wrong type: compare "
                       "the key at that line with the workflow syntax",
    "train-trigger": "training belongs to pushes on feature branches only: main changes by "
                     "reviewed merges, which deploy instead",
    "train-paths": "training is expensive: start it when the code that shapes the model changes "
                   "(src/, components/, pipelines/), not for a README",
    "train-job-create": "the runner does not train: it hands the pipeline definition from "
                        "pipelines/ to Azure ML with `az ml job create --file`",
    "train-checkout": "every job starts on an empty runner: check the repository out in the job "
                      "before a step reads its files",
    "train-oidc-login": "`az ml` needs an Azure session: log in first, with OIDC (three IDs, no "
                        "password)",
    "train-ml-extension": "the `ml` commands are an Azure CLI extension that the runner does not "
                          "have: add it before the first `az ml`",
    "train-traceability": "each training run must lead back to the code that made it: tag it with "
                          "the commit and the branch, passed in through `env:`",
    "workflow-oidc-permission": "GitHub hands a job an OIDC token only when that job's "
                                "permissions say `id-token: write`; a job-level `permissions:` "
                                "replaces the workflow's",
    "workflow-azure-login-oidc": "a stored service-principal secret is a password that works "
                                 "from anywhere; OIDC needs no secret at all",
    "workflow-filter-negative-only": "a `!` pattern only takes back what a positive pattern "
                                     "matched: a list of `!` patterns alone matches nothing",
    "workflow-filter-conflict": "a filter and its `-ignore` twin cannot both be set for one event",
    "workflow-needs": "`needs:` names jobs of this workflow, in an order without cycles",
    "workflow-github-context": "an unknown `github.*` property is an empty string at run time",
}


def _workflow_findings(text: str) -> list[Finding]:
    """The workflow checker's findings with the train-on-push pattern; the principle comes first."""
    from ..workflow import check_workflow_text

    found = check_workflow_text(text, name="train-on-push.yml", pattern="train-on-push").findings
    out = []
    for f in found:
        first = _WORKFLOW_PRINCIPLE.get(f.rule)
        hint = ladder(first, [f.hint]) if first else f.hint
        out.append(replace(f, hint=hint))
    return sorted(out, key=lambda f: (f.severity != "error", f.line or 0))


def check_workflow(text: object) -> Result:
    """Exercise 3: the whole train-on-push.yml; only the checker's error findings fail it."""
    ex, lesson = "exercise-3-workflow", f"{LESSON}#train-on-push"
    if text is not None and not isinstance(text, str):
        return result([replace(_not_text(ex, lesson, "WORKFLOW", text), path="train-on-push.yml")])
    if not isinstance(text, str) or all(line.startswith("name:") for line in _content(text)):
        return result([problem(ex, lesson, "no workflow yet", "write the YAML into WORKFLOW, in "
                               "place of the placeholder comment", path="train-on-push.yml")])
    return result(_workflow_findings(text))


# Four real learner mistakes, each in an otherwise correct workflow. The notebook's answer
# cells start from these texts; the learner repairs them.
_GOOD_JOB = """\
jobs:
  unit-tests:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          persist-credentials: false
      - run: python -m unittest discover -s tests
  train:
    needs: unit-tests
    runs-on: ubuntu-latest
{permissions}    steps:
      - uses: actions/checkout@v4
        with:
          persist-credentials: false
      - name: Azure login (OIDC)
        uses: azure/login@v2
        with:
{login}      - run: az extension add --name ml
      - name: Submit training job
        env:
          BRANCH: ${{{{ github.ref_name }}}}
          COMMIT: ${{{{ github.sha }}}}
        run: |
{submit}"""
_TRIGGER = """\
name: Train on push
on:
  push:
    branches: {branches}
    paths: ['src/**', 'components/**', 'pipelines/**']
permissions:
  contents: read
"""
_PERMISSIONS = "    permissions:\n      id-token: write\n      contents: read\n"
_OIDC = ("          client-id: ${{ secrets.AZURE_CLIENT_ID }}\n"
         "          tenant-id: ${{ secrets.AZURE_TENANT_ID }}\n"
         "          subscription-id: ${{ secrets.AZURE_SUBSCRIPTION_ID }}\n")
_SUBMIT = ("          az ml job create --file pipelines/training-pipeline.yaml \\\n"
           "            --resource-group rg-ml-dev --workspace-name neuralspark-dev \\\n"
           "            --set display_name=\"train-$COMMIT\" \\\n"
           "            --set tags.branch=\"$BRANCH\" --set tags.commit=\"$COMMIT\"\n")


def _workflow(branches="['feature/**']", permissions=_PERMISSIONS, login=_OIDC, submit=_SUBMIT):
    return _TRIGGER.format(branches=branches) + _GOOD_JOB.format(
        permissions=permissions, login=login, submit=submit)


BROKEN = {
    # "everything but main": a list of exclusions alone matches nothing (actions/runner #3932)
    "filter": _workflow(branches="['!main']"),
    # the job's own permissions replace the workflow's: no id-token, no OIDC token
    "id-token": _workflow(permissions="    permissions:\n      contents: read\n"),
    # the legacy login: a service principal's JSON, client secret included, stored in GitHub
    "creds": _workflow(permissions="", login="          creds: ${{ secrets.AZURE_CREDENTIALS }}\n"),
    # every run has the same name and no tags: nobody can tell which commit trained which model
    "trace": _workflow(submit=("          az ml job create --file pipelines/training-pipeline.yaml \\\n"
                               "            --resource-group rg-ml-dev --workspace-name neuralspark-dev \\\n"
                               "            --set display_name=\"churn-training\"\n")),
}
REPAIR_VARIABLES = {"filter": "REPAIR_FILTER", "id-token": "REPAIR_ID_TOKEN",
                    "creds": "REPAIR_CREDS", "trace": "REPAIR_TRACE"}


def check_repair(which: str):
    def check(text: object) -> Result:
        ex, lesson = f"exercise-4-repair-{which}", f"{LESSON}#repair"
        if not isinstance(text, str) or not _has_content(text):
            return result([problem(ex, lesson, "the workflow is empty",
                                   f"start again from the broken workflow: {REPAIR_VARIABLES[which]} "
                                   f"= BROKEN[{which!r}], then repair it", path="train-on-push.yml")])
        return result(_workflow_findings(text))
    check.__doc__ = f"Exercise 4: the broken workflow {which!r}, repaired (no error finding left)."
    return check


# --- Exercise 5: a real push to a practice repository --------------------------------------------
# The team's workflow in the practice repository: the pattern, with unit tests first.
PRACTICE_WORKFLOW = _workflow()
DEPLOY_WORKFLOW = """\
name: Deploy on merge
on:
  push:
    branches: [main]
permissions:
  contents: read
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - run: echo "module 03 builds this one"
"""
DOCS_WORKFLOW = """\
name: Docs
on:
  push:
    paths: ['docs/**']
permissions:
  contents: read
jobs:
  build-docs:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          persist-credentials: false
      - run: echo "build the docs"
"""
PRACTICE_FILES = {
    ".github/workflows/train-on-push.yml": PRACTICE_WORKFLOW,
    ".github/workflows/deploy-on-merge.yml": DEPLOY_WORKFLOW,
    ".github/workflows/docs.yml": DOCS_WORKFLOW,
    "src/train.py": "def train(rows, labels, C=1.0, max_iter=200):\n    return [0.0] * len(rows[0])\n",
    "pipelines/training-pipeline.yaml": "$schema: https://azuremlschemas.azureedge.net/latest/"
                                        "pipelineJob.schema.json\ntype: pipeline\n"
                                        "display_name: churn-training\njobs: {}\n",
    "tests/test_train.py": "import unittest\n\n\nclass T(unittest.TestCase):\n"
                           "    def test_ok(self):\n        self.assertTrue(True)\n",
    "docs/index.md": "# Churn model\n",
    "README.md": "# Churn model\n",
    ".gitignore": "*.pkl\nmodels/\ndata/\nmlruns/\n.env\n__pycache__/\n",
}


def install_push_hook(box: Sandbox) -> None:
    """Make the bare ``origin`` answer each push as GitHub would (``remote:`` lines, offline)."""
    hook = box.origin / "hooks" / "post-receive"
    hook.write_text("#!/bin/sh\n"
                    "# The course's stand-in for GitHub: which workflows this push starts, and\n"
                    "# what they would run. Nothing is sent anywhere; no Azure call is made.\n"
                    f"PYTHONPATH={shlex.quote(str(COURSE_ROOT))} CHECKERS_REPOSITORY={REPOSITORY} "
                    f"exec {shlex.quote(sys.executable)} -m checkers.workflow.push\n")
    hook.chmod(0o755)


def build_push_repo(box: Sandbox) -> None:
    """The team's repository with its workflows on main, pushed to an origin that plans pushes."""
    box.init_repo()
    install_push_hook(box)
    box.write(PRACTICE_FILES)
    box.commit("Add the churn project with its workflows")
    box.git("push", "-q", "-u", "origin", "main")


def _origin(box: Sandbox, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "--git-dir", str(box.origin), *args], env=box.env, text=True,
                          capture_output=True)


class NothingPushed:
    """What ``print(pushed_plan(practice))`` shows before a feature branch reached origin
    (a kernel restarted, the practice repository made afresh, a push that failed): not "None"."""

    def __bool__(self) -> bool:
        return False

    def __str__(self) -> str:
        return ("No feature branch has reached this practice repository's origin yet, so there "
                "is no push to plan. Run the cell that does your push (practice.sh(PUSH_SCRIPT)) "
                "and check that its output ends with the origin's `remote:` lines.")

    __repr__ = __str__


def pushed_plan(box: Sandbox, branch: str | None = None):
    """The plan of the feature branch pushed to the sandbox's origin (a false
    :class:`NothingPushed` that says what to do, if there is none)."""
    from ..workflow.push import plan_push

    branch = branch or next(iter(_feature_branches(box)), None)
    if branch is None:
        return NothingPushed()
    return plan_push(box.origin, branch, repository=REPOSITORY)


def _feature_branches(box: Sandbox) -> list[str]:
    refs = _origin(box, "for-each-ref", "--format=%(refname:short)", "refs/heads/").stdout.split()
    return [r for r in refs if r.startswith("feature/")]


def _run_push(script: object, ex: str, lesson: str):
    """Run the learner's push commands in a fresh practice repository: (box, findings) or findings."""
    if script is not None and not isinstance(script, str):
        return None, [_not_text(ex, lesson, "PUSH_SCRIPT", script)]
    if not isinstance(script, str) or not _has_content(script):
        return None, [problem(ex, lesson, "no commands to run yet", "write them into PUSH_SCRIPT, "
                              "one per line, in place of the placeholder comment")]
    box = Sandbox()
    build_push_repo(box)
    main_before = _origin(box, "rev-parse", "main").stdout.strip()
    proc = box.run(script, timeout=30)
    findings = []
    if proc.returncode:
        from .module01 import _failure, _failure_hint

        findings.append(problem(ex, lesson, _failure(proc), _failure_hint(
            proc, "try the commands one at a time: practice.sh(\"...\")")))
    if _origin(box, "rev-parse", "main").stdout.strip() != main_before:
        findings.append(problem(ex, lesson, "main on origin changed: experiments go to a feature "
                                "branch, main changes only through a reviewed pull request",
                                "push the branch, never main", more=[
                                    "git push -u origin <your feature branch>"]))
    return box, findings


def check_push(script: object) -> Result:
    """Exercise 5a: a feature branch with an ML code change, pushed, so that training starts."""
    ex, lesson = "exercise-5-push", f"{LESSON}#push-plan"
    box, findings = _run_push(script, ex, lesson)
    if box is None:
        return result(findings)
    try:
        branches = _feature_branches(box)
        if not branches:
            local = box.run("git branch --format='%(refname:short)'").stdout.split()
            made = [b for b in local if b.startswith("feature/")]
            findings.append(problem(
                ex, lesson, "origin has no feature branch" + (
                    f" ({', '.join(made)} exists only in your repository: not pushed)" if made
                    else ""), "a workflow starts on GitHub only when the branch reaches it",
                more=[f"git switch -c {FEATURE_BRANCH}, commit a change, then "
                      f"git push -u origin {FEATURE_BRANCH}"]))
            return result(findings)
        push = pushed_plan(box, branches[0])
        if "train-on-push.yml" not in push.running:
            why = " ".join(l for l in push.plans["train-on-push.yml"].why
                           if not l.startswith("So the workflow")) if (
                "train-on-push.yml" in push.plans) else push.note
            findings.append(problem(
                ex, lesson, f"the push of {branches[0]} does not start train-on-push.yml: {why}",
                "training starts when a feature branch changes ML code: commit a change under "
                "src/, components/ or pipelines/ and push it", more=[
                    "e.g. change max_iter in src/train.py, git commit -am \"<what> <why>\", "
                    "git push -u origin <branch>"]))
        return result(findings)
    finally:
        box.close()


PLAN_QUESTIONS = {
    "workflows": "which workflow files does your push start? (a list of file names)",
    "jobs": "in which order does GitHub start train-on-push.yml's jobs? (a list of job ids)",
    "tags.branch": "which value does the training job's tags.branch get?",
}


def check_plan_reading(answer: object) -> Result:
    """Exercise 5b: what the plan of the learner's own push says, read back.

    ``answer`` is ``{"push": PUSH_SCRIPT, "reading": {...}}``: the push is run again in a fresh
    practice repository and its plan is what the reading is compared with.
    """
    ex, lesson = "exercise-5-plan", f"{LESSON}#push-plan"
    if not isinstance(answer, dict) or not isinstance(answer.get("reading"), dict):
        return result([problem(ex, lesson, "expected PLAN_READING to be a dict",
                               "see the answer cell")])
    reading = answer["reading"]
    missing = [k for k in PLAN_QUESTIONS if reading.get(k) in (None, "", [])]
    if missing:
        return result([problem(ex, lesson, f"{k}: not answered yet ({PLAN_QUESTIONS[k]})",
                               "read it off the plan your push printed", path=k) for k in missing])
    box, findings = _run_push(answer.get("push"), ex, lesson)
    if box is None:
        return result([replace(f, message="exercise 5a has no push to read the plan of yet")
                       for f in findings])
    try:
        branches = _feature_branches(box)
        push = pushed_plan(box, branches[0]) if branches else None
        if push is None or "train-on-push.yml" not in push.running:
            return result([problem(ex, lesson, "your push (exercise 5a) does not start training "
                                   "yet, so there is no training plan to read",
                                   "make exercise 5a pass first")])
        train = push.plans["train-on-push.yml"]
        truth = {
            "workflows": sorted(push.running),
            "jobs": [j.id for j in train.jobs],
            "tags.branch": push.ref.removeprefix("refs/heads/"),
        }
    finally:
        box.close()
    found = []
    given_workflows = reading["workflows"]
    if not isinstance(given_workflows, list) or sorted(
            Path(str(w)).name for w in given_workflows) != truth["workflows"]:
        found.append(problem(ex, lesson, f"workflows: {given_workflows!r} is not what the plan "
                             "says", "each `== .github/workflows/NAME: runs` line of the plan "
                             "names one that starts; the others say `does not run` and why",
                             path="workflows"))
    if not isinstance(reading["jobs"], list) or [str(j) for j in reading["jobs"]] != truth["jobs"]:
        found.append(problem(ex, lesson, f"jobs: {reading['jobs']!r} is not the order of the "
                             "plan", "the plan numbers the jobs in the order GitHub starts them: "
                             "a job that `needs` another comes after it", path="jobs"))
    if str(reading["tags.branch"]).strip().strip('"') != truth["tags.branch"]:
        found.append(problem(ex, lesson, f"tags.branch: {reading['tags.branch']!r} is not the "
                             "value the plan shows", "look at the line `as the shell runs it`: "
                             "$BRANCH is filled in there", path="tags.branch"))
    return result(findings + found)


# --- Knowledge check ------------------------------------------------------------------------------
# Questions and choices only: the right letters and the explanations are in keys/. Choices are of
# similar length, so that the longest is no clue (a test checks it).
QUIZ = {
    "KC_OIDC": {
        "question": "Why does train-on-push's Azure login need no stored Azure password?",
        "choices": {
            "a": "The client secret is kept encrypted in GitHub, so it is not stored.",
            "b": "Entra ID trusts a short-lived GitHub token with a subject it expects.",
            "c": "azure/login reads the service principal's password from the runner.",
            "d": "Any workflow may log in once the app registration has been created.",
        },
    },
    "KC_BASE": {
        "question": "A workflow has `on: pull_request: branches: [main]`. Kai opens a pull "
                    "request from feature/improve-churn-model into main. Does it run?",
        "choices": {
            "a": "No: the head branch, feature/improve-churn-model, is not in the list.",
            "b": "Only if the workflow also lists feature/** under its push branches.",
            "c": "Yes: for pull requests the list is matched against the base branch.",
        },
    },
    "KC_ENV": {
        "question": "Why does the training step take the branch name from `env:` (`BRANCH: "
                    "${{ github.ref_name }}`, then `\"$BRANCH\"`) rather than writing "
                    "`${{ github.ref_name }}` inside the script?",
        "choices": {
            "a": "Written inline, the name becomes part of the script and can run as code.",
            "b": "Only the env form works when a branch name contains a slash character.",
            "c": "GitHub masks env values in its logs, so branch names stay private there.",
            "d": "An env value is computed once per workflow, so the runs start sooner.",
        },
    },
    "KC_NEEDS": {
        "question": "The train job has `needs: unit-tests`. The unit tests fail on a push. What "
                    "happens to train?",
        "choices": {
            "a": "It runs beside the tests and is cancelled as soon as they fail.",
            "b": "It starts once the tests end and submits the job, marked failed.",
            "c": "It waits in the queue until someone re-runs the tests by hand.",
            "d": "It waits for the tests, then is skipped: no training is submitted.",
        },
    },
}
QUIZ_POINTS = 0.5


def quiz_text(questions: dict = QUIZ) -> str:
    """The knowledge check as plain text."""
    return _quiz_text(questions)


def check_quiz(answers: object) -> Result:
    """The knowledge check: ``answers`` maps question keys to letters (some or all of them)."""
    return judge_quiz(QUIZ, answers, _keys, lesson=f"{LESSON}#knowledge-check")


def choices_of(check: str, key: object) -> set:
    """The well-formed answers of one choice question (for the self-check's record)."""
    if check.startswith("02-predict"):
        return {True, False} if key in PUSHES or key == "your answer" else set()
    return set(QUIZ.get(key, {}).get("choices", ()))


CHECKS = {
    "02-predict": check_predictions,
    **{f"02-predict.{key}": one_question(check_predictions, key, "Exercise 1's push")
       for key in PUSHES},
    "02-filters": check_filters,
    "02-workflow": check_workflow,
    **{f"02-repair.{which}": check_repair(which) for which in BROKEN},
    "02-push": check_push,
    "02-plan": check_plan_reading,
    "02-quiz": check_quiz,
    **{f"02-quiz.{key}": one_question(check_quiz, key, "The knowledge check's question")
       for key in QUIZ},
}
KEYED = {"02-predict", "02-quiz", *(f"02-predict.{k}" for k in PUSHES),
         *(f"02-quiz.{k}" for k in QUIZ)}
CHOICES = set(KEYED)
