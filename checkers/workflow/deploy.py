"""The deploy-on-merge pattern: a merge to ``main`` registers the model, deploys it to staging,
smoke-tests staging and, behind the ``production`` environment's reviewers, deploys production.

These rules run for files named ``deploy-on-merge.yml`` (or with ``--pattern deploy-on-merge``);
``environment-undeclared`` runs for every workflow whose repository has a ``.github/settings.yml``.
"""
from __future__ import annotations

import re
from pathlib import Path

from .. import regexcache
from ..yamlnodes import CommentedMap, CommentedSeq

from ..registry import Problem, rule
from .context import WorkflowContext
from .general import OIDC_INPUTS
from .trigger import PR_EVENTS, evaluate
from .walk import EXPRESSION, close_matches, is_action, job_needs, run_text

LESSON = "03-environments"
PATTERN = "deploy-on-merge"
STATUS_FUNCTION = regexcache.compile(r"\b(always|failure|cancelled)\s*\(\s*\)")
RESULT_GUARD = regexcache.compile(r"\bneeds\.[\w*-]+\.result\b")
SMOKE = regexcache.compile(r"smoke", re.I)
INVOKE = regexcache.compile(r"\baz\s+ml\s+online-endpoint\s+invoke\b")
ONLINE = regexcache.compile(r"\baz\s+ml\s+online-(deployment|endpoint)\b")
SWALLOW = regexcache.compile(r"\|\|\s*(true|:|exit\s+0)(?=\s|$|;)")
TEST_COMMAND = regexcache.compile(r"smoke|invoke|pytest|\btest\b|curl|python|assert", re.I)
REGISTER = regexcache.compile(r"\baz\s+ml\s+model\s+(create|register|share)\b|\bmodels\.create_or_update\b"
                      r"|\bregister_model\s*\(")
AZ_ML = regexcache.compile(r"\baz\s+ml\b")
CLI_LOGIN = regexcache.compile(r"\baz\s+login\b[^\n]*--(federated-token|identity)\b")
MODEL_FILES = regexcache.compile(r"\.(pkl|pickle|joblib|pt|pth|onnx|h5|safetensors|ckpt)\b|\bmodels?/|\boutputs/")
GIT_ADD = regexcache.compile(r"\bgit\s+(add|commit|lfs\s+track)\b")
MERGE_FILES = ("src/train.py", "src/score.py", "components/train/component.yaml",
               "pipelines/training-pipeline.yaml", "environments/scoring-env.yaml",
               "config/hyperparameters.yaml", "deploy/deployment-production.yaml", "infra/main.bicep",
               "README.md")
OTHER_BRANCHES = ("feature/improve-churn-model", "develop", "release/1.0")
TAG = "v1.0.0"
# Environments GitHub creates itself, with their own protection (Pages: deploys from the
# publishing branch only); a settings file need not declare them.
AUTOMATIC = ("github-pages",)

STAGES_EXAMPLE = """\
jobs:
  deploy-staging:
    needs: register
    environment: staging
    ...
  deploy-production:
    needs: deploy-staging
    environment: production
    ..."""


def _applies(ctx: WorkflowContext) -> bool:
    return ctx.pattern == PATTERN and ctx.ok


def job_environment(job) -> tuple[str | None, object, object]:
    """(name, node, key) of a job's ``environment:`` (a name or ``{name: ...}``)."""
    if not isinstance(job, CommentedMap) or "environment" not in job:
        return None, None, None
    env = job["environment"]
    if isinstance(env, CommentedMap):
        name = env.get("name")
        return (name.strip() if isinstance(name, str) else None), env, "name"
    return (env.strip() if isinstance(env, str) else None), job, "environment"


def _named(ctx: WorkflowContext, name: str) -> list[str]:
    return [job_id for job_id, job in ctx.jobs.items()
            if (job_environment(job)[0] or "").lower() == name]


def upstream(jobs, job_id: str) -> set[str]:
    """Every job ``job_id`` waits for, directly or through other jobs."""
    found, queue = set(), list(job_needs(jobs.get(job_id)))
    while queue:
        name = queue.pop()
        if name in found or name not in jobs:
            continue
        found.add(name)
        queue.extend(job_needs(jobs[name]))
    return found


def is_smoke_step(step) -> bool:
    text = " ".join(str(step.get(k, "")) for k in ("name", "id", "uses"))
    return bool(SMOKE.search(text) or SMOKE.search(run_text(step)) or INVOKE.search(run_text(step)))


def smoke_steps(jobs, job_id: str) -> list:
    """The smoke-test steps of one job."""
    job = jobs.get(job_id)
    steps = job.get("steps") if isinstance(job, CommentedMap) else None
    return [s for s in steps if isinstance(s, CommentedMap) and is_smoke_step(s)] \
        if isinstance(steps, CommentedSeq) else []


def runs_after_failure(condition) -> bool:
    """Does this ``if:`` let the job run although a job it needs failed? A status function
    (``always()``, ``failure()``, ``cancelled()``, ``!cancelled()``) drops the implicit
    ``success()``; a check of ``needs.<job>.result`` puts a condition back."""
    text = regexcache.compile(r"!\s*failure\s*\(\s*\)").sub("", str(condition))
    return bool(STATUS_FUNCTION.search(text)) and not RESULT_GUARD.search(text)


def gate_jobs(ctx: WorkflowContext, production: str) -> tuple[set[str], set[str]]:
    """The staging jobs production waits for, and the jobs between them and production."""
    jobs = ctx.jobs
    before = upstream(jobs, production)
    staging = {j for j in _named(ctx, "staging") if j in before}
    between = {j for j in before if staging & upstream(jobs, j)}
    return staging, between


def reusable_calls(ctx: WorkflowContext) -> list[str]:
    """Jobs that call a reusable workflow (``uses:`` at job level): their steps and environment
    live in the called file, which this one cannot show."""
    return [j for j, job in ctx.jobs.items() if isinstance(job, CommentedMap) and "uses" in job]


def _hidden(ctx: WorkflowContext, jobs) -> tuple[list[str], list[str]]:
    called = [j for j in reusable_calls(ctx) if j in jobs]
    computed = [j for j in jobs if EXPRESSION.search(job_environment(ctx.jobs.get(j))[0] or "")]
    return called, computed


def _unseen(ctx: WorkflowContext, jobs) -> dict:
    """Report as info, not error, when the missing part may be inside a reusable workflow or
    behind an environment name computed at run time."""
    return {"severity": "info"} if any(_hidden(ctx, jobs)) else {}


def _called_note(ctx: WorkflowContext, jobs) -> str:
    called, computed = _hidden(ctx, jobs)
    notes = []
    for names, one, many in ((called, "calls a reusable workflow, which this file cannot show",
                              "call a reusable workflow, which this file cannot show"),
                             (computed, "computes the environment name at run time",
                              "compute the environment name at run time")):
        if names:
            listed = ", ".join(f"`{j}`" for j in names)
            notes.append(f"job {listed} {one}" if len(names) == 1 else f"jobs {listed} {many}")
    return f" ({'; '.join(notes)})" if notes else ""


def _jobs_anchor(ctx: WorkflowContext):
    return ctx.pos(ctx.data, "jobs") if "jobs" in ctx.data else (1, 1)


@rule("deploy-trigger", severity="error", scope="workflow", lesson=f"{LESSON}#deploy-on-merge")
def deploy_trigger(ctx: WorkflowContext):
    """The deployment must start on a push to ``main`` (a merge), and only then.

    ``main`` changes only through reviewed pull requests, so a push to ``main`` *is* a merge.
    Starting the deployment on ``pull_request`` would deploy code nobody has merged (and, from
    forks, code nobody on the team wrote); starting it on other branches or tags ships
    experiments. ``workflow_dispatch`` (re-run by hand) is fine. The checker asks the trigger
    simulator about a push to ``main``, pushes to ``feature/...``, ``develop`` and
    ``release/1.0``, a tag push and a pull request into ``main``::

        on:
          push:
            branches: [main]
          workflow_dispatch:
    """
    if not _applies(ctx):
        return
    line, col = ctx.pos(ctx.data, "on") if "on" in ctx.data else (1, 1)
    hint = "on:\n  push:\n    branches: [main]\n  workflow_dispatch:"
    if not evaluate(ctx.data, "push", branch="main", changed=MERGE_FILES).runs:
        why = [w for w in evaluate(ctx.data, "push", branch="main", changed=MERGE_FILES).explanation
               if not w.startswith("So the workflow")]
        yield Problem("a merge to `main` (a push to `main`) would not start the deployment: "
                      + " ".join(why)[:300], hint, path=ctx.display, line=line, column=col)
    wide = [b for b in OTHER_BRANCHES if evaluate(ctx.data, "push", branch=b, changed=MERGE_FILES).runs]
    if evaluate(ctx.data, "push", tag=TAG).runs:
        wide.append(f"tag {TAG}")
    if wide:
        yield Problem("pushes to " + ", ".join(wide) + " would deploy too, not only merges to `main`",
                      "on:\n  push:\n    branches: [main]", path=ctx.display, line=line, column=col)
    on = ctx.on
    events = list(on) if isinstance(on, (CommentedMap, CommentedSeq)) else [on]
    for event in events:
        if event in PR_EVENTS and any(
                evaluate(ctx.data, event, base=b, head="feature/x", changed=MERGE_FILES).runs
                for b in ("main", "develop")):
            where = ctx.pos(on, event) if isinstance(on, CommentedMap) else (line, col)
            yield Problem(f"`{event}` would deploy pull requests before anyone merged them",
                          f"remove `{event}` (run tests on pull requests in another workflow)",
                          path=ctx.display, line=where[0], column=where[1])
        elif isinstance(event, str) and event not in ("push", "workflow_dispatch") + PR_EVENTS:
            where = ctx.pos(on, event) if isinstance(on, CommentedMap) else (line, col)
            yield Problem(f"`{event}` also starts the deployment; the pattern deploys on merges "
                          "to `main` (and by hand with `workflow_dispatch`)",
                          f"remove `{event}`", path=ctx.display, line=where[0], column=where[1],
                          severity="warning")


@rule("deploy-stages", severity="error", scope="workflow", lesson=f"{LESSON}#promotion")
def deploy_stages(ctx: WorkflowContext):
    """Production must be deployed in the ``production`` environment, after the staging deploy.

    The environments carry the gates: ``production``'s required reviewers (and wait timer) hold
    the production job, its secrets and its OIDC subject. A production deploy without
    ``environment: production`` is not gated at all; without ``needs`` on the staging job
    (directly or through other jobs) it runs in parallel with staging, before anything was
    tested::

        jobs:
          deploy-staging:
            needs: register
            environment: staging
          deploy-production:
            needs: deploy-staging
            environment: production
    """
    if not _applies(ctx):
        return
    staging, production = _named(ctx, "staging"), _named(ctx, "production")
    line, col = _jobs_anchor(ctx)
    everything = list(ctx.jobs)
    if not staging:
        yield Problem("no job deploys with `environment: staging`" + _called_note(ctx, everything),
                      STAGES_EXAMPLE, path=ctx.display, line=line, column=col,
                      **_unseen(ctx, everything))
    if not production:
        yield Problem("no job deploys with `environment: production`, so no reviewer ever gates "
                      "the production deploy" + _called_note(ctx, everything), STAGES_EXAMPLE,
                      path=ctx.display, line=line, column=col, **_unseen(ctx, everything))
    for job_id in production:
        if staging and not set(staging) & upstream(ctx.jobs, job_id):
            job = ctx.jobs[job_id]
            where = ctx.pos(job, "needs") if "needs" in job else ctx.pos(ctx.jobs, job_id)
            yield Problem(f"job `{job_id}` deploys production without waiting for the staging job "
                          f"({', '.join(f'`{s}`' for s in staging)}): they would run side by side",
                          f"needs: {staging[0]}", path=ctx.display, line=where[0], column=where[1])


@rule("deploy-smoke-tests", severity="error", scope="workflow", lesson=f"{LESSON}#promotion")
def deploy_smoke_tests(ctx: WorkflowContext):
    """Production must wait for smoke tests against staging.

    A deploy that "succeeded" can still serve errors: the smoke test sends a known request to
    the staging endpoint and checks the answer, and only then may production follow. Put the
    test after the deploy step of the staging job, or in a job that ``needs`` the staging job
    and that the production job ``needs``. A step or job counts as a smoke test when its name,
    id or command says ``smoke``, or when it calls ``az ml online-endpoint invoke``::

        - name: Smoke test
          run: |
            az ml online-endpoint invoke --name "$ENDPOINT" \\
              --request-file tests/smoke/sample-request.json ...
    """
    if not _applies(ctx):
        return
    for job_id in _named(ctx, "production"):
        staging, between = gate_jobs(ctx, job_id)
        if not staging:
            continue  # deploy-stages explains
        if any(smoke_steps(ctx.jobs, j) for j in staging | between):
            continue
        job = ctx.jobs[job_id]
        where = ctx.pos(job, "needs") if "needs" in job else ctx.pos(ctx.jobs, job_id)
        gate = staging | between
        yield Problem(f"job `{job_id}` deploys production without smoke tests against staging "
                      "having passed first" + _called_note(ctx, gate), "add a `Smoke test` step at "
                      "the end of the staging job (az ml online-endpoint invoke ... --request-file "
                      "tests/smoke/...)", path=ctx.display, line=where[0], column=where[1],
                      **_unseen(ctx, gate))


@rule("deploy-gate-bypass", severity="error", scope="workflow", lesson=f"{LESSON}#gate-bypass")
def deploy_gate_bypass(ctx: WorkflowContext):
    """Production could run although the staging deploy or its smoke tests failed.

    ``needs`` stops a job when a job it waits for fails, unless the job's ``if:`` uses a status
    function (``always()``, ``failure()``, ``!cancelled()``) without checking the result.
    ``continue-on-error: true`` on the staging job, a job in between or a smoke or deploy step
    turns a failure into a pass, and so does ``|| true`` after the smoke test command. Any of
    them lets an untested model through to production. Remove them, or check the result::

        deploy-production:
          needs: [deploy-staging, smoke]
          if: ${{ !cancelled() && needs.smoke.result == 'success' }}
    """
    if not _applies(ctx):
        return
    reported: set[tuple] = set()
    for production in _named(ctx, "production"):
        staging, between = gate_jobs(ctx, production)
        if not staging:
            continue
        for job_id in sorted(between | {production}):
            job = ctx.jobs[job_id]
            if isinstance(job, CommentedMap) and "if" in job and runs_after_failure(job["if"]):
                key = (job_id, "if")
                if key not in reported:
                    reported.add(key)
                    line, col = ctx.pos(job, "if", value=True)
                    yield Problem(f"job `{job_id}` has `if: {job['if']}`, so it runs even when "
                                  "staging or its smoke tests failed"
                                  + (", and production follows it" if job_id != production else ""),
                                  "remove the `if:`, or require success: "
                                  "`if: ${{ !cancelled() && needs.<job>.result == 'success' }}`",
                                  path=ctx.display, line=line, column=col)
        for job_id in sorted(staging | between):
            yield from _swallowed(ctx, job_id, production, reported)


def _swallowing_line(script: str) -> str | None:
    """The line of a smoke-test script whose test command cannot fail (``... || true``); a
    ``|| true`` after, say, fetching logs is harmless (run steps stop at the first failure)."""
    for line in script.replace("\\\n", " ").splitlines():
        if SWALLOW.search(line) and TEST_COMMAND.search(line):
            return line
    return None


def _truthy(value) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def _swallowed(ctx: WorkflowContext, job_id: str, production: str, reported: set):
    job = ctx.jobs[job_id]
    if isinstance(job, CommentedMap) and _truthy(job.get("continue-on-error")) \
            and (job_id, "coe") not in reported:
        reported.add((job_id, "coe"))
        line, col = ctx.pos(job, "continue-on-error", value=True)
        yield Problem(f"job `{job_id}` has `continue-on-error: true`: when it fails, "
                      f"`{production}` still deploys production", "remove `continue-on-error`",
                      path=ctx.display, line=line, column=col)
    for i, step in ctx.steps(job):
        smoke, online = is_smoke_step(step), ONLINE.search(run_text(step))
        if not (smoke or online) or (job_id, i) in reported:
            continue
        what = "smoke test" if smoke else "deploy step"
        if _truthy(step.get("continue-on-error")):
            reported.add((job_id, i))
            line, col = ctx.pos(step, "continue-on-error", value=True)
            yield Problem(f"the {what} in job `{job_id}` has `continue-on-error: true`: when it "
                          f"fails, `{production}` still deploys production",
                          "remove `continue-on-error`", path=ctx.display, line=line, column=col)
        elif smoke and _swallowing_line(run_text(step)):
            reported.add((job_id, i))
            line, col = ctx.pos(step, "run", value=True)
            yield Problem(f"the smoke test in job `{job_id}` ends its test command with "
                          f"`{SWALLOW.search(_swallowing_line(run_text(step))).group(0)}`, so it "
                          "never fails",
                          "let the command fail: remove the `|| true`", path=ctx.display,
                          line=line, column=col)


@rule("deploy-registry", severity="error", scope="workflow", lesson=f"{LESSON}#deploy-on-merge")
def deploy_registry(ctx: WorkflowContext):
    """The deployment must register the model in Azure ML's registry, never commit it to Git.

    Staging and production must serve the *same* model version, and the version must lead
    back to its training run: that is what the model registry is for. Register the trained
    model (``az ml model create``, and ``az ml model share`` to a shared registry so the
    production workspace can use it), then deploy that version. A workflow that ``git add``\\ s
    a ``.pkl`` or ``models/`` folder puts weights into the history for good::

        - name: Register the model
          run: |
            az ml model create --name churn-model --type custom_model \\
              --path "azureml://jobs/${JOB_NAME}/outputs/trained_model" ...
    """
    if not _applies(ctx):
        return
    registers = False
    for job_id, job in ctx.jobs.items():
        for _, step in ctx.steps(job):
            text = run_text(step)
            registers = registers or bool(REGISTER.search(text))
            for line_text in text.splitlines():
                if GIT_ADD.search(line_text) and MODEL_FILES.search(line_text):
                    line, col = ctx.pos(step, "run", value=True)
                    yield Problem(f"job `{job_id}` commits model files to Git: `{line_text.strip()[:80]}`",
                                  "register the model instead: az ml model create --name ... "
                                  "--path azureml://jobs/<job>/outputs/<output>",
                                  path=ctx.display, line=line, column=col)
                    break
    if not registers:
        line, col = _jobs_anchor(ctx)
        everything = list(ctx.jobs)
        yield Problem("no step registers the model (`az ml model create` / `az ml model share`)"
                      + _called_note(ctx, everything),
                      "- name: Register the model\n  run: az ml model create --name churn-model "
                      "--type custom_model --path azureml://jobs/$JOB_NAME/outputs/trained_model ...",
                      path=ctx.display, line=line, column=col, **_unseen(ctx, everything))


@rule("deploy-oidc-login", severity="error", scope="workflow", lesson=f"{LESSON}#oidc-subjects")
def deploy_oidc_login(ctx: WorkflowContext):
    """Every job that runs ``az ml`` must first log in to Azure with OIDC.

    Each job runs on a fresh runner with no Azure session. Log in with ``azure/login``
    (``client-id``, ``tenant-id``, ``subscription-id``; the job needs ``id-token: write``) in
    every job that registers or deploys, before its first ``az ml`` command (``az login
    --federated-token`` or a runner's managed identity, ``--identity``, count too). The job's
    environment decides its OIDC subject (``repo:OWNER/REPO:environment:production``), so the
    Entra app needs one federated credential per environment (``checkers oidc`` predicts them)::

        - name: Azure login (OIDC)
          uses: azure/login@v2
          with:
            client-id: ${{ secrets.AZURE_CLIENT_ID }}
            tenant-id: ${{ secrets.AZURE_TENANT_ID }}
            subscription-id: ${{ secrets.AZURE_SUBSCRIPTION_ID }}
    """
    if not _applies(ctx):
        return
    for job_id, job in ctx.jobs.items():
        first = next(((i, s) for i, s in ctx.steps(job) if AZ_ML.search(run_text(s))), None)
        if first is None:
            continue
        index, step = first
        earlier = [s for j, s in ctx.steps(job) if j <= index]
        if any(CLI_LOGIN.search(run_text(s)) for s in earlier):
            continue  # `az login --federated-token` (OIDC by hand) or a managed identity
        logins = [s for s in earlier[:-1] if is_action(s, "azure/login")]
        if not logins:
            line, col = ctx.pos(step, "run")
            yield Problem(f"job `{job_id}` runs `az ml` without logging in to Azure first",
                          "add an azure/login step (client-id, tenant-id, subscription-id) before it",
                          path=ctx.display, line=line, column=col)
            continue
        inputs = logins[0].get("with")
        if not isinstance(inputs, CommentedMap) or "creds" in inputs \
                or not all(k in inputs for k in OIDC_INPUTS):
            line, col = ctx.pos(logins[0], "uses")
            yield Problem(f"the Azure login in job `{job_id}` does not use OIDC (client-id, "
                          "tenant-id and subscription-id, no creds)",
                          "with:\n  client-id: ${{ secrets.AZURE_CLIENT_ID }}\n"
                          "  tenant-id: ${{ secrets.AZURE_TENANT_ID }}\n"
                          "  subscription-id: ${{ secrets.AZURE_SUBSCRIPTION_ID }}",
                          path=ctx.display, line=line, column=col)


def find_settings(start: Path) -> Path | None:
    """``.github/settings.yml`` of the repository a workflow (``.github/workflows/X.yml``) is in."""
    workflows = start.parent
    if workflows.name != "workflows" or workflows.parent.name != ".github":
        return None
    for name in ("settings.yml", "settings.yaml"):
        candidate = workflows.parent / name
        if candidate.is_file():
            return candidate
    return None


def _settings_for(ctx: WorkflowContext):
    """The settings that declare this workflow's environments: given by ``checkers
    environments --workflow``, or the repository's ``.github/settings.yml``."""
    if "settings" in ctx.cache:
        return ctx.cache["settings"]
    found = find_settings(Path(ctx.path))
    settings = None
    if found is not None:
        # the environments package (dataclasses, inspect, typing, its rules) only for a
        # repository that has a settings file: most have none
        from ..environments.settings import Settings, SettingsError

        try:
            settings = Settings.from_path(found, str(Path(ctx.display).parent.parent / found.name))
        except SettingsError:
            settings = None
    ctx.cache["settings"] = settings
    return settings


@rule("environment-undeclared", severity="error", scope="workflow", lesson=f"{LESSON}#environments-as-code")
def environment_undeclared(ctx: WorkflowContext):
    """A job uses an environment that the settings file does not declare.

    GitHub creates an environment the first time a job names it, silently and with no
    protection rules: a typo such as ``environment: prodution`` deploys to production without
    reviewers, without the production secrets, and with an OIDC subject no federated credential
    matches. When the repository has ``.github/settings.yml`` (or ``checkers environments
    --workflow`` is given one), every name a job uses must be declared there (names are not
    case sensitive)::

        jobs:
          deploy-production:
            environment: production    # declared in .github/settings.yml

    For a deploy-on-merge workflow without a settings file, an info finding says the names
    could not be checked.
    """
    if not ctx.ok:
        return
    settings = _settings_for(ctx)
    if settings is None or settings.problem or not isinstance(settings.environments_node, CommentedSeq):
        if ctx.pattern == PATTERN and settings is None and any(
                job_environment(job)[0] for job in ctx.jobs.values()):
            line, col = _jobs_anchor(ctx)
            yield Problem("the environments' names cannot be checked: there is no "
                          "`.github/settings.yml` declaring them (GitHub creates a misspelt one "
                          "silently, unprotected)", "declare them in `.github/settings.yml` and "
                          "run `checkers environments .github/settings.yml --workflow "
                          f"{ctx.display}`", path=ctx.display, line=line, column=col,
                          severity="info")
        return
    declared = settings.names
    for job_id, job in ctx.jobs.items():
        name, node, key = job_environment(job)
        if not name or EXPRESSION.search(name) or settings.get(name) or name.lower() in AUTOMATIC:
            continue
        close = close_matches(name.lower(), [d.lower() for d in declared], n=1, cutoff=0.6)
        line, col = ctx.pos(node, key, value=True)
        listed = ", ".join(f"`{d}`" for d in declared) or "none"
        yield Problem(f"job `{job_id}` uses environment `{name}`, which {settings.display} does "
                      f"not declare (declared: {listed}); GitHub would create it with no "
                      "protection rules", f"environment: {close[0]}" if close else
                      f"declare `- name: {name}` in {settings.display}",
                      path=ctx.display, line=line, column=col)
