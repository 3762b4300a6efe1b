"""General workflow rules: what makes a workflow fail, never start, or leak."""
from __future__ import annotations

import difflib
import re

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from ..registry import Problem, rule
from ..repo.secretscan import scan_text
from ..repo.yaml_files import syntax_hint
from .context import WorkflowContext
from .walk import EXPRESSION, is_action, job_needs, scalars, uses

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
        yield Problem(f"invalid YAML: {ctx.problem.message}", syntax_hint(ctx.problem.message),
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
    if "on" not in data:
        yield Problem("the workflow has no `on:`, so nothing ever starts it",
                      "add a trigger, e.g.\n  on:\n    push:\n      branches: ['feature/**']",
                      path=ctx.display, line=1, column=1)
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
    """
    jobs = ctx.jobs
    for job_id, job in jobs.items():
        for needed in job_needs(job):
            if needed not in jobs:
                close = difflib.get_close_matches(needed, [str(j) for j in jobs], n=1)
                line, col = ctx.pos(job, "needs", value=True)
                yield Problem(f"job `{job_id}` needs `{needed}`, which is not a job in this workflow",
                              f"did you mean `{close[0]}`?" if close else
                              f"name one of: {', '.join(map(str, jobs))}",
                              path=ctx.display, line=line, column=col)
    for cycle in _cycles({str(j): [n for n in job_needs(job) if n in jobs] for j, job in jobs.items()}):
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
GITHUB_PROPERTY = re.compile(r"(?<![\w.-])github\.([A-Za-z_][A-Za-z0-9_-]*)")


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
    for parent, key, value in scalars(ctx.data):
        # `if:` is an expression even without ${{ }}
        bare = key == "if" and "${{" not in value
        for expr in ([value] if bare else [m.group(1) for m in EXPRESSION.finditer(value)]):
            for prop in GITHUB_PROPERTY.finditer(expr):
                name = prop.group(1)
                if name.lower() in GITHUB_CONTEXT:
                    continue
                close = difflib.get_close_matches(name, sorted(GITHUB_CONTEXT), n=1)
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
    """
    if not ctx.ok:
        return
    for job_id, job, step in azure_logins(ctx):
        inputs = step.get("with") if isinstance(step.get("with"), CommentedMap) else {}
        if "creds" in inputs or not any(k in inputs for k in OIDC_INPUTS):
            continue
        permissions, source = _permissions(ctx, job)
        if grants_id_token(permissions):
            continue
        line, col = ctx.pos(step, "uses")
        yield Problem(f"job `{job_id}` logs in to Azure with OIDC, but {source} "
                      "do not grant `id-token: write`, so the login fails",
                      f"add to job `{job_id}`:\n  permissions:\n    id-token: write\n    contents: read",
                      path=ctx.display, line=line, column=col)


@rule("workflow-write-all", severity="error", scope="workflow", lesson=f"{LESSON}#permissions")
def workflow_write_all(ctx: WorkflowContext):
    """``permissions: write-all`` gives every step write access to everything.

    Any action or script in the job (and anything it downloads) could push code, create
    releases or change settings with that token. Grant each job only what it needs::

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
SHA = re.compile(r"^[0-9a-f]{40}$")


@rule("workflow-action-pinning", severity="error", scope="workflow", lesson=f"{LESSON}#pinning")
def workflow_action_pinning(ctx: WorkflowContext):
    """An action is used from a branch (``@main``) or with no ref at all.

    A branch moves: whatever its owner (or an attacker) pushes next runs in your workflow, with
    your secrets and your OIDC token. Pin to a release tag (``actions/checkout@v4``) or, for the
    strongest guarantee, to a full commit SHA with the tag in a comment::

        - uses: azure/login@a457da9ea143d694b1b9c7c869ebb04ebe844ef5  # v2.3.0
    """
    for job_id, job in ctx.jobs.items():
        # a job-level `uses:` calls a reusable workflow, pinned the same way as an action
        callers = ([job] if isinstance(job, CommentedMap) and "uses" in job else [])
        for step in [*callers, *(s for _, s in ctx.steps(job))]:
            raw = step.get("uses")
            if not isinstance(raw, str) or raw.startswith(("./", "docker://")):
                continue
            action, ref = uses(step)
            line, col = ctx.pos(step, "uses", value=True)
            if ref is None:
                yield Problem(f"`{raw}` has no version: it runs whatever the default branch holds",
                              f"pin it: `{action}@v<major>` or a full commit SHA",
                              path=ctx.display, line=line, column=col)
            elif ref.lower() in BRANCH_REFS and not SHA.match(ref):
                yield Problem(f"`{raw}` is pinned to the branch `{ref}`, which can change under you",
                              f"pin a release tag or a commit SHA instead, e.g. `{action}@v2`",
                              path=ctx.display, line=line, column=col)


GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
SECRET_OR_VAR = re.compile(r"^\$\{\{\s*(secrets|vars)\.[A-Za-z_][A-Za-z0-9_]*\s*\}\}$")


@rule("workflow-azure-login-oidc", severity="error", scope="workflow", lesson=f"{LESSON}#oidc")
def workflow_azure_login_oidc(ctx: WorkflowContext):
    """``azure/login`` uses a stored service-principal secret (``creds``) or literal IDs.

    The ``creds`` input takes a service principal's JSON, client secret included: a long-lived
    password stored in GitHub that anyone with the workflow's secrets can use from anywhere.
    OIDC needs no stored secret at all: GitHub proves the workflow's identity to Entra ID with a
    short-lived token. Literal GUIDs in the workflow tie it to one tenant and subscription and
    put them in every fork; keep them in ``secrets.*`` or ``vars.*``::

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
            yield Problem(f"azure/login in job `{job_id}` has no inputs",
                          "give it client-id, tenant-id and subscription-id from secrets or vars",
                          path=ctx.display, line=line, column=col)
            continue
        if "creds" in inputs:
            line, col = ctx.pos(inputs, "creds")
            yield Problem("azure/login uses `creds`: a stored service-principal secret instead of OIDC",
                          "replace `creds` with client-id, tenant-id and subscription-id (OIDC), add "
                          "a federated credential for this repository in Entra ID, and delete the "
                          "client secret", path=ctx.display, line=line, column=col)
        for name in OIDC_INPUTS:
            value = inputs.get(name)
            if isinstance(value, str) and not SECRET_OR_VAR.match(value.strip()):
                line, col = ctx.pos(inputs, name, value=True)
                what = "a literal GUID" if GUID.match(value.strip()) else "a literal value"
                yield Problem(f"azure/login `{name}` is {what}, not a secret or variable",
                              f"{name}: ${{{{ secrets.AZURE_{name.upper().replace('-', '_')} }}}}",
                              path=ctx.display, line=line, column=col)


SECRET_KEY = re.compile(r"(?i)(password|passwd|secret|token|api[_-]?key|access[_-]?key|"
                        r"client[_-]?secret|connection[_-]?string|account[_-]?key|sas)")


@rule("workflow-plaintext-secret", severity="error", scope="workflow", lesson=f"{LESSON}#oidc")
def workflow_plaintext_secret(ctx: WorkflowContext):
    """A secret is written into the workflow file itself.

    Everything in a workflow file is readable by anyone who can read the repository, forever
    (history included). Store the value as a GitHub secret, preferably an environment secret,
    and reference it; better still, use OIDC so there is no secret at all::

        env:
          STORAGE_CONNECTION: ${{ secrets.STORAGE_CONNECTION }}
    """
    reported = set()
    for hit in scan_text(ctx.text):
        reported.add(hit.line)
        yield Problem(f"{hit.kind} in the workflow: {hit.masked}",
                      "move it to a GitHub secret and reference `${{ secrets.NAME }}`; rotate it, "
                      "it is already exposed", path=ctx.display, line=hit.line, column=hit.column)
    if not ctx.ok:
        return
    for parent, key, value in scalars(ctx.data):
        if not isinstance(key, str) or not SECRET_KEY.search(key) or "${{" in value:
            continue
        if len(value.strip()) < 8 or " " in value.strip():
            continue
        line, col = ctx.pos(parent, key, value=True)
        if line in reported:
            continue
        yield Problem(f"`{key}` is set to a literal value in the workflow",
                      f"{key}: ${{{{ secrets.{re.sub(r'[^A-Za-z0-9]', '_', key).upper()} }}}}",
                      path=ctx.display, line=line, column=col)
