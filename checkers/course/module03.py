"""Module 03, environments and promotion: the checks behind each exercise.

Like :mod:`checkers.course.module01`: each ``check_*`` takes the learner's answer (plain data)
and returns a :class:`~checkers.findings.Result`; the notebook runs them in a separate process
(:mod:`checkers.course.selfcheck`). The workflow and settings exercises are judged by the
course's own checkers (the deploy-on-merge pattern, ``checkers environments``); the plan and
subject exercises by the simulators (``checkers promote``, ``checkers oidc``) run on the
scenario below. Only the knowledge check needs a key: it lives in the grader-only
:mod:`checkers.course.keys.module03`.
"""
from __future__ import annotations

from ..findings import Finding, Result
from .feedback import problem, result
from .quiz import judge_quiz, one_question, quiz_text as _quiz_text

LESSON = "03-environments"

# --- the scenario: NeuralSpark's deploy workflow and environments ----------------------------------
REPO, OWNER_ID, REPO_ID = "neuralspark/churn-model", 81234567, 912345678

# Every job signs in to Azure the same way: OIDC (a token per job, no stored password).
_LOGIN = """\
    permissions:
      id-token: write
      contents: read
    steps:
      - uses: azure/login@v2
        with:
          client-id: ${{ secrets.AZURE_CLIENT_ID }}
          tenant-id: ${{ secrets.AZURE_TENANT_ID }}
          subscription-id: ${{ secrets.AZURE_SUBSCRIPTION_ID }}
"""
_WORKFLOW = """\
name: Deploy on merge
on:
  push:
    branches: [main]
permissions:
  contents: read
jobs:
  register:
    runs-on: ubuntu-latest
{login}      - run: az ml model create --name churn-model --path azureml://jobs/latest/outputs/model --registry-name neuralspark-registry
  deploy-staging:
    needs: register
    environment: staging
    runs-on: ubuntu-latest
{login}      - run: az ml online-deployment update --file deploy/staging.yaml
  smoke-test:
    needs: deploy-staging
    environment: staging
    runs-on: ubuntu-latest
{login}      - name: Smoke test
        run: az ml online-endpoint invoke --name churn-staging --request-file tests/smoke/request.json
  deploy-production:
    needs: smoke-test
    environment: production
    runs-on: ubuntu-latest
{login}      - run: az ml online-deployment update --file deploy/production.yaml
"""
SCENARIO_WORKFLOW = _WORKFLOW.format(login=_LOGIN)

SCENARIO_SETTINGS = """\
environments:
  - name: staging
  - name: production
    wait_timer: 30
    prevent_self_review: true
    reviewers:
      - type: Team
        id: 7654321
    deployment_branch_policy:
      protected_branches: false
      custom_branch_policies: true
      custom_branches: [main]
"""

# The same workflow after someone "fixed" flaky smoke tests: production no longer waits for them.
BYPASS_WORKFLOW = SCENARIO_WORKFLOW.replace(
    "  smoke-test:\n    needs: deploy-staging\n",
    "  smoke-test:\n    needs: deploy-staging\n    continue-on-error: true\n").replace(
    "  deploy-production:\n    needs: smoke-test\n",
    "  deploy-production:\n    needs: smoke-test\n    if: always()\n")

# Federated credentials of the Entra app registration. The repository was renamed in August 2026,
# so its tokens carry immutable ids; two credentials were written before that, by hand,
# and one has a typo in its letter case.
_IDS = f"repo:neuralspark@{OWNER_ID}/churn-model@{REPO_ID}"
CREDENTIALS = f"""\
- name: github-main-2025
  subject: repo:{REPO}:ref:refs/heads/main
- name: github-staging
  subject: {_IDS}:environment:staging
- name: github-production
  subject: {_IDS}:environment:Production
"""
NO_MATCH, CASE_ONLY = "AADSTS700213", "AADSTS7002138"


def _text_answer(ex: str, lesson: str, text: object, variable: str) -> list[Finding]:
    if not isinstance(text, str) or not any(
            line.strip() and not line.lstrip().startswith("#") for line in text.splitlines()):
        return [problem(ex, lesson, f"{variable} holds no YAML yet",
                        f"write the file into {variable}, in place of the placeholder comment")]
    return []


# --- Exercise 1: the deploy workflow -----------------------------------------------------------------
def check_deploy_workflow(text: object) -> Result:
    """Exercise 1: a ``deploy-on-merge.yml``, judged by the deploy-on-merge pattern (errors fail)."""
    ex, lesson = "exercise-1-deploy", f"{LESSON}#deploy-on-merge"
    empty = _text_answer(ex, lesson, text, "DEPLOY_WORKFLOW")
    if empty:
        return result(empty)
    from ..workflow import check_workflow_text

    # environment-undeclared's info asks for a settings file: that is the next exercise
    found = check_workflow_text(text, name="deploy-on-merge.yml", pattern="deploy-on-merge",
                                ignore=["environment-undeclared"])
    return result(found.findings, found.notes)


# --- Exercise 2: the environments ---------------------------------------------------------------------
def check_settings(text: object) -> Result:
    """Exercise 2: ``.github/settings.yml``, judged by ``checkers environments`` against the
    scenario's workflow (errors fail), plus what this exercise asks: staging automatic (the
    checker's warning counts as an error here), a soak (wait timer) before production and a
    branch policy on production."""
    ex, lesson = "exercise-2-environments", f"{LESSON}#environments-as-code"
    empty = _text_answer(ex, lesson, text, "SETTINGS")
    if empty:
        return result(empty)
    from dataclasses import replace

    from ..environments import check_settings_text
    from ..environments.settings import Settings

    found = check_settings_text(text, workflows=[SCENARIO_WORKFLOW])
    findings = [replace(f, severity="error") if f.rule == "environments-staging-automatic" else f
                for f in found.findings]
    if not any(f.severity == "error" and f.rule == "environments-format" for f in findings):
        settings = Settings.from_text(text)
        production = settings.get("production")
        if production is not None and not settings.problem:
            if not production.wait_minutes:
                findings.append(problem(
                    ex, f"{LESSON}#required-reviewers", "production has no wait timer, so the "
                    "model gets no time in staging before production deploys",
                    "a soak period in staging is a wait timer on production",
                    more=["add `wait_timer: 30` to the production environment"],
                    path=".github/settings.yml"))
            if production.branch_policy is None:
                findings.append(problem(
                    ex, f"{LESSON}#branch-policy", "production has no deployment branch policy, so "
                    "a workflow run from any branch may deploy to it",
                    "only what was merged to main should reach production",
                    more=["deployment_branch_policy: {protected_branches: false, "
                          "custom_branch_policies: true, custom_branches: [main]}"],
                    path=".github/settings.yml"))
    return result(findings, found.notes)


# --- Exercise 3: predict the plan ---------------------------------------------------------------------
GATE_KINDS = ("wait_timer", "required_reviewers", "branch_policy")
STATES = ("succeeded", "failed", "skipped")


def scenario_plan():
    from ..environments.promote import plan

    return plan(SCENARIO_WORKFLOW, SCENARIO_SETTINGS)


def check_plan(answer: object) -> Result:
    """Exercise 3: ``answer`` predicts the scenario's merge to main: ``order`` (jobs in run order),
    ``gates`` (job -> list of gate kinds) and ``smoke_fails`` (job -> state when the smoke test
    fails and the reviewers would approve); compared with ``checkers promote``."""
    ex, lesson = "exercise-3-plan", f"{LESSON}#promotion"
    if not isinstance(answer, dict) or not {"order", "gates", "smoke_fails"} <= set(answer):
        return result([problem(ex, lesson, "expected a dict with `order`, `gates` and "
                               "`smoke_fails`", "keep the three keys of the starter PLAN")])
    truth = scenario_plan()
    jobs = [s.job for s in truth.stages]
    findings = []
    order = answer["order"]
    if not isinstance(order, list) or sorted(map(str, order)) != sorted(jobs):
        findings.append(problem(ex, lesson, f"`order` must list each job once: {', '.join(jobs)} "
                                f"(it holds {order!r})", "copy the job ids from the workflow",
                                path="order"))
    elif list(order) != jobs:
        findings.append(problem(ex, lesson, f"`order`: {' → '.join(order)} is not the order the "
                                "jobs run in", "a job starts only when every job it `needs` "
                                "has succeeded", more=["follow the `needs:` lines from the job "
                                                       "that needs nothing"], path="order"))
    gates = answer["gates"]
    if not isinstance(gates, dict):
        findings.append(problem(ex, lesson, "`gates` must map each job to a list of gate kinds",
                                f"use {', '.join(GATE_KINDS)} (an empty list: no gate)",
                                path="gates"))
    else:
        for stage in truth.stages:
            given = gates.get(stage.job)
            want = sorted(g["type"] for g in stage.gates)
            if not isinstance(given, list) or any(g not in GATE_KINDS for g in given):
                findings.append(problem(ex, lesson, f"`gates[{stage.job!r}]` is {given!r}, not a "
                                        "list of gate kinds", f"a list of {', '.join(GATE_KINDS)}"
                                        " (empty: the job starts at once)", path=stage.job))
            elif sorted(given) != want:
                findings.append(problem(ex, lesson, f"`gates[{stage.job!r}]`: {given} are not the "
                                        "gates this job waits for", "gates belong to the "
                                        "environment a job uses: look it up in the settings",
                                        more=["an environment without reviewers, timer or branch "
                                              "policy has no gate; `main` passes a policy that "
                                              "allows `main`"], path=stage.job))
    states = {e["job"]: e["state"] for e in truth.walkthrough(approve=True, smoke_passes=False)}
    smoke = answer["smoke_fails"]
    if not isinstance(smoke, dict):
        findings.append(problem(ex, lesson, "`smoke_fails` must map each job to a state",
                                f"use {', '.join(STATES)}", path="smoke_fails"))
    else:
        for job, state in states.items():
            given = smoke.get(job)
            if given not in STATES:
                findings.append(problem(ex, lesson, f"`smoke_fails[{job!r}]` is {given!r}",
                                        f"one of {', '.join(STATES)}", path=job))
            elif given != state:
                findings.append(problem(ex, lesson, f"`smoke_fails[{job!r}]`: `{given}` is not "
                                        "what happens to this job when the smoke test fails",
                                        "a job whose `needs` did not all succeed is skipped",
                                        more=["the failing step fails its own job; jobs before "
                                              "it have already succeeded"], path=job))
    return result(findings)


# --- Exercise 4: close the bypass ---------------------------------------------------------------------
def check_bypass(text: object) -> Result:
    """Exercise 4: the repaired workflow: the pattern finds no error, and the four jobs are still
    there, production still after the smoke test."""
    ex, lesson = "exercise-4-bypass", f"{LESSON}#gate-bypass"
    empty = _text_answer(ex, lesson, text, "REPAIRED")
    if empty:
        return result(empty)
    from ..workflow import check_workflow_text
    from ..workflow.deploy import upstream

    found = check_workflow_text(text, name="deploy-on-merge.yml", pattern="deploy-on-merge",
                                ignore=["environment-undeclared"])
    findings = list(found.findings)
    if not found.errors:
        from ..yamlload import load

        data = load(text)[0]
        jobs = data.get("jobs") if isinstance(data, dict) else None
        missing = [j for j in ("register", "deploy-staging", "smoke-test", "deploy-production")
                   if not isinstance(jobs, dict) or j not in jobs]
        if missing:
            findings.append(problem(ex, lesson, f"the job(s) {', '.join(missing)} are gone",
                                    "repair the gate; keep every stage of the deployment"))
        elif "smoke-test" not in upstream(jobs, "deploy-production"):
            findings.append(problem(ex, lesson, "deploy-production no longer waits for the smoke "
                                    "test", "keep `needs: smoke-test` on deploy-production"))
    return result(findings, found.notes)


# --- Exercise 5: subjects and credentials -------------------------------------------------------------
def scenario_subjects():
    from ..environments.oidc import subjects

    return subjects(SCENARIO_WORKFLOW, REPO, "push", branch="main", owner_id=OWNER_ID,
                    repo_id=REPO_ID, credentials=CREDENTIALS)


def check_subjects(answer: object) -> Result:
    """Exercise 5: ``answer["subjects"]`` gives each job's OIDC subject for the merge to main,
    ``answer["logins"]`` the credential that matches it or the error Azure gives."""
    ex, lesson = "exercise-5-subjects", f"{LESSON}#oidc-subjects"
    if not isinstance(answer, dict) or not isinstance(answer.get("subjects"), dict) \
            or not isinstance(answer.get("logins"), dict):
        return result([problem(ex, lesson, "expected {\"subjects\": {...}, \"logins\": {...}}",
                               "fill in SUBJECTS and LOGINS in the answer cell")])
    truth = scenario_subjects()
    findings = []
    for job, s in truth.jobs.items():
        given = answer["subjects"].get(job)
        if not isinstance(given, str) or not given.strip():
            findings.append(problem(ex, lesson, f"SUBJECTS[{job!r}] is not filled in",
                                    "write the `sub` claim of this job's token", path=job))
        elif given.strip() != s.subject:
            hint = ("a job that uses an environment gets `...:environment:NAME`, whatever the "
                    "event" if s.environment else "a job without an environment gets the ref: "
                    "`...:ref:refs/heads/BRANCH`")
            findings.append(problem(ex, lesson, f"SUBJECTS[{job!r}] = {given!r} is not the "
                                    "subject of this job's token", hint, more=[
                                        "this repository was renamed after 2026-07-15: "
                                        "`repo:OWNER@OWNER_ID/REPO@REPO_ID:...`"], path=job))
    for job, s in truth.jobs.items():
        want = s.error or s.match
        given = answer["logins"].get(job)
        if not isinstance(given, str) or not given.strip():
            findings.append(problem(ex, lesson, f"LOGINS[{job!r}] is not filled in",
                                    f"a credential's name, or {NO_MATCH} / {CASE_ONLY}", path=job))
        elif given.strip() != want:
            findings.append(problem(ex, lesson, f"LOGINS[{job!r}] = {given!r} is not what Entra "
                                    "does with this job's token", "Entra compares the subject "
                                    "with each credential exactly, letter case included",
                                    more=[f"{NO_MATCH}: no credential matches at all; {CASE_ONLY}: "
                                          "one matches only if letter case is ignored"], path=job))
    return result(findings)


# --- Knowledge check ----------------------------------------------------------------------------------
QUIZ = {
    "KC_APPROVAL": {
        "question": "Kai must make sure that no model reaches production without a review by the "
                    "team. What should he configure for the deployment workflow?",
        "choices": {
            "a": "A rule on main that requires two approvals on every pull request.",
            "b": "A production environment with required reviewers, used by the job.",
            "c": "A workflow_dispatch trigger, so that a person starts each deploy.",
            "d": "A CODEOWNERS file that names the ML team for the workflow files.",
        },
    },
    "KC_WAIT": {
        "question": "The production environment has `wait_timer: 30`. What does it do?",
        "choices": {
            "a": "Reviewers get 30 minutes to decide; after that GitHub approves it.",
            "b": "The staging job waits 30 minutes before its smoke tests may start.",
            "c": "The production job starts 30 minutes after it is triggered at best.",
            "d": "A production deploy that runs longer than 30 minutes is cancelled.",
        },
    },
    "KC_PLAN": {
        "question": "NeuralSpark's repository is private, on GitHub Free. The Settings page "
                    "offers no required reviewers for production. Why?",
        "choices": {
            "a": "Reviewers are offered only after the first deploy to production ran.",
            "b": "Only organization owners see the setting; ask one to switch it on.",
            "c": "Environments exist in public repositories only, on every GitHub plan.",
            "d": "Private repositories get this rule only with GitHub Enterprise plans.",
        },
    },
    "KC_SUBJECT": {
        "question": "The production job's azure/login fails with AADSTS7002138. What is wrong?",
        "choices": {
            "a": "A credential's subject equals the token's only if letter case is ignored.",
            "b": "No federated credential of the app has a subject anywhere near the token's.",
            "c": "The workflow lacks `id-token: write`, so GitHub issued no token at all.",
            "d": "The app's client secret expired and must be rotated in the Key Vault.",
        },
    },
}
QUIZ_POINTS = 0.5


def quiz_text(questions: dict = QUIZ) -> str:
    """The questions and their choices as plain text (readable where widgets are not)."""
    return _quiz_text(questions)


def check_quiz(answers: object) -> Result:
    """The knowledge check: ``answers`` maps question keys to letters (some or all of them)."""
    from .answer_keys import load_for

    return judge_quiz(QUIZ, answers, lambda found: load_for("module03", found),
                      lesson=LESSON + "#knowledge-check")


CHECKS = {
    "03-deploy": check_deploy_workflow,
    "03-environments": check_settings,
    "03-plan": check_plan,
    "03-bypass": check_bypass,
    "03-subjects": check_subjects,
    "03-quiz": check_quiz,
    **{f"03-quiz.{key}": one_question(check_quiz, key, "The knowledge check's question")
       for key in QUIZ},
}
KEYED = {"03-quiz", *(f"03-quiz.{key}" for key in QUIZ)}
CHOICES = {"03-quiz", *(f"03-quiz.{key}" for key in QUIZ)}


# --- the notebook's pictures ----------------------------------------------------------------------
def walkthrough_text(plan) -> str:
    """Every ending of the walk-through as plain text: the fallback wherever widgets do not run."""
    blocks = []
    for approve, smoke in ((True, True), (False, True), (True, False)):
        title = (f"reviewers {'approve' if approve else 'reject'}, smoke test "
                 f"{'passes' if smoke else 'fails'}:")
        events = plan.walkthrough(approve=approve, smoke_passes=smoke)
        blocks.append("\n".join([title, *(f"  - {e['text']}" for e in events)]))
    return "\n\n".join(blocks)


def walkthrough_widget(plan):
    """An approve/reject walk-through of ``plan``: the deploy waits at production's gate, then
    proceeds or stops; the picture is redrawn with each job's state. Displays itself, with a
    plain-text copy of every ending for front ends without widgets."""
    import html

    import ipywidgets as w
    from IPython.display import display

    smoke = w.Checkbox(value=False, description="the smoke test fails", indent=False)
    approve = w.Button(description="Approve", button_style="success")
    reject = w.Button(description="Reject", button_style="danger")
    picture, story = w.HTML(), w.HTML()

    def show(events, waiting: str | None = None) -> None:
        states = {e["job"]: e["state"] for e in events}
        if waiting:
            states[waiting] = "waiting"
        picture.value = plan.draw(states).svg
        story.value = "<ul>" + "".join(f"<li>{html.escape(e['text'])}</li>" for e in events) + "</ul>"

    def at_gate(_=None) -> None:
        """The run as far as the first job with required reviewers: it waits there."""
        events = plan.walkthrough(approve=True, smoke_passes=not smoke.value)
        gated = next((s.job for s in plan.stages
                      if any(g["type"] == "required_reviewers" for g in s.gates)), None)
        shown = []
        for e in events:
            if e["job"] == gated and e["state"] != "skipped":
                shown.append({"job": gated, "state": "waiting",
                              "text": f"{gated}: waiting for a reviewer (Approve or Reject)"})
                break
            shown.append(e)
        show([e for e in shown if e["state"] != "waiting"], gated if shown and
             shown[-1]["state"] == "waiting" else None)
        story.value += ("<p>Waiting for a reviewer: press Approve or Reject.</p>"
                        if shown and shown[-1]["state"] == "waiting" else
                        "<p>The run stopped before the gate: nobody is asked to approve.</p>")

    approve.on_click(lambda _: show(plan.walkthrough(approve=True, smoke_passes=not smoke.value)))
    reject.on_click(lambda _: show(plan.walkthrough(approve=False, smoke_passes=not smoke.value)))
    smoke.observe(at_gate, names="value")
    at_gate()
    box = w.VBox([w.HBox([smoke, approve, reject]), picture, story])
    plain = walkthrough_text(plan)
    display({"application/vnd.jupyter.widget-view+json": {
                 "model_id": box.model_id, "version_major": 2, "version_minor": 0},
             "text/plain": plain,
             "text/html": "<pre>" + html.escape(plain) + "</pre>"}, raw=True)
    return box
