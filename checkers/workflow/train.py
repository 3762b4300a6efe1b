"""The train-on-push pattern: feature-branch pushes that change ML code train in the dev workspace.

These rules run for files named ``train-on-push.yml`` (or with ``--pattern train-on-push``).
"""
from __future__ import annotations

import posixpath
import re

from .. import regexcache
from ..yamlnodes import CommentedMap, CommentedSeq

from ..registry import Problem, rule
from .context import WorkflowContext
from .general import OIDC_INPUTS, managed_identity
from .severity import triggers
from .trigger import evaluate
from .walk import LOCAL_USES, env_chain, is_action, job_needs, run_text

LESSON = "02-github-actions"
PATTERN = "train-on-push"
JOB_CREATE = regexcache.compile(r"\baz\s+ml\s+job\s+create\b")
SDK_CREATE = regexcache.compile(r"\bjobs\.(?:create_or_update|begin_create_or_update)\s*\(")
SCRIPT_CALL = regexcache.compile(r"(?m)^\s*(?:(?:bash|sh|zsh|pwsh|python3?|source|\.)\s+(?:-\S+\s+)*)?"
                         r"(?P<script>(?:\./)?[\w./-]+\.(?:sh|py|ps1|bash))\b")
ML_EXTENSION = regexcache.compile(r"\baz\s+extension\s+add\b[^\n]*(--name|-n)[ =]+ml\b")
TESTS = regexcache.compile(r"\b(pytest|unittest|tox|nox|make\s+test)\b")
SET_ARG = regexcache.compile(r"--set\s+[\"']?(?:display_name|tags\.[\w.-]+)=(?:\"[^\"]*\"|'[^']*'|\S+)")
FILE_ARG = regexcache.compile(r"(?:--file|-f)[ =]+[\"']?([^\s\"'\\]+)")
WINDOWS_PATH = regexcache.compile(r"[^\s\"'\\]+(?:\\[^\s\"'\\]+)+")  # a\b (a line's final `\` continues it)

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


def script(step) -> str:
    """The shell script of a step: ``run:``, or the ``inlineScript`` of ``azure/cli``."""
    if is_action(step, "azure/cli"):
        inputs = step.get("with")
        inline = inputs.get("inlineScript") if isinstance(inputs, CommentedMap) else None
        return inline if isinstance(inline, str) else ""
    return run_text(step)


def training_steps(ctx: WorkflowContext):
    """(job id, job, step index, step) of every step that submits an Azure ML job."""
    for job_id, job in ctx.jobs.items():
        for i, step in ctx.steps(job):
            if JOB_CREATE.search(script(step)) or SDK_CREATE.search(script(step)):
                yield job_id, job, i, step


SUBMIT_WORDS = regexcache.compile(r"(?i)submit|pipeline|azure_?ml|(?<![a-z])aml|job|launch|queue|trigger")


def submits(path: str) -> bool:
    """Could this script submit the pipeline? A shell script may; a Python file only when its
    name says so (``python src/train.py`` trains on the runner, which the pattern forbids)."""
    if path.endswith((".sh", ".bash", ".ps1")):
        return True
    return bool(SUBMIT_WORDS.search(path.rsplit("/", 1)[-1]))


def hidden_submission(ctx: WorkflowContext) -> tuple[str, tuple] | None:
    """Where a submission this file cannot show may happen: a reusable workflow, a local
    action, or a script the workflow runs (with its position), or None."""
    for job_id, job in ctx.jobs.items():
        if isinstance(job, CommentedMap) and isinstance(job.get("uses"), str):
            return (f"job `{job_id}` calls the reusable workflow `{job['uses']}`",
                    ctx.pos(job, "uses", value=True))
    for job_id, job in ctx.jobs.items():
        for _, step in ctx.steps(job):
            action = step.get("uses")
            if isinstance(action, str) and action.startswith(LOCAL_USES):
                return (f"job `{job_id}` runs the local action `{action}`",
                        ctx.pos(step, "uses", value=True))
            found = next((m for m in SCRIPT_CALL.finditer(script(step)) if submits(m.group("script"))),
                         None)
            if found:
                return (f"job `{job_id}` runs `{found.group('script')}`",
                        ctx.pos(step, "run" if "run" in step else "uses", value=True))
    return None


def _anchor(ctx: WorkflowContext):
    """Where to report a whole-workflow problem: the training step, else the jobs key."""
    for _job_id, _job, _i, step in training_steps(ctx):
        return _at(ctx, step)
    return ctx.pos(ctx.data, "jobs") if "jobs" in ctx.data else (1, 1)


def _at(ctx: WorkflowContext, step, *, value: bool = False):
    return ctx.pos(step, "run" if "run" in step else "uses", value=value)


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
# A change to these alone must never train (the pattern's purpose) ...
NOT_CODE_FILES = ("README.md", "docs/index.md")
# ... and these should not (tests run in CI anyway; notebooks and infrastructure do not change
# what a run produces): a wider filter wastes compute but keeps the pattern's purpose.
NOT_ML_FILES = ("notebooks/explore.ipynb", "tests/test_score.py", "infra/main.bicep")


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
    the pipeline, and files such as ``README.md`` or ``docs/index.md``. Training on a
    README-only change, or not retraining when the training code changes, is an error; extra
    paths such as ``tests/**``, ``notebooks/**`` or ``infra/**`` are a warning (compute spent on
    runs that change nothing)::

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
    what = "has no `paths` filter, so" if not has_paths else "is too wide:"
    noise = [f for f in NOT_CODE_FILES if _runs(ctx, branch=FEATURE, changed=[f])]
    if noise:
        yield Problem(f"`on.push` {what} a push that changes only {', '.join(noise)} would train",
                      "paths: ['src/**', 'components/**', 'pipelines/**']",
                      path=ctx.display, line=line, column=col)
    extra = [f for f in NOT_ML_FILES if _runs(ctx, branch=FEATURE, changed=[f])]
    if extra and not noise:
        yield Problem(f"`on.push` {what} a push that changes only {', '.join(extra)} would "
                      "train too (tests, notebooks and infrastructure do not change what a run "
                      "produces)", "paths: ['src/**', 'components/**', 'pipelines/**']",
                      path=ctx.display, line=line, column=col, severity="warning")
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
    and records it with MLflow. The ``--file`` path is read from the step's
    ``working-directory`` (or the job's or workflow's ``defaults.run``) and after a leading
    ``cd``, as the shell would. A submission this file cannot show (a reusable workflow, a local
    action, a shell script, or a Python script named for submitting) is one note, "cannot see
    the submission", instead of errors from every train-* rule. Submit it to the dev
    workspace::

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
        hidden = hidden_submission(ctx)
        if hidden:
            where, (line, col) = hidden
            yield Problem(f"cannot see the submission: {where}",
                          "check that it runs `az ml job create --file pipelines/...` with the "
                          "commit and branch as tags, after an OIDC login (the other train-* "
                          "rules cannot see inside it)", path=ctx.display, line=line,
                          column=col, severity="info")
            return
        yield Problem("no step submits the training pipeline (`az ml job create --file ...`)",
                      EXAMPLE_STEP, path=ctx.display, line=line, column=col)
        return
    for _job_id, job, _i, step in steps:
        text = script(step)
        if not JOB_CREATE.search(text):
            continue  # submitted with the Python SDK: no --file to check
        match = FILE_ARG.search(text)
        line, col = _at(ctx, step, value=True)
        if not match:
            yield Problem("`az ml job create` has no `--file`", "--file pipelines/training-pipeline.yaml",
                          path=ctx.display, line=line, column=col)
            continue
        windows = WINDOWS_PATH.match(text, match.start(1))
        on_windows = "windows" in str(job.get("runs-on", "")).lower() and step.get("shell") != "bash"
        if windows and not on_windows:  # pwsh and cmd, Windows runners' shells, take `\`
            written = windows.group(0)
            yield Problem(f"`--file {written}` separates folders with `\\`: the runner's bash "
                          f"drops it, so az reads `{written.replace(chr(92), '')}`, which does "
                          "not exist", f"--file {written.replace(chr(92), '/')}",
                          path=ctx.display, line=line, column=col)
            continue
        given = windows.group(0).replace("\\", "/") if windows else match.group(1)
        path = submitted_path(ctx, job, step, given)
        if not path.startswith("pipelines/"):
            yield Problem(f"`az ml job create --file {match.group(1)}` does not submit a pipeline "
                          f"from `pipelines/` (it reads `{path}` from the repository root)",
                          "--file pipelines/training-pipeline.yaml",
                          path=ctx.display, line=line, column=col)


WORKSPACE_PREFIX = regexcache.compile(r"^(?:\$\{\{\s*github\.workspace\s*\}\}|\$\{?GITHUB_WORKSPACE\}?)/?")
CD = regexcache.compile(r"(?m)^\s*cd\s+[\"']?([^\s\"';&|]+)[\"']?\s*(?:&&|;|$)")


def working_directory(ctx: WorkflowContext, job, step) -> str:
    """The directory a step's script starts in, relative to the repository root."""
    for holder in (step, job.get("defaults", {}).get("run") if isinstance(job, CommentedMap)
                   and isinstance(job.get("defaults"), CommentedMap) else None,
                   ctx.data.get("defaults", {}).get("run")
                   if isinstance(ctx.data.get("defaults"), CommentedMap) else None):
        value = holder.get("working-directory") if isinstance(holder, CommentedMap) else None
        if isinstance(value, str) and value.strip():
            return WORKSPACE_PREFIX.sub("", value.strip())
    return ""


def submitted_path(ctx: WorkflowContext, job, step, file: str) -> str:
    """``--file``'s path from the repository root: working-directory and a leading ``cd``."""
    text = script(step)
    base = working_directory(ctx, job, step) if "run" in step else ""
    before = text[: JOB_CREATE.search(text).start()]
    for match in CD.finditer(before):
        base = posixpath.join(base, WORKSPACE_PREFIX.sub("", match.group(1)))
    file = WORKSPACE_PREFIX.sub("", file)
    full = file if file.startswith("/") else posixpath.join(base, file)
    return posixpath.normpath(full)


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
            line, col = _at(ctx, step)
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
        line, col = _at(ctx, step)
        if not logins:
            yield Problem(f"job `{job_id}` runs `az ml job create` without logging in to Azure first",
                          "add an azure/login step (OIDC inputs) before it", path=ctx.display,
                          line=line, column=col)
            continue
        inputs = logins[0].get("with")
        if not isinstance(inputs, CommentedMap) or "creds" in inputs:
            continue  # workflow-azure-login-oidc reports a login without inputs or with creds
        if not all(k in inputs for k in OIDC_INPUTS) and not managed_identity(inputs):
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
        if not ML_EXTENSION.search(script(step).split("az ml job create")[0]) and not _before(
                ctx, job, i, lambda s: ML_EXTENSION.search(script(s))):
            line, col = _at(ctx, step)
            yield Problem(f"job `{job_id}` uses `az ml` without installing the ml extension first",
                          "- name: Install the Azure ML CLI extension\n  run: az extension add --name ml",
                          path=ctx.display, line=line, column=col)


SHA_SOURCES = ("github.sha", "GITHUB_SHA")
REF_SOURCES = ("github.ref_name", "GITHUB_REF_NAME", "github.head_ref", "GITHUB_HEAD_REF")
REF_NAME_SOURCES = ("github.ref_name", "GITHUB_REF_NAME")


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
    and ``github.ref_name`` into the job's display name or tags. Without the commit the run is
    untraceable (an error); without the branch it is traceable but hard to find (a warning,
    which the lesson's first snippet, tagged with ``github.sha`` only, gets); ``github.head_ref``
    names a branch only for pull requests, so on a push-only workflow it records an empty branch
    (a warning too). Pass them through ``env:``
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
        command = script(step)
        sets = " ".join(m.group(0) for m in SET_ARG.finditer(command.replace("\\\n", " ")))
        line, col = _at(ctx, step)
        if not _mentions(sets, env, SHA_SOURCES):
            yield Problem("the training job's display name and tags do not record the commit "
                          "(github.sha): the run cannot be traced back to its code",
                          EXAMPLE_STEP, path=ctx.display, line=line, column=col)
        elif not _mentions(sets, env, REF_SOURCES):
            yield Problem("the training job's display name and tags do not record the branch "
                          "(github.ref_name); the commit alone traces it, the branch makes runs "
                          "easy to find", EXAMPLE_STEP, path=ctx.display, line=line, column=col,
                          severity="warning")
        elif (not _mentions(sets, env, REF_NAME_SOURCES)
              and not triggers(ctx.data) & {"pull_request", "pull_request_target"}):
            yield Problem("the branch is recorded from github.head_ref, which GitHub sets only "
                          "for pull requests: on a push it is empty, so every run gets an empty "
                          "branch tag; github.ref_name is the pushed branch", EXAMPLE_STEP,
                          path=ctx.display, line=line, column=col, severity="warning")


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
        if _before(ctx, job, i, lambda s: TESTS.search(script(s))):
            continue
        upstream, queue = set(), list(job_needs(job))
        while queue:
            name = queue.pop()
            if name in upstream or name not in jobs:
                continue
            upstream.add(name)
            queue.extend(job_needs(jobs[name]))
        if any(TESTS.search(script(s)) for name in upstream for _, s in ctx.steps(jobs[name])):
            continue
        line, col = _at(ctx, step)
        yield Problem(f"job `{job_id}` submits training without running the unit tests first",
                      "add a `test` job that runs pytest and make this job `needs: test`",
                      path=ctx.display, line=line, column=col)
