"""General workflow rules: what makes a workflow fail, never start, or leak."""
from __future__ import annotations

import re
from functools import lru_cache

from .. import regexcache
from ..yamlnodes import CommentedMap, CommentedSeq

from ..registry import Problem, rule
from .context import WorkflowContext
from .severity import triggers
from .walk import (EXPRESSION, LOCAL_USES, close_matches, is_action, job_needs, run_text, scalars,
                   uses)

LESSON = "02-github-actions"


@rule("workflow-syntax", severity="error", scope="workflow", lesson=f"{LESSON}#anatomy")
def workflow_syntax(ctx: WorkflowContext):
    """The file is not a workflow GitHub can read: bad YAML, empty, or the wrong shape.

    GitHub rejects the whole file, so nothing in it runs. The finding points at the line where
    the YAML parser gave up, or at the part with the wrong shape: the document must be a mapping
    with ``on:`` (what starts it) and ``jobs:`` as a mapping of job ids to jobs::

        on: push
        jobs:
          train:                 # not "- train:" (jobs is a mapping, not a list)
            runs-on: ubuntu-latest
            steps:
              - run: echo hello
    """
    if ctx.problem:
        message = ctx.problem.message
        if "UTF-8" in message:
            yield Problem(message, "save the file as UTF-8, e.g. `iconv -f latin1 -t utf-8 FILE`",
                          path=ctx.display, line=ctx.problem.line, column=ctx.problem.column)
        elif "larger than" in message:
            yield Problem(message, "a workflow is a short YAML file: move data out of it",
                          path=ctx.display, line=ctx.problem.line, column=ctx.problem.column)
        else:
            from ..repo.yaml_files import syntax_hint

            yield Problem(f"invalid YAML: {message}", syntax_hint(message),
                          path=ctx.display, line=ctx.problem.line, column=ctx.problem.column)
        return
    data = ctx.data
    if data is None:
        yield Problem("the file is empty", "a workflow needs at least `on:` and `jobs:`",
                      path=ctx.display, line=1, column=1)
        return
    if not isinstance(data, CommentedMap):
        line, col = ctx.pos(data)
        yield Problem(f"the workflow is a {_kind(data)}, not a mapping of keys such as `on:` "
                      "and `jobs:`", "start the file with `name:`, `on:` and `jobs:` at the left "
                      "margin", path=ctx.display, line=line or 1, column=col or 1)
        return
    if ctx.is_action:
        yield Problem("this is an action's metadata file (`runs:` with `using:`), not a workflow: "
                      "it was not checked as one", "GitHub runs as workflows only the files "
                      "directly in `.github/workflows/`; a step runs this action with "
                      "`uses: ./path/to/its/folder`", path=ctx.display, line=1, column=1,
                      severity="info")
        return
    if "on" not in data:
        yield Problem("the workflow has no `on:`: GitHub refuses the file (\"No event triggers "
                      "defined in `on`\") and records a failed run for it on every push",
                      "add a trigger, e.g.\n  on:\n    push:\n      branches: ['feature/**']\n"
                      "to keep a workflow off, give it `on: workflow_dispatch` (it runs only when "
                      "started by hand) or disable it in the Actions tab, rather than commenting "
                      "out `on:`", path=ctx.display, line=1, column=1)
    jobs = data.get("jobs")
    if "jobs" not in data:
        yield Problem("the workflow has no `jobs:`", "add `jobs:` with at least one job",
                      path=ctx.display, line=1, column=1)
    elif not isinstance(jobs, CommentedMap) or not jobs:
        line, col = ctx.pos(data, "jobs")
        yield Problem(f"`jobs:` must be a mapping of job ids to jobs, not a {_kind(jobs)}",
                      "write each job as `job-id:` indented under `jobs:` (no leading `-`):\n"
                      "  jobs:\n    train:\n      runs-on: ubuntu-latest",
                      path=ctx.display, line=line, column=col)


def _kind(value) -> str:
    if isinstance(value, CommentedSeq):
        return "list"
    if value is None:
        return "empty value"
    return type(value).__name__.replace("str", "string")


@rule("workflow-needs", severity="error", scope="workflow", lesson=f"{LESSON}#jobs")
def workflow_needs(ctx: WorkflowContext):
    """A job ``needs`` a job that does not exist, or jobs need each other in a cycle.

    ``needs:`` names the jobs that must succeed first (e.g. unit tests before training). A
    misspelt job id, or a cycle, makes GitHub reject the workflow. Fix the id, or break the
    cycle so the jobs form a chain::

        jobs:
          test: ...
          train:
            needs: test

    Job ids are case-insensitive on GitHub (``needs: Validate`` waits for the job ``validate``),
    so names are compared ignoring case.
    """
    jobs = ctx.jobs
    ids = {str(j).lower(): str(j) for j in jobs}
    for job_id, job in jobs.items():
        for needed in job_needs(job):
            if needed.lower() not in ids:
                close = close_matches(needed, [str(j) for j in jobs], n=1)
                line, col = ctx.pos(job, "needs", value=True)
                yield Problem(f"job `{job_id}` needs `{needed}`, which is not a job in this workflow",
                              f"did you mean `{close[0]}`?" if close else
                              f"name one of: {', '.join(map(str, jobs))}",
                              path=ctx.display, line=line, column=col)
    graph = {str(j): [ids[n.lower()] for n in job_needs(job) if n.lower() in ids]
             for j, job in jobs.items()}
    for cycle in _cycles(graph):
        line, col = ctx.pos(jobs, cycle[0])
        yield Problem("jobs need each other in a cycle: " + " -> ".join([*cycle, cycle[0]]),
                      "remove one of these `needs:` so the jobs run in an order",
                      path=ctx.display, line=line, column=col)


def _cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    found, state = [], {}

    def visit(node, path):
        state[node] = "active"
        for nxt in graph.get(node, []):
            if state.get(nxt) == "active":
                found.append(path[path.index(nxt):])
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = "done"

    for node in graph:
        if node not in state:
            visit(node, [node])
    return found


GITHUB_CONTEXT = {
    "action", "action_path", "action_ref", "action_repository", "action_status", "actor",
    "actor_id", "api_url", "base_ref", "env", "event", "event_name", "event_path",
    "graphql_url", "head_ref", "job", "path", "ref", "ref_name", "ref_protected", "ref_type",
    "repository", "repository_id", "repository_owner", "repository_owner_id", "repositoryurl",
    "retention_days", "run_id", "run_number", "run_attempt", "secret_source", "server_url",
    "sha", "token", "triggering_actor", "workflow", "workflow_ref", "workflow_sha", "workspace",
}
GITHUB_PROPERTY = regexcache.compile(r"(?<![\w.-])github\.([A-Za-z_][A-Za-z0-9_-]*)")
STRING_LITERAL = regexcache.compile(r"'(?:[^']|'')*'")  # expressions quote strings with ', doubled to escape


@rule("workflow-github-context", severity="error", scope="workflow", lesson=f"{LESSON}#traceability")
def workflow_github_context(ctx: WorkflowContext):
    """An expression reads a ``github.*`` property that does not exist.

    ``${{ github.commit }}`` or ``${{ github.branch }}`` are empty strings at run time, not
    errors, so a training job silently gets tagged with nothing. The commit is ``github.sha``,
    the branch or tag name is ``github.ref_name`` (``github.ref`` is the full
    ``refs/heads/...``), and the run's number is ``github.run_number``.
    """
    if not ctx.ok:
        return
    for parent, key, value in ctx.scalars():
        if "github" not in value:
            continue
        # `if:` is an expression even without ${{ }}
        bare = key == "if" and "${{" not in value
        for expr in ([value] if bare else [m.group(1) for m in EXPRESSION.finditer(value)]):
            # 'https://github.com/...' inside a string literal is text, not the github context
            for prop in GITHUB_PROPERTY.finditer(STRING_LITERAL.sub("''", expr)):
                name = prop.group(1)
                if name.lower() in GITHUB_CONTEXT:
                    continue
                close = close_matches(name, sorted(GITHUB_CONTEXT), n=1)
                line, col = ctx.pos(parent, key, value=True)
                hint = {"commit": "sha", "branch": "ref_name", "commit_sha": "sha",
                        "branch_name": "ref_name"}.get(name) or (close[0] if close else None)
                yield Problem(f"`github.{name}` is not a property of the github context "
                              "(it evaluates to an empty string)",
                              f"use `github.{hint}`" if hint else
                              "see the github context's properties in GitHub's documentation",
                              path=ctx.display, line=line, column=col)


FILTER_PAIRS = (("branches", "branches-ignore"), ("tags", "tags-ignore"), ("paths", "paths-ignore"))


def _events(ctx: WorkflowContext):
    on = ctx.on
    if isinstance(on, CommentedMap):
        for event, spec in on.items():
            if isinstance(spec, CommentedMap):
                yield str(event), spec


@rule("workflow-filter-conflict", severity="error", scope="workflow", lesson=f"{LESSON}#filters")
def workflow_filter_conflict(ctx: WorkflowContext):
    """An event uses a filter and its ``-ignore`` twin together (GitHub refuses the workflow).

    ``branches`` with ``branches-ignore`` (likewise ``tags``/``tags-ignore``,
    ``paths``/``paths-ignore``) is not allowed for the same event. To include some and exclude
    others, use one list with ``!`` patterns; order matters, the last match wins::

        branches:
          - 'feature/**'
          - '!feature/**-wip'
    """
    for event, spec in _events(ctx):
        for include, exclude in FILTER_PAIRS:
            if include in spec and exclude in spec:
                line, col = ctx.pos(spec, exclude)
                yield Problem(f"`on.{event}` has both `{include}` and `{exclude}`: GitHub rejects "
                              "the workflow", f"merge them into `{include}` with `!` patterns for "
                              "the exclusions", path=ctx.display, line=line, column=col)


@rule("workflow-filter-negative-only", severity="error", scope="workflow", lesson=f"{LESSON}#filters")
def workflow_filter_negative_only(ctx: WorkflowContext):
    """A ``branches``, ``tags`` or ``paths`` list has only ``!`` patterns, so it matches nothing.

    A negative pattern only removes what an earlier positive pattern matched. A list of
    exclusions alone leaves nothing to run on, and the workflow silently never starts. Add the
    positive pattern first, or use the ``-ignore`` form::

        branches: ['**', '!main']        # or: branches-ignore: [main]
    """
    for event, spec in _events(ctx):
        for include, _ in FILTER_PAIRS:
            patterns = spec.get(include)
            if isinstance(patterns, str):
                patterns = [patterns]
            if isinstance(patterns, (list, CommentedSeq)) and patterns and all(
                    isinstance(p, str) and p.startswith("!") for p in patterns):
                line, col = ctx.pos(spec, include)
                yield Problem(f"`on.{event}.{include}` has only negative patterns, so it matches "
                              "nothing and the workflow never runs",
                              f"put a positive pattern first (e.g. `'**'`), or use "
                              f"`{include}-ignore` with the patterns without `!`",
                              path=ctx.display, line=line, column=col)


def _permissions(ctx: WorkflowContext, job) -> tuple[object, str]:
    """The permissions a job's token gets, and where they come from."""
    if isinstance(job, CommentedMap) and "permissions" in job:
        return job["permissions"], "the job's `permissions:`"
    if "permissions" in ctx.data:
        return ctx.data["permissions"], "the workflow's `permissions:`"
    return None, "the repository's default token permissions"


def grants_id_token(permissions) -> bool:
    if permissions == "write-all":
        return True
    return isinstance(permissions, CommentedMap) and permissions.get("id-token") == "write"


OIDC_INPUTS = ("client-id", "tenant-id", "subscription-id")


def azure_logins(ctx: WorkflowContext):
    """(job id, job, step) for every azure/login step."""
    for job_id, job in ctx.jobs.items():
        for _, step in ctx.steps(job):
            if is_action(step, "azure/login"):
                yield job_id, job, step


def managed_identity(inputs) -> bool:
    """``auth-type: IDENTITY``: the runner's managed identity, no OIDC token involved."""
    return isinstance(inputs, CommentedMap) and str(inputs.get("auth-type", "")).upper() == "IDENTITY"


def only_called(ctx: WorkflowContext) -> bool:
    """True for a reusable workflow that nothing but ``workflow_call`` starts."""
    return triggers(ctx.data) == {"workflow_call"}


@rule("workflow-oidc-permission", severity="error", scope="workflow", lesson=f"{LESSON}#oidc")
def workflow_oidc_permission(ctx: WorkflowContext):
    """A job logs in to Azure with OIDC but its token cannot request an OIDC token.

    ``azure/login`` with ``client-id``/``tenant-id``/``subscription-id`` (and no ``creds``)
    exchanges GitHub's OIDC token for an Azure token. GitHub issues that token only when the
    job's permissions grant ``id-token: write``, which is never granted by default. A job-level
    ``permissions:`` block replaces the workflow-level one entirely, so the job that logs in
    must have it itself. Grant it on that job only: a workflow-level ``id-token: write`` hands
    the token to every job (zizmor reports it as excessive)::

        jobs:
          train:
            permissions:
              id-token: write    # request the OIDC token
              contents: read     # check out the code

    A reusable workflow (started only by ``workflow_call``) without ``permissions:`` gets its
    token from the calling job, so this file cannot show whether the login works: a note says
    what the caller must grant. ``auth-type: IDENTITY`` (a managed identity on a self-hosted
    runner) needs no OIDC token and is not checked.
    """
    if not ctx.ok:
        return
    for job_id, job, step in azure_logins(ctx):
        inputs = step.get("with") if isinstance(step.get("with"), CommentedMap) else {}
        if "creds" in inputs or managed_identity(inputs) or not any(k in inputs for k in OIDC_INPUTS):
            continue
        permissions, source = _permissions(ctx, job)
        if grants_id_token(permissions):
            continue
        line, col = ctx.pos(step, "uses")
        if permissions is None and only_called(ctx):
            yield Problem(f"job `{job_id}` logs in to Azure with OIDC; as a reusable workflow "
                          "without `permissions:` it gets its token from the caller, which must "
                          "grant `id-token: write`",
                          "in the calling workflow:\n  jobs:\n    train:\n      uses: "
                          "./.github/workflows/THIS.yml\n      permissions:\n        id-token: "
                          "write\n        contents: read",
                          path=ctx.display, line=line, column=col, severity="info")
            continue
        yield Problem(f"job `{job_id}` logs in to Azure with OIDC, but {source} "
                      "do not grant `id-token: write`, so the login fails",
                      f"add to job `{job_id}`:\n  permissions:\n    id-token: write\n    contents: read",
                      path=ctx.display, line=line, column=col)


@rule("workflow-write-all", severity="warning", scope="workflow", lesson=f"{LESSON}#permissions")
def workflow_write_all(ctx: WorkflowContext):
    """``permissions: write-all`` gives every step write access to everything.

    Any action or script in the job (and anything it downloads) could push code, create
    releases or change settings with that token. It is least-privilege advice (a warning):
    nothing from outside can use the token unless another mistake lets it in. Grant each job
    only what it needs::

        permissions:
          contents: read
          id-token: write
    """
    if not ctx.ok:
        return
    holders = [(ctx.data, "the workflow")] + [(job, f"job `{j}`") for j, job in ctx.jobs.items()
                                              if isinstance(job, CommentedMap)]
    for holder, who in holders:
        if holder.get("permissions") == "write-all":
            line, col = ctx.pos(holder, "permissions", value=True)
            yield Problem(f"{who} grants `permissions: write-all`",
                          "grant read access at the top, and more only to the job that needs it:\n"
                          "  permissions:\n    contents: read\n  jobs:\n    train:\n"
                          "      permissions:\n        id-token: write\n        contents: read",
                          path=ctx.display, line=line, column=col)


BRANCH_REFS = {"main", "master", "develop", "development", "dev", "trunk", "head", "latest",
               "stable", "release", "nightly", "next", "canary"}
SHA = regexcache.compile(r"^[0-9a-f]{40}$")


@rule("workflow-action-pinning", severity="warning", scope="workflow", lesson=f"{LESSON}#pinning")
def workflow_action_pinning(ctx: WorkflowContext):
    """An action is used from a branch (``@main``) or with no ref at all.

    A branch moves: whatever its owner (or an attacker) pushes next runs in your workflow, with
    your secrets and your OIDC token. Pin to a release tag (``actions/checkout@v4``) or, for the
    strongest guarantee, to a full commit SHA with the tag in a comment. Which pin to use is a
    policy choice, so a branch is a warning; a ``uses:`` with no ``@ref`` at all is an error,
    because GitHub refuses the workflow::

        - uses: azure/login@a457da9ea143d694b1b9c7c869ebb04ebe844ef5  # v2.3.0
    """
    for job_id, job in ctx.jobs.items():
        # a job-level `uses:` calls a reusable workflow, pinned the same way as an action
        callers = ([job] if isinstance(job, CommentedMap) and "uses" in job else [])
        for step in [*callers, *(s for _, s in ctx.steps(job))]:
            raw = step.get("uses")
            if not isinstance(raw, str) or raw.startswith((*LOCAL_USES, "docker://")):
                continue
            action, ref = uses(step)
            line, col = ctx.pos(step, "uses", value=True)
            if ref is None:
                yield Problem(f"`{raw}` has no `@ref`: GitHub refuses the workflow",
                              f"pin it: `{action}@v<major>` or a full commit SHA",
                              path=ctx.display, line=line, column=col, severity="error")
            elif ref.lower() in BRANCH_REFS and not SHA.match(ref):
                yield Problem(f"`{raw}` is pinned to the branch `{ref}`, which can change under you",
                              f"pin a release tag or a commit SHA instead, e.g. `{action}@v2`",
                              path=ctx.display, line=line, column=col)


GUID = regexcache.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
WHOLE_EXPRESSION = regexcache.compile(r"^\$\{\{.*\}\}$", re.S)


@rule("workflow-azure-login-oidc", severity="warning", scope="workflow", lesson=f"{LESSON}#oidc")
def workflow_azure_login_oidc(ctx: WorkflowContext):
    """``azure/login`` uses a stored service-principal secret (``creds``) or literal IDs.

    The ``creds`` input takes a service principal's JSON, client secret included: a long-lived
    password stored in GitHub that anyone with the workflow's secrets can use from anywhere.
    OIDC needs no stored secret at all: GitHub proves the workflow's identity to Entra ID with a
    short-lived token. ``creds`` is a warning (a policy choice) in general, and an error in
    ``--pattern`` mode, whose purpose is a login without stored credentials. Literal IDs in the
    workflow (a warning) tie it to one tenant and subscription and put them in every fork; keep
    them in ``secrets.*`` or ``vars.*`` (any ``${{ }}`` expression, such as ``env.X`` or
    ``inputs.x``, is accepted: its value is decided elsewhere). An ``azure/login`` step with no
    inputs at all cannot log in (an error)::

        - uses: azure/login@v2
          with:
            client-id: ${{ secrets.AZURE_CLIENT_ID }}
            tenant-id: ${{ secrets.AZURE_TENANT_ID }}
            subscription-id: ${{ secrets.AZURE_SUBSCRIPTION_ID }}
    """
    if not ctx.ok:
        return
    for job_id, _job, step in azure_logins(ctx):
        inputs = step.get("with")
        line, col = ctx.pos(step, "uses")
        if not isinstance(inputs, CommentedMap):
            yield Problem(f"azure/login in job `{job_id}` has no inputs, so it cannot log in",
                          "give it client-id, tenant-id and subscription-id from secrets or vars",
                          path=ctx.display, line=line, column=col, severity="error")
            continue
        if "creds" in inputs:
            line, col = ctx.pos(inputs, "creds")
            yield Problem("azure/login uses `creds`: a stored service-principal secret instead of OIDC",
                          "replace `creds` with client-id, tenant-id and subscription-id (OIDC), add "
                          "a federated credential for this repository in Entra ID, and delete the "
                          "client secret", path=ctx.display, line=line, column=col,
                          severity="error" if ctx.pattern else None)
        if managed_identity(inputs):
            continue
        for name in OIDC_INPUTS:
            value = inputs.get(name)
            if isinstance(value, str) and not WHOLE_EXPRESSION.match(value.strip()):
                line, col = ctx.pos(inputs, name, value=True)
                what = "a literal GUID" if GUID.match(value.strip()) else "a literal value"
                yield Problem(f"azure/login `{name}` is {what}, not a secret or variable",
                              f"{name}: ${{{{ secrets.AZURE_{name.upper().replace('-', '_')} }}}}",
                              path=ctx.display, line=line, column=col)


SECRET_WORDS = frozenset({"password", "passwd", "pwd", "secret", "token", "apikey", "accesskey",
                          "clientsecret", "connectionstring", "accountkey", "sas", "privatekey",
                          "secretkey", "authtoken", "accesstoken"})
# A name ending in one of these holds a pointer to a secret, not the secret: TOKENIZER_NAME,
# SECRET_NAME, PASSWORD_FILE, KEYVAULT_SECRET_ID, TOKEN_URL ...
NOT_A_VALUE = frozenset({"name", "names", "file", "path", "dir", "id", "ids", "url", "uri", "env",
                         "var", "type", "kind", "length", "len", "size", "count", "ref", "key_name",
                         "field", "header", "scope", "scopes", "endpoint", "policy", "format",
                         "mode", "version", "prefix", "suffix", "vault", "label", "source",
                         # an OIDC token's audience, issuer, subject: whom it is for, not a key
                         "audience", "aud", "issuer", "subject"})
# Throwaway passwords of service containers and local test databases (the starter workflows'
# `POSTGRES_PASSWORD: postgres`): documented defaults, not secrets anyone can misuse.
DUMMY_VALUES = regexcache.compile(r"(?i)^(?:postgres|mysql|root|password\d*|passw0rd|secret|test\w*|"
                          r"example\w*|dummy\w*|admin|changeme|guest|user|pass|redis|mongo|"
                          r"sa|local\w*|dev\w*|ci|"
                          # the documented defaults of services ML stacks run locally
                          r"minioadmin|minio123|airflow|mlflow|neo4j|grafana|keycloak|rabbitmq|"
                          r"elastic|changeit|clickhouse|superset|prefect|label-studio|jupyter)$")
LOCAL_URL = regexcache.compile(r"://[^/\s:@]+:[^/\s@]+@(?:localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\]|"
                       r"(?P<host>[A-Za-z][\w-]*))(?=[:/\s'\"]|$)")


SECRET_HINT = regexcache.compile(r"(?i)pass|pwd|secret|token|key|sas")


@lru_cache(maxsize=4096)
def secret_name(key: str) -> bool:
    """Does a key name say it holds a secret value itself (``DB_PASSWORD``, ``apiKey``)?"""
    if not SECRET_HINT.search(key):
        return False
    words = [w.lower() for w in regexcache.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])").findall(key)]
    if not words or words[-1] in NOT_A_VALUE:
        return False
    if words[-1] == "key" and len(words) > 1 and words[-2] not in NOT_SECRET_KEYS:
        return True  # AZURE_OPENAI_KEY, STORAGE_KEY (the value must look random: see below)
    joined = ["".join(words[i:i + n]) for n in (1, 2) for i in range(len(words) - n + 1)]
    return any(w in SECRET_WORDS for w in joined)


NOT_SECRET_KEYS = frozenset({"cache", "restore", "primary", "sort", "partition", "row", "lookup",
                             "public", "foreign", "idempotency", "dedup", "group", "hash"})
RANDOM_VALUE = regexcache.compile(r"^(?=.*\d)(?=.*[A-Za-z])[A-Za-z0-9+/=_-]{16,}$")


def _services(ctx: WorkflowContext) -> set[str]:
    names = set()
    for job in ctx.jobs.values():
        services = job.get("services") if isinstance(job, CommentedMap) else None
        if isinstance(services, CommentedMap):
            names.update(str(n) for n in services)
    return names


def _env_maps(ctx: WorkflowContext, ids: set[int]) -> list:
    return [env for job in ctx.jobs.values() if isinstance(job, CommentedMap)
            and isinstance(job.get("services"), CommentedMap)
            for service in job["services"].values() if isinstance(service, CommentedMap)
            for env in [service.get("env")] if id(env) in ids]


def _job_service_envs(job) -> list:
    """The ``env:`` mappings of a job's service containers."""
    services = job.get("services") if isinstance(job, CommentedMap) else None
    return [env for service in (services.values() if isinstance(services, CommentedMap) else ())
            for env in [service.get("env") if isinstance(service, CommentedMap) else None]
            if isinstance(env, CommentedMap)]


def _service_envs(ctx: WorkflowContext) -> set[int]:
    return {id(env) for job in ctx.jobs.values() for env in _job_service_envs(job)}


# `docker run ... -e MINIO_ROOT_PASSWORD=rootpass123`: a value the workflow gives a container it
# starts itself on the runner (metaflow's MinIO tests). Only that job can reach the container.
DOCKER_RUN = regexcache.compile(r"\bdocker\s+(?:container\s+)?run\b(?:\\\n|[^\n])*")
# `docker compose up` (or `docker-compose run`): the compose file reads `${POSTGRES_PASSWORD}`
# from the environment of the step that starts it, so that environment's values go to
# containers on the runner too
COMPOSE_UP = regexcache.compile(r"\bdocker(?:\s+|-)compose\b[^\n]*\b(?:up|run|create|start)\b")
DOCKER_ENV = regexcache.compile(r"(?:^|\s)(?:-e|--env)(?:\s+|=)[\"']?[A-Za-z_]\w*=([^\s\"']+)")


ENV_REFERENCE = regexcache.compile(r"^\$\{\{\s*env\.([A-Za-z_][\w-]*)\s*\}\}$")


def _env_literal(ctx: WorkflowContext, job: CommentedMap, value: str) -> str:
    """``${{ env.NAME }}`` replaced by the literal the job's or the workflow's ``env:`` gives
    NAME (pypa/gh-action-pypi-publish hands its devpi container `${{ env.devpi-password }}`)."""
    match = ENV_REFERENCE.match(value)
    if not match:
        return value
    for level in (job, ctx.data):
        env = level.get("env") if isinstance(level, CommentedMap) else None
        if isinstance(env, CommentedMap) and match.group(1) in env:
            found = env[match.group(1)]
            return str(found).strip() if isinstance(found, (str, int)) else value
    return value


def _container_values(ctx: WorkflowContext) -> set[str]:
    """Values the workflow itself sets for containers it starts on the runner: its service
    containers' ``env:`` and the ``-e NAME=VALUE`` of a ``docker run`` in a step's script."""
    values = set()
    for job in ctx.jobs.values():
        for env in _job_service_envs(job):
            values.update(_env_literal(ctx, job, str(v).strip()) for v in env.values()
                          if isinstance(v, str))
        for _, step in ctx.steps(job):
            for command in DOCKER_RUN.finditer(run_text(step)):
                values.update(DOCKER_ENV.findall(command.group(0)))
            if COMPOSE_UP.search(run_text(step)):
                for level in (ctx.data, job, step):
                    env = level.get("env") if isinstance(level, CommentedMap) else None
                    if isinstance(env, CommentedMap):
                        values.update(str(v).strip() for v in env.values() if isinstance(v, str))
    # a generated key handed to a container (`-e OPENAI_API_KEY=...`) is still a secret: only
    # short, human-made passwords like `rootpass123` count as the container's own throwaway
    return {v for v in values if v and "${{" not in v and not v.startswith("$")
            and not RANDOM_VALUE.match(v)}


def _local_credentials(ctx: WorkflowContext, line: int) -> bool:
    """Is the hit a URL with credentials for a database on the runner (a service container)?"""
    lines = ctx.lines
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    services = _services(ctx) if ctx.ok else set()
    for match in LOCAL_URL.finditer(text):
        if match.group("host") is None or match.group("host") in services:
            return True
    return False


# npm's per-registry credential (`//localhost:4874/:_authToken=...` in .npmrc) for a registry on
# the runner itself (huggingface.js tests publishing to a verdaccio it starts): npm sends it to
# that host only, and nobody outside the job can reach it.
LOOPBACK_REGISTRY_AUTH = regexcache.compile(
    r"//(?:localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\])(?::\d+)?/[^\s:]*:_(?:authToken|auth|password)=[\"']?(\S+?)[\"']?(?:\s|$)")


def _loopback_registry_credential(ctx: WorkflowContext, line: int, value: str) -> bool:
    lines = ctx.lines
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    return any(value and value in m.group(1) for m in LOOPBACK_REGISTRY_AUTH.finditer(text))


def _scan(text: str) -> list:
    """The secret scanner's hits; the scanner (and its rule set) is loaded only for a text
    that can hold one (see secret_prefilter: most workflows cannot)."""
    from .secret_prefilter import could_hold_secret

    if not could_hold_secret(text):
        return []
    from ..repo.secretscan import scan_text

    return scan_text(text)


@rule("workflow-plaintext-secret", severity="error", scope="workflow", lesson=f"{LESSON}#oidc")
def workflow_plaintext_secret(ctx: WorkflowContext):
    """A secret is written into the workflow file itself.

    Everything in a workflow file is readable by anyone who can read the repository, forever
    (history included). Store the value as a GitHub secret, preferably an environment secret,
    and reference it; better still, use OIDC so there is no secret at all::

        env:
          STORAGE_CONNECTION: ${{ secrets.STORAGE_CONNECTION }}

    Not reported: the throwaway password a workflow gives a container it starts on the runner (a
    service container's ``env:``, directly or as ``${{ env.NAME }}``, ``docker run -e
    NAME=VALUE``, the ``env:`` of a step that runs ``docker compose up``, whose compose file
    reads it as ``${POSTGRES_PASSWORD}``) and uses again to reach it, since only that job can
    reach the container; a service's documented default password (``minioadmin``, ``airflow``,
    ``postgres``); npm's token for a registry on the runner
    (``//localhost:4873/:_authToken=...``); and a literal under a name that holds no key
    material, such as actions/cache's ``key: tilt-v0.33.11`` or an OIDC token's
    ``id_token_audience``. A generated-looking value (letters and digits, 16 characters or more)
    given to a container is reported all the same.
    """
    reported = set()
    throwaway = _service_envs(ctx) if ctx.ok else set()
    hits = _scan(ctx.text)
    throwaway_lines, key_on_line = set(), {}
    if hits:  # where the hits are: what they are called, and which are a service's own
        throwaway_lines = {ctx.pos(env, key, value=True)[0] for env in _env_maps(ctx, throwaway)
                           for key in env}
        for parent, key, _value in ctx.scalars():
            if isinstance(key, str):
                key_on_line.setdefault(ctx.pos(parent, key, value=True)[0], key)
    local = _container_values(ctx) if ctx.ok else set()
    for hit in hits:
        reported.add(hit.line)
        if hit.kind.startswith("Basic Auth") and _local_credentials(ctx, hit.line):
            continue
        if _loopback_registry_credential(ctx, hit.line, hit.value):
            continue
        if hit.kind == "hard-coded credential" and (hit.line in throwaway_lines or hit.value in local):
            continue
        key = key_on_line.get(hit.line)
        if hit.kind == "hard-coded credential" and key and not secret_name(key) \
                and not RANDOM_VALUE.match(hit.value):
            continue  # `key: tilt-v0.33.11`: actions/cache's key, a name, not key material
        name = regexcache.compile(r"[^A-Za-z0-9]").sub("_", key).upper() if key else "NAME"
        where = f"`{key}` is set to " if key else ""
        yield Problem(f"{hit.kind} in the workflow: {where}{hit.masked}",
                      f"move it to a GitHub secret and reference `${{{{ secrets.{name} }}}}`; "
                      "rotate it, it is already exposed",
                      path=ctx.display, line=hit.line, column=hit.column)
    if not ctx.ok:
        return
    for parent, key, value in ctx.scalars():
        if id(parent) in throwaway:
            continue  # a service container's own password: it lives on the runner for one job
        if not isinstance(key, str) or not secret_name(key) or "${{" in value:
            continue
        if len(value.strip()) < 8 or " " in value.strip() or DUMMY_VALUES.match(value.strip()) \
                or value.strip() in local:
            continue
        if key.lower().endswith("key") and not RANDOM_VALUE.match(value.strip()):
            continue  # a *_KEY holding a name or a version, not key material
        line, col = ctx.pos(parent, key, value=True)
        if line in reported:
            continue
        yield Problem(f"`{key}` is set to a literal value in the workflow",
                      f"{key}: ${{{{ secrets.{regexcache.compile(r'[^A-Za-z0-9]').sub('_', key).upper()} }}}}",
                      path=ctx.display, line=line, column=col)


# Rules added after checkers/rules.py was written register with this module, which it imports.
from . import commands, event_conditions, filter_regex, needs_context, retired_actions  # noqa: E402,F401,E501
