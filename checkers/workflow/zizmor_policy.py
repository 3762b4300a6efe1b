"""zizmor's findings judged by the severity policy (see :data:`checkers.docgen.POLICY`).

zizmor reports what *could* be dangerous; whether it is depends on who can start the workflow
and who wrote the value. :func:`judge` takes one zizmor finding and the file it is about and
returns the severity the policy gives it (``None``: not a problem in this file) and a sentence
saying why, which is appended to the message.
"""
from __future__ import annotations

import re
from pathlib import Path

from .. import regexcache
from ..tools import key
from ..yamlnodes import CommentedMap

from .context import WorkflowContext
from .severity import OUTSIDER_EVENTS, PRIVILEGED_OUTSIDER_EVENTS, source, triggers
from .walk import is_action, job_needs, run_text, uses

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any

ZIZMOR_SEVERITY = {"high": "warning", "medium": "warning", "low": "info", "informational": "info"}
CONTEXT_AT = regexcache.compile(r"[A-Za-z_][\w-]*(?:\.[\w*-]+|\[[^\]]*\])*")
EXPRESSION = regexcache.compile(r"\$\{\{(.*?)\}\}", re.S)
# Actions that exchange the job's OIDC token (`id-token: write`) for a cloud credential.
OIDC_ACTIONS = ("azure/login", "aws-actions/configure-aws-credentials",
                "google-github-actions/auth", "actions/deploy-pages",
                "pypa/gh-action-pypi-publish", "sigstore/gh-action-sigstore-python",
                "hashicorp/vault-action", "actions/attest-build-provenance", "actions/attest")
PR_CODE = regexcache.compile(r"pull_request\.head|head_ref|refs/pull/|workflow_run\.head|merge_commit_sha"
                     r"|\bpull/\$|github\.event\.number")
PR_CHECKOUT_CMD = regexcache.compile(r"\bgh\s+pr\s+checkout\b|\bgit\s+fetch\b[^\n]*\bpull/")
PUBLISH_ACTIONS = ("pypa/gh-action-pypi-publish", "docker/build-push-action",
                   "softprops/action-gh-release", "actions/deploy-pages", "ncipollo/release-action",
                   "actions/create-release", "actions/upload-release-asset", "azure/webapps-deploy",
                   "azure/functions-action", "peaceiris/actions-gh-pages", "jamesives/github-pages-deploy-action")
PUBLISH_CMD = regexcache.compile(r"\b(?:twine\s+upload|npm\s+publish|docker\s+push|gh\s+release|"
                         r"cargo\s+publish|poetry\s+publish|flit\s+publish|hatch\s+publish|"
                         r"uv\s+publish|gem\s+push|mvn\s+deploy|gradle\w*\s+publish|"
                         r"az\s+ml\s+(?:model|online-deployment|online-endpoint)\s+create)\b")
WORKSPACE_PATH = regexcache.compile(r"^\s*(?:\.|\./|\*|\*\*|\$\{\{\s*github\.workspace\s*\}\}/?|.*\.git\b.*)\s*$")


def route_job(finding_location: dict, ctx: WorkflowContext) -> tuple[str | None, Any]:
    route = [part.get("Key", part.get("Index")) for part in
             finding_location.get("symbolic", {}).get("route", {}).get("route", [])]
    if len(route) >= 2 and route[0] == "jobs":
        return str(route[1]), ctx.jobs.get(route[1])
    return None, None


def expression_contexts(ctx: WorkflowContext, line: int | None, column: int | None) -> list[str]:
    """The context the finding points at (zizmor's column), else every one in the expression."""
    if not line:
        return []
    lines = ctx.lines
    if line > len(lines):
        return []
    text = lines[line - 1]
    at = CONTEXT_AT.match(text, (column or 1) - 1)
    if at and "." in at.group(0):
        return [at.group(0)]
    for match in EXPRESSION.finditer(text):
        if match.start() <= (column or 1) - 1 <= match.end():
            body = regexcache.compile(r"'[^']*'").sub("''", match.group(1))
            return [m.group(0) for m in CONTEXT_AT.finditer(body) if "." in m.group(0)]
    return []


def _steps(ctx: WorkflowContext, job: Any):
    return [step for _, step in ctx.steps(job)]


def _version(ref: str | None) -> tuple[int, ...] | None:
    match = regexcache.compile(r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$").match(ref or "")
    if not match:
        return None
    return tuple(int(g) for g in match.groups() if g is not None)


def env_fix(context: str) -> str:
    """The `env:` form of pasting ``${{ context }}`` into a script."""
    name = regexcache.compile(r"[^A-Za-z0-9]+").sub("_", context.rsplit(".", 1)[-1]).strip("_").upper() or "VALUE"
    return (f"pass the value in through `env:` and quote the variable in the script:\n"
            f"  env:\n    {name}: ${{{{ {context} }}}}\n  run: echo \"${name}\"")


WRITERS_ONLY_RUN = "workflow_run started only by writers' runs"


def _workflow_name(ctx: WorkflowContext) -> str:
    """The name ``workflow_run: workflows:`` matches: ``name:``, else the file's path."""
    name = ctx.data.get("name") if isinstance(ctx.data, CommentedMap) else None
    return str(name) if isinstance(name, str) and name.strip() else f".github/workflows/{ctx.path.name}"


def _siblings(folder: Path, checked: set[str]) -> list[WorkflowContext]:
    """The other workflows of a ``.github/workflows`` folder, parsed (at most 200)."""
    if folder.name != "workflows" or folder.parent.name != ".github":
        return []
    found = []
    for path in sorted([*folder.glob("*.yml"), *folder.glob("*.yaml")])[:200]:
        if key(path) in checked or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        ctx = WorkflowContext.from_text(path, str(path), text)
        if ctx.ok:
            found.append(ctx)
    return found


def mark_writer_only_runs(contexts: list[WorkflowContext], checked: set[str] | None = None
                          ) -> None:
    """Note, on each workflow started by ``workflow_run``, whether every workflow it follows is
    in this batch and is started only by writers (push, workflow_dispatch, schedule ...). Such a
    run never carries a fork's code or an outsider's text: GitHub starts it only after one of
    those workflows ran. A workflow this batch does not show is assumed reachable from outside.
    ``checked``: the contexts' real paths (``tools.key``), when the caller has them already."""
    by_name: dict[str, list[WorkflowContext]] = {}
    for ctx in contexts:
        by_name.setdefault(_workflow_name(ctx), []).append(ctx)
    if checked is None:
        checked = {key(c.path) for c in contexts}
    for folder in {c.path.parent for c in contexts if "workflow_run" in triggers(c.data)}:
        for sibling in _siblings(folder, checked):  # `checkers workflow one-file.yml`
            by_name.setdefault(_workflow_name(sibling), []).append(sibling)

    def writers_only(ctx: WorkflowContext, seen: frozenset) -> bool:
        events = triggers(ctx.data)
        if events & (OUTSIDER_EVENTS - {"workflow_run"}):
            return False
        if "workflow_run" not in events:
            return True
        settings = ctx.data["on"].get("workflow_run") if isinstance(ctx.data.get("on"), dict) else None
        names = settings.get("workflows") if isinstance(settings, dict) else None
        names = [names] if isinstance(names, str) else names
        if not names or not all(isinstance(n, str) for n in names) or id(ctx) in seen:
            return False
        upstream = [by_name.get(n, []) for n in names]
        return all(found and all(writers_only(u, seen | {id(ctx)}) for u in found)
                   for found in upstream)

    for ctx in contexts:
        if "workflow_run" in triggers(ctx.data) and writers_only(ctx, frozenset()):
            ctx.cache[WRITERS_ONLY_RUN] = True


def judge(ident: str, confidence: str, severity: str, ctx: WorkflowContext, location: dict,
          line: int | None, column: int | None) -> tuple[str | None, str, str | None]:
    """(severity or None, why, a better hint or None) for one zizmor finding in ``ctx``."""
    default = ZIZMOR_SEVERITY.get(severity.lower(), "warning")
    events = triggers(ctx.data)
    if ctx.cache.get(WRITERS_ONLY_RUN):
        events = events - {"workflow_run"}  # see mark_writer_only_runs
        if ident == "dangerous-triggers" and not events & PRIVILEGED_OUTSIDER_EVENTS:
            return None, "", None
    job_id, job = route_job(location, ctx)
    judge_one = JUDGES.get(ident)
    if judge_one is None:
        return default, "", None
    verdict = judge_one(ctx=ctx, events=events, job_id=job_id, job=job, line=line, column=column,
                        confidence=confidence.lower(), default=default, location=location)
    if ident == "template-injection":
        contexts = expression_contexts(ctx, line, column)
        return (*verdict, env_fix(contexts[0]) if contexts else None)
    return (*verdict, None)


def _template_injection(ctx, events, line, column, default, **_):
    contexts = expression_contexts(ctx, line, column)
    if not contexts:
        return default, ""
    kinds = {c: source(c, ctx.data) for c in contexts}
    outsider = [c for c, k in kinds.items() if k == "outsider"]
    commit_text = [c for c in outsider if "commit" in c]
    if outsider and (events & OUTSIDER_EVENTS or (commit_text and "push" in events)):
        who = ("the pull request's, issue's or comment's author"
               if not commit_text else "whoever wrote the commit")
        return "error", f"`{outsider[0]}` is written by {who}, not by the repository's writers"
    if outsider:
        return "warning", (f"`{outsider[0]}` would come from outside, but no event that starts "
                           "this workflow carries it")
    if all(k == "fixed" for k in kinds.values()):
        return None, ""
    writer = [c for c, k in kinds.items() if k == "writer"]
    if writer:
        return "warning", (f"`{writer[0]}` is chosen only by people who can push or start the "
                           "workflow (hardening)")
    unknown = [c for c, k in kinds.items() if k == "unknown"]
    if default == "info":
        return "info", ""
    return "warning", (f"where `{unknown[0]}` comes from is not visible here: pass it through "
                       "`env:` in any case")


def _logs_in(ctx: WorkflowContext, job: Any) -> bool:
    if isinstance(job, CommentedMap) and "uses" in job:
        return False
    return any(uses(step)[0].startswith(OIDC_ACTIONS) for step in _steps(ctx, job))


def _excessive_permissions(ctx, line, default, job, **_):
    text = ctx.lines[line - 1] if line and line <= len(ctx.lines) else ""
    if job is None and regexcache.compile(r"\s*id-token\s*:\s*write").match(text):
        jobs = list(ctx.jobs.values())
        if jobs and all(_logs_in(ctx, j) for j in jobs):
            return None, ""
    return "warning" if default != "info" else "info", "least-privilege advice"


def _artipacked(ctx, job, default, **_):
    uploads = [s for s in _steps(ctx, job) if uses(s)[0] == "actions/upload-artifact"]
    if not uploads:
        return ("warning" if default != "info" else "info",
                "no step of this job uploads an artifact; later steps can still read the token")
    exposed, expired = [], False
    lasting = _lasting_checkout_token(ctx, job)
    for step in uploads:
        with_ = step.get("with") if isinstance(step.get("with"), CommentedMap) else {}
        hidden = str(with_.get("include-hidden-files", "false")).lower() == "true"
        version = _version(uses(step)[1])
        old = version is not None and (version[0] < 4 or (
            version[0] == 4 and len(version) > 1 and version[1] < 4))
        if not (hidden or old or version is None):
            continue  # upload-artifact >= 4.4 leaves .git/ (hidden) out
        path = str(with_.get("path", ""))
        covers = any(WORKSPACE_PATH.match(p) for p in path.splitlines() if p.strip())
        if covers and version is not None and version[0] < 4 and not lasting:
            # before v4 an artifact can be downloaded only once the whole run is over, and the
            # job's GITHUB_TOKEN expires when the job finishes: what leaks is already dead
            expired = True
            continue
        exposed.append(covers and (hidden or old))
    if expired and not any(exposed):
        return "warning", ("an uploaded artifact includes `.git/config`, but only with the job's "
                           "GITHUB_TOKEN, which expires when the job ends, before an "
                           "upload-artifact v3 artifact can be downloaded (hardening)")
    if not exposed:
        return None, ""
    if any(exposed):
        return "error", ("an uploaded artifact includes `.git/config` with the token, and "
                         "anyone who can read the repository can download artifacts")
    return "warning", "check that no uploaded path includes `.git/`"


JOB_TOKEN = regexcache.compile(r"^\s*\$\{\{\s*(?:secrets\.GITHUB_TOKEN|github\.token)\s*\}\}\s*$", re.I)


def _lasting_checkout_token(ctx: WorkflowContext, job: Any) -> bool:
    """Does a checkout in the job keep a credential other than the job's own GITHUB_TOKEN (a
    personal access token, an app's token) in ``.git/config``? That one outlives the job."""
    for step in _steps(ctx, job):
        with_ = step.get("with") if isinstance(step.get("with"), CommentedMap) else {}
        if is_action(step, "actions/checkout") and with_.get("token") is not None \
                and not JOB_TOKEN.match(str(with_.get("token"))):
            return True
    return False


def _publishes(ctx: WorkflowContext, job: Any) -> bool:
    steps = _steps(ctx, job)
    return any(uses(s)[0].startswith(PUBLISH_ACTIONS) or PUBLISH_CMD.search(run_text(s))
               for s in steps)


def _cache_poisoning(ctx, job, confidence, default, **_):
    if confidence == "low" and not _publishes(ctx, job):
        return None, ""
    return ("warning" if default != "info" else "info",
            "a poisoned cache needs an earlier compromise of another workflow (hardening)")


def _upstream(ctx: WorkflowContext, job_id: str):
    """The job and every job it needs, transitively (each once)."""
    seen, queue = set(), [job_id]
    while queue:
        name = queue.pop()
        job = ctx.jobs.get(name)
        if name in seen or not isinstance(job, CommentedMap):
            continue
        seen.add(name)
        yield job
        queue.extend(job_needs(job))


def _gated(ctx: WorkflowContext, job_id: str) -> bool:
    """Does the job, or a job it needs (transitively), wait for an environment's approval?"""
    return any(job.get("environment") for job in _upstream(ctx, job_id))


# What an outsider's pull request or comment carries: a login GitHub gave nobody in the
# repository, and each author association of someone without write access.
OUTSIDER_ASSOCIATIONS = ("NONE", "CONTRIBUTOR", "FIRST_TIME_CONTRIBUTOR", "FIRST_TIMER")


def _outsider_context(association: str):
    from . import expressions as ex

    def author(path):
        return ex.Context(path, {"user": ex.Context(f"{path}.user", {"login": "an-outsider"}),
                                 "author_association": association})
    event = ex.Context("github.event", {name: author(f"github.event.{name}") for name in (
        "pull_request", "issue", "comment", "review", "discussion")})
    return ex.Context("github", {"event": event})


def _excludes_outsiders(condition: Any) -> bool:
    """Is a job's ``if:`` false for every outsider's pull request or comment, as
    ``github.event.pull_request.user.login == 'dependabot[bot]'`` or an author association of
    OWNER, MEMBER or COLLABORATOR is? ``github.actor`` stays unknown: whoever last touched the
    pull request is the actor, so a condition on it excludes nobody (zizmor's bot-conditions)."""
    if not isinstance(condition, str) or not condition.strip():
        return False
    from . import expressions as ex

    try:
        tree = ex.parse(ex.condition_expression(condition))
    except ex.ExpressionError:
        return False
    status = ex.unknown_status()
    for association in OUTSIDER_ASSOCIATIONS:
        try:
            value = ex.evaluate(tree, ex.Scope({"github": _outsider_context(association)},
                                               status, place="if"))
        except ex.ExpressionError:
            return False
        if ex.truthy(value) is not False:
            return False
    return True


def _outsiders_excluded(ctx: WorkflowContext, job_id: str) -> bool:
    """Does the job, or a job it needs (transitively), skip every outsider's event?"""
    return any(_excludes_outsiders(job.get("if")) for job in _upstream(ctx, job_id))


def _runs_pr_code(ctx: WorkflowContext) -> tuple[str, str] | None:
    for job_id, job in ctx.jobs.items():
        for step in _steps(ctx, job):
            with_ = step.get("with") if isinstance(step.get("with"), CommentedMap) else {}
            if is_action(step, "actions/checkout") and PR_CODE.search(str(with_.get("ref", ""))):
                return job_id, f"job `{job_id}` checks out the pull request's code"
            if PR_CHECKOUT_CMD.search(run_text(step)):
                return job_id, f"job `{job_id}` fetches the pull request's code"
    return None


def _downloads_run_artifacts(ctx: WorkflowContext) -> str | None:
    if "workflow_run" not in triggers(ctx.data):
        return None
    for job_id, job in ctx.jobs.items():
        for step in _steps(ctx, job):
            if uses(step)[0] in ("actions/download-artifact", "dawidd6/action-download-artifact") \
                    or regexcache.compile(r"\bgh\s+run\s+download\b").search(run_text(step)):
                return f"job `{job_id}` downloads artifacts of the run that triggered it"
    return None


def _calls_reusable(ctx: WorkflowContext) -> str | None:
    for job_id, job in ctx.jobs.items():
        if isinstance(job, CommentedMap) and isinstance(job.get("uses"), str):
            return f"job `{job_id}` calls `{job['uses']}`"
    return None


def _dangerous_triggers(ctx, events, default, **_):
    runs = _runs_pr_code(ctx)
    if runs and _gated(ctx, runs[0]):
        return "warning", (f"{runs[1]}, after an environment's reviewers approve: they must read "
                           "the pull request's code before approving")
    if runs and _outsiders_excluded(ctx, runs[0]):
        return "warning", (f"{runs[1]}, but only for pull requests and comments of the "
                           "repository's writers or a bot (its `if:` excludes everyone else)")
    if runs:
        return "error", f"{runs[1]}: the pull request's author runs code with them"
    downloads = _downloads_run_artifacts(ctx)
    if downloads:
        return "warning", (f"{downloads}: a fork's pull request may have made them; treat them "
                           "as untrusted data, never run them")
    calls = _calls_reusable(ctx)
    if calls:
        return "info", (f"{calls}; this file cannot show whether that workflow runs the pull "
                        "request's code (it must not)")
    return None, ""


def _outsider_gated(ctx, events, default, **_):
    if events & PRIVILEGED_OUTSIDER_EVENTS:
        return "error", "an event started by outsiders reaches it with the repository's secrets"
    why = ("its workflow_run follows only workflows that writers start (hardening)"
           if ctx.cache.get(WRITERS_ONLY_RUN) else "")
    return ("warning" if default != "info" else "info"), why


# A write to $GITHUB_ENV / $GITHUB_PATH, and one whose value is only literal text and `${{ }}`
# of values nobody outside chooses: `echo "DIR=${{ runner.temp }}/artifacts" >> "$GITHUB_ENV"`.
ENV_FILE = regexcache.compile(r"\$\{?(?:GITHUB_ENV|GITHUB_PATH)\b")
STATIC_WRITE = regexcache.compile(r"^\s*(?:echo|printf)\s+(?P<value>.*?)\s*(?:>>?|\|\s*tee\s)[^>|]*$")


def _route_step(location: dict, ctx: WorkflowContext) -> Any:
    route = [part.get("Key", part.get("Index")) for part in
             location.get("symbolic", {}).get("route", {}).get("route", [])]
    _, job = route_job(location, ctx)
    steps = _steps(ctx, job) if len(route) >= 4 and route[2] == "steps" else []
    index = route[3] if steps else None
    return steps[index] if isinstance(index, int) and 0 <= index < len(steps) else None


# `gh pr view "$BRANCH" --json number --jq '"PR_NUMBER=\\(.number)"' >> "$GITHUB_ENV"`: the
# value is a number from GitHub's API (an id, a pull request's number), whatever the query's
# arguments were; a title or a branch name would not be
GH_COMMAND = regexcache.compile(r"^\s*gh\s+(?P<args>[^|;&<>`]*?)\s*>>?\s*\S+\s*$")
GH_SUBSTITUTION = regexcache.compile(r"\$\((?P<args>\s*gh\s[^()|;&<>`]*)\)")
NUMBER_PATH = r"(?:\.[A-Za-z_]\w*|\.?\[\d+\])*\.(?:number|id|databaseId)"
NUMBER_QUERY = regexcache.compile(rf"""^(?:{NUMBER_PATH}|"[A-Za-z_]\w*=(?:\\\({NUMBER_PATH}\))+")$""")


def _numbers_only(gh_args: str) -> bool:
    """Does ``gh ARGS`` print only numbers (or ``NAME=<number>``) from GitHub's API?"""
    import shlex

    try:
        words = shlex.split(gh_args)
    except ValueError:
        return False
    queries = [w.split("=", 1)[1] if "=" in w and w.startswith("--") else nxt
               for w, nxt in zip(words, [*words[1:], ""])
               if w in ("--jq", "-q") or w.startswith("--jq=")]
    return len(queries) == 1 and bool(NUMBER_QUERY.match(queries[0].strip()))


def static_env_writes(script: str, data: Any) -> bool:
    """Does every line of ``script`` that writes an environment file write a value nobody outside
    the repository can shape (no shell expansion, only fixed ``${{ }}`` contexts and numbers
    GitHub's API answers ``gh`` with)?"""
    writes = [line for line in regexcache.compile(r"\\\n").sub(" ", script).splitlines() if ENV_FILE.search(line)]
    for line in writes:
        command = GH_COMMAND.match(line)
        if command and _numbers_only(command.group("args")):
            continue
        match = STATIC_WRITE.match(line)
        if not match:
            return False
        value = GH_SUBSTITUTION.sub(lambda m: "" if _numbers_only(m.group("args").strip()[3:]) else "$",
                                    match.group("value"))
        for expression in EXPRESSION.finditer(value):
            body = regexcache.compile(r"'[^']*'").sub("''", expression.group(1))
            if any(source(c.group(0), data) != "fixed"
                   for c in CONTEXT_AT.finditer(body) if "." in c.group(0)):
                return False
        if regexcache.compile(r"[$`]").search(EXPRESSION.sub("", value)):
            return False  # a shell variable or a command's output: it may carry anything
    return bool(writes)


def _github_env(ctx, events, default, location, **kwargs):
    step = _route_step(location, ctx)
    if isinstance(step, CommentedMap) and static_env_writes(run_text(step), ctx.data):
        return None, ""  # zizmor skips wholly static writes too; fixed contexts are as static
    return _outsider_gated(ctx=ctx, events=events, default=default, **kwargs)


def _stored_credentials(**_):
    return "error", "anyone who can read the repository reads the password"


JUDGES = {
    "template-injection": _template_injection,
    "excessive-permissions": _excessive_permissions,
    "artipacked": _artipacked,
    "cache-poisoning": _cache_poisoning,
    "dangerous-triggers": _dangerous_triggers,
    "github-env": _github_env,
    "insecure-commands": _outsider_gated,
    "bot-conditions": _outsider_gated,
    "hardcoded-container-credentials": _stored_credentials,
}
