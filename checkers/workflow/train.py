"""The train-on-push pattern: feature-branch pushes that change ML code train in the dev workspace.

These rules run for files named ``train-on-push.yml`` (or with ``--pattern train-on-push``).
"""
from __future__ import annotations

import re

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from ..registry import Problem, rule
from .context import WorkflowContext
from .general import OIDC_INPUTS
from .trigger import evaluate
from .walk import env_chain, is_action, job_needs, run_text

LESSON = "02-github-actions"
PATTERN = "train-on-push"
JOB_CREATE = re.compile(r"\baz\s+ml\s+job\s+create\b")
ML_EXTENSION = re.compile(r"\baz\s+extension\s+add\b[^\n]*(--name|-n)[ =]+ml\b")
TESTS = re.compile(r"\b(pytest|unittest|tox|nox|make\s+test)\b")
SET_ARG = re.compile(r"--set\s+[\"']?(?:display_name|tags\.[\w.-]+)=(?:\"[^\"]*\"|'[^']*'|\S+)")
FILE_ARG = re.compile(r"(?:--file|-f)[ =]+[\"']?([^\s\"'\\]+)")

EXAMPLE_STEP = """\
- name: Submit training job
  env:
    BRANCH: ${{ github.ref_name }}
    COMMIT: ${{ github.sha }}
  run: |
    az ml job create --file pipelines/training-pipeline.yaml \\
      --resource-group rg-ml-dev --workspace-name neuralspark-dev \\
      --set display_name="train-$COMMIT" \\
      --set tags.branch="$BRANCH" --set tags.commit="$COMMIT\""""


def _applies(ctx: WorkflowContext) -> bool:
    return ctx.pattern == PATTERN and ctx.ok


def training_steps(ctx: WorkflowContext):
    """(job id, job, step index, step) of every step that submits an Azure ML job."""
    for job_id, job in ctx.jobs.items():
        for i, step in ctx.steps(job):
            if JOB_CREATE.search(run_text(step)):
                yield job_id, job, i, step


def _anchor(ctx: WorkflowContext):
    """Where to report a whole-workflow problem: the training step, else the jobs key."""
    for _job_id, _job, _i, step in training_steps(ctx):
        return ctx.pos(step, "run")
    return ctx.pos(ctx.data, "jobs") if "jobs" in ctx.data else (1, 1)


def _push(ctx: WorkflowContext):
    on = ctx.on
    if isinstance(on, CommentedMap):
        return on.get("push", "missing") if "push" in on else "missing"
    if on == "push" or (isinstance(on, CommentedSeq) and "push" in on):
        return None  # push without filters
    return "missing"


FEATURE = "feature/improve-churn-model"
NOT_FEATURE = ("main", "master", "develop", "release/1.0", "hotfix/login")
ML_FILES = ("src/train.py", "components/train/component.yaml", "pipelines/training-pipeline.yaml")
NOT_ML_FILES = ("README.md", "docs/index.md", "notebooks/explore.ipynb", "tests/test_score.py",
                "infra/main.bicep")


def _runs(ctx: WorkflowContext, **push) -> bool:
    """Would a push start this workflow? The trigger simulator decides, with GitHub's semantics."""
    return evaluate(ctx.data, "push", **push).runs


@rule("train-trigger", severity="error", scope="workflow", lesson=f"{LESSON}#train-on-push")
def train_trigger(ctx: WorkflowContext):
    """Training must start on pushes to feature branches, and only those.

    Experiments happen on ``feature/...`` branches; ``main`` changes only by reviewed merges,
    which start the deployment workflow instead. A push trigger without a branch filter trains
    on every branch (``main`` included), burning compute and muddling the experiment history.
    The checker asks the trigger simulator (``checkers trigger``) what GitHub would do for a
    push to ``feature/improve-churn-model`` and to ``main``, ``develop``, ``release/1.0`` ...::

        on:
          push:
            branches: ['feature/**']
    """
    if not _applies(ctx):
        return
    push = _push(ctx)
    line, col = ctx.pos(ctx.data, "on")
    if push == "missing":
        yield Problem("the workflow does not start on `push`",
                      "on:\n  push:\n    branches: ['feature/**']", path=ctx.display, line=line, column=col)
        return
    if isinstance(push, CommentedMap) and "branches" in push:
        line, col = ctx.pos(push, "branches", value=True)
    elif isinstance(push, CommentedMap) and "branches-ignore" in push:
        line, col = ctx.pos(push, "branches-ignore", value=True)
    wide = [b for b in NOT_FEATURE if _runs(ctx, branch=b, changed=ML_FILES)]
    if wide:
        yield Problem(f"pushes to {', '.join(wide)} would train too, not just feature branches",
                      "on:\n  push:\n    branches: ['feature/**']", path=ctx.display, line=line, column=col)
    if not _runs(ctx, branch=FEATURE, changed=ML_FILES):
        explanation = evaluate(ctx.data, "push", branch=FEATURE, changed=ML_FILES).explanation
        yield Problem(f"a push to `{FEATURE}` that changes ML code would not train: "
                      + " ".join(explanation[:-1])[:300],
                      "branches: ['feature/**']", path=ctx.display, line=line, column=col)


@rule("train-paths", severity="error", scope="workflow", lesson=f"{LESSON}#train-on-push")
def train_paths(ctx: WorkflowContext):
    """Training must start only when ML code changes (a ``paths`` filter).

    A typo fixed in the README should not start a training run, and a change to the training
    script must. Limit the trigger to the code that changes what a run produces: ``src/``,
    ``components/`` and ``pipelines/`` (``environments/`` and ``config/`` may be added). The
    checker asks the trigger simulator about pushes that change ``src/train.py``, a component,
    the pipeline, and files such as ``README.md`` or ``docs/index.md``::

        on:
          push:
            branches: ['feature/**']
            paths: ['src/**', 'components/**', 'pipelines/**']
    """
    if not _applies(ctx):
        return
    push = _push(ctx)
    if push == "missing" or not _runs(ctx, branch=FEATURE, changed=ML_FILES):
        return  # train-trigger explains why nothing runs
    has_paths = isinstance(push, CommentedMap) and ("paths" in push or "paths-ignore" in push)
    if has_paths:
        key = "paths" if "paths" in push else "paths-ignore"
        line, col = ctx.pos(push, key, value=True)
    else:
        line, col = ctx.pos(ctx.on, "push") if isinstance(ctx.on, CommentedMap) else ctx.pos(ctx.data, "on")
    noise = [f for f in NOT_ML_FILES if _runs(ctx, branch=FEATURE, changed=[f])]
    if noise:
        what = "has no `paths` filter, so" if not has_paths else "is too wide:"
        yield Problem(f"`on.push` {what} a push that changes only {', '.join(noise)} would train",
                      "paths: ['src/**', 'components/**', 'pipelines/**']",
                      path=ctx.display, line=line, column=col)
    missed = [f for f in ML_FILES if not _runs(ctx, branch=FEATURE, changed=[f])]
    if missed:
        yield Problem(f"a push that changes {', '.join(missed)} would not retrain",
                      "paths: ['src/**', 'components/**', 'pipelines/**']",
                      path=ctx.display, line=line, column=col)


@rule("train-job-create", severity="error", scope="workflow", lesson=f"{LESSON}#train-on-push")
def train_job_create(ctx: WorkflowContext):
    """The workflow must submit the training pipeline with ``az ml job create --file``.

    The workflow does not train on the GitHub runner: it hands the pipeline definition
    (``pipelines/training-pipeline.yaml``) to Azure ML, which runs it on the workspace's compute
    and records it with MLflow. Submit it to the dev workspace::

        - name: Submit training job
          env:
            BRANCH: ${{ github.ref_name }}
            COMMIT: ${{ github.sha }}
          run: |
            az ml job create --file pipelines/training-pipeline.yaml \\
              --resource-group rg-ml-dev --workspace-name neuralspark-dev \\
              --set display_name="train-$COMMIT" \\
              --set tags.branch="$BRANCH" --set tags.commit="$COMMIT"
    """
    if not _applies(ctx):
        return
    steps = list(training_steps(ctx))
    line, col = _anchor(ctx)
    if not steps:
        yield Problem("no step submits the training pipeline (`az ml job create --file ...`)",
                      EXAMPLE_STEP, path=ctx.display, line=line, column=col)
        return
    for _job_id, _job, _i, step in steps:
        match = FILE_ARG.search(run_text(step))
        line, col = ctx.pos(step, "run", value=True)
        if not match:
            yield Problem("`az ml job create` has no `--file`", "--file pipelines/training-pipeline.yaml",
                          path=ctx.display, line=line, column=col)
        elif not match.group(1).startswith(("pipelines/", "./pipelines/")):
            yield Problem(f"`az ml job create --file {match.group(1)}` does not submit a pipeline "
                          "from `pipelines/`", "--file pipelines/training-pipeline.yaml",
                          path=ctx.display, line=line, column=col)


def _before(ctx: WorkflowContext, job, index: int, predicate) -> bool:
    return any(predicate(step) for i, step in ctx.steps(job) if i < index)


@rule("train-checkout", severity="error", scope="workflow", lesson=f"{LESSON}#train-on-push")
def train_checkout(ctx: WorkflowContext):
    """The job submits repository files without checking the repository out first.

    A job starts on an empty runner: ``pipelines/training-pipeline.yaml`` and ``src/`` are not
    there until ``actions/checkout`` puts them there, in the same job, before the step that uses
    them (each job has its own runner)::

        steps:
          - uses: actions/checkout@v4
            with:
              persist-credentials: false
    """
    if not _applies(ctx):
        return
    for job_id, job, i, step in training_steps(ctx):
        if not _before(ctx, job, i, lambda s: is_action(s, "actions/checkout")):
            line, col = ctx.pos(step, "run")
            yield Problem(f"job `{job_id}` uses the repository's files but never checks it out "
                          "before this step", "add `- uses: actions/checkout@v4` as the job's "
                          "first step", path=ctx.display, line=line, column=col)


@rule("train-oidc-login", severity="error", scope="workflow", lesson=f"{LESSON}#oidc")
def train_oidc_login(ctx: WorkflowContext):
    """The training job must log in to Azure with OIDC before it submits the job.

    ``az ml`` commands need an Azure session. ``azure/login`` with ``client-id``,
    ``tenant-id`` and ``subscription-id`` (from secrets or variables) and the job's
    ``id-token: write`` permission gets one without any stored password::

        - name: Azure login (OIDC)
          uses: azure/login@v2
          with:
            client-id: ${{ secrets.AZURE_CLIENT_ID }}
            tenant-id: ${{ secrets.AZURE_TENANT_ID }}
            subscription-id: ${{ secrets.AZURE_SUBSCRIPTION_ID }}
    """
    if not _applies(ctx):
        return
    for job_id, job, i, step in training_steps(ctx):
        logins = [s for j, s in ctx.steps(job) if j < i and is_action(s, "azure/login")]
        line, col = ctx.pos(step, "run")
        if not logins:
            yield Problem(f"job `{job_id}` runs `az ml job create` without logging in to Azure first",
                          "add an azure/login step (OIDC inputs) before it", path=ctx.display,
                          line=line, column=col)
            continue
        inputs = logins[0].get("with")
        if not isinstance(inputs, CommentedMap) or not all(k in inputs for k in OIDC_INPUTS):
            line, col = ctx.pos(logins[0], "uses")
            yield Problem("the Azure login does not use OIDC (client-id, tenant-id and "
                          "subscription-id)", "with:\n  client-id: ${{ secrets.AZURE_CLIENT_ID }}\n"
                          "  tenant-id: ${{ secrets.AZURE_TENANT_ID }}\n"
                          "  subscription-id: ${{ secrets.AZURE_SUBSCRIPTION_ID }}",
                          path=ctx.display, line=line, column=col)


@rule("train-ml-extension", severity="error", scope="workflow", lesson=f"{LESSON}#train-on-push")
def train_ml_extension(ctx: WorkflowContext):
    """The Azure ML CLI extension must be installed before ``az ml`` is used.

    The Azure CLI on GitHub's runners does not include the ``ml`` extension; without it,
    ``az ml job create`` fails with "'ml' is misspelled or not recognized"::

        - run: az extension add --name ml
    """
    if not _applies(ctx):
        return
    for job_id, job, i, step in training_steps(ctx):
        if not ML_EXTENSION.search(run_text(step).split("az ml job create")[0]) and not _before(
                ctx, job, i, lambda s: ML_EXTENSION.search(run_text(s))):
            line, col = ctx.pos(step, "run")
            yield Problem(f"job `{job_id}` uses `az ml` without installing the ml extension first",
                          "- name: Install the Azure ML CLI extension\n  run: az extension add --name ml",
                          path=ctx.display, line=line, column=col)


SHA_SOURCES = ("github.sha", "GITHUB_SHA")
REF_SOURCES = ("github.ref_name", "GITHUB_REF_NAME", "github.head_ref", "GITHUB_HEAD_REF")


def _mentions(command: str, env: dict[str, str], sources: tuple[str, ...]) -> bool:
    """Does ``command`` use one of ``sources``, directly or through an env variable?"""
    if any(s in command for s in sources):
        return True
    for name, value in env.items():
        if any(s in value for s in sources) and re.search(rf"\${{?{re.escape(name)}\b", command):
            return True
    return False


@rule("train-traceability", severity="error", scope="workflow", lesson=f"{LESSON}#traceability")
def train_traceability(ctx: WorkflowContext):
    """The training job is not tagged with the commit and the branch that produced it.

    Every run in Azure ML (and MLflow) should lead back to the exact code: put ``github.sha``
    and ``github.ref_name`` into the job's display name or tags. Pass them through ``env:``
    rather than pasting ``${{ }}`` into the script (a crafted branch name could inject shell
    commands)::

        - name: Submit training job
          env:
            BRANCH: ${{ github.ref_name }}
            COMMIT: ${{ github.sha }}
          run: |
            az ml job create --file pipelines/training-pipeline.yaml \\
              --resource-group rg-ml-dev --workspace-name neuralspark-dev \\
              --set display_name="train-$COMMIT" \\
              --set tags.branch="$BRANCH" --set tags.commit="$COMMIT"
    """
    if not _applies(ctx):
        return
    for _job_id, job, _i, step in training_steps(ctx):
        env = env_chain(ctx.data, job, step)
        command = run_text(step)
        sets = " ".join(m.group(0) for m in SET_ARG.finditer(command.replace("\\\n", " ")))
        line, col = ctx.pos(step, "run")
        missing = [what for what, sources in (("commit (github.sha)", SHA_SOURCES),
                                               ("branch (github.ref_name)", REF_SOURCES))
                   if not _mentions(sets, env, sources)]
        if missing:
            yield Problem("the training job's display name and tags do not record the "
                          + " or the ".join(missing), EXAMPLE_STEP, path=ctx.display,
                          line=line, column=col)


@rule("train-unit-tests", severity="warning", scope="workflow", lesson=f"{LESSON}#train-on-push")
def train_unit_tests(ctx: WorkflowContext):
    """Unit tests should pass before a training job is submitted.

    Training costs compute and time; a broken ``prepare.py`` should fail in seconds on the
    runner, not an hour into a cluster run. Run the tests first, in an earlier step of the
    training job or in a job that the training job ``needs``::

        jobs:
          test:
            steps:
              - uses: actions/checkout@v4
              - run: python -m pytest -q
          train:
            needs: test
    """
    if not _applies(ctx):
        return
    jobs = ctx.jobs
    for job_id, job, i, step in training_steps(ctx):
        if _before(ctx, job, i, lambda s: TESTS.search(run_text(s))):
            continue
        upstream, queue = set(), list(job_needs(job))
        while queue:
            name = queue.pop()
            if name in upstream or name not in jobs:
                continue
            upstream.add(name)
            queue.extend(job_needs(jobs[name]))
        if any(TESTS.search(run_text(s)) for name in upstream for _, s in ctx.steps(jobs[name])):
            continue
        line, col = ctx.pos(step, "run")
        yield Problem(f"job `{job_id}` submits training without running the unit tests first",
                      "add a `test` job that runs pytest and make this job `needs: test`",
                      path=ctx.display, line=line, column=col)
