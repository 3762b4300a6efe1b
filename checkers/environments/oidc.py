"""The OIDC subject lab: the ``sub`` claim of each job's GitHub OIDC token, and whether an Entra
federated credential matches it.

GitHub's documented subject formats ("OpenID Connect reference", subject claim examples):

* ``repo:OWNER/REPO:environment:NAME`` when the job references an environment (whatever the
  event);
* else ``repo:OWNER/REPO:pull_request`` when the run was started by a pull request;
* else ``repo:OWNER/REPO:ref:refs/heads/BRANCH`` or ``repo:OWNER/REPO:ref:refs/tags/TAG``.

Repositories created or renamed since 2026-07-15 (and older ones that opted in) carry immutable
ids: ``repo:OWNER@OWNER_ID/REPO@REPO_ID:...``. Microsoft Entra compares the subject with each
federated credential's ``subject`` exactly and case-sensitively: no match at all is
``AADSTS700213``; a match that only differs in letter case is ``AADSTS7002138``.

The prediction assumes GitHub's default subject template; an organization or repository can
customize it (``include_claim_keys`` in the OIDC customization API), which changes the format.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..yamlnodes import CommentedMap, CommentedSeq

from ..workflow.trigger import PR_EVENTS, evaluate
from ..workflow.walk import EXPRESSION, is_action
from ..yamlload import load, position
from .settings import SettingsError, read_text

OWNER_REPO = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$")
IMMUTABLE_SINCE = "2026-07-15"
NO_MATCH, CASE_ONLY = "AADSTS700213", "AADSTS7002138"


class OidcError(ValueError):
    """Arguments that describe no event, or a file that cannot be used; one line."""


@dataclass
class Subject:
    job: str
    subject: str
    environment: str | None = None
    logs_in: bool = False          # the job signs in to Azure with OIDC (azure/login, no creds)
    note: str | None = None
    match: str | None = None       # the credential's name (or subject) that matches
    error: str | None = None       # AADSTS700213 / AADSTS7002138 when a login would fail
    message: str | None = None
    fix: str | None = None

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None and k != "job"}


@dataclass
class Credential:
    name: str
    subject: str
    line: int | None = None


@dataclass
class Prediction:
    repo: str
    event: str
    ref: str | None
    jobs: dict[str, Subject] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def failing(self) -> list[Subject]:
        return [s for s in self.jobs.values() if s.error]

    def to_dict(self) -> dict:
        return {"repo": self.repo, "event": self.event, "ref": self.ref,
                "jobs": {job: s.to_dict() for job, s in self.jobs.items()}, "notes": self.notes}

    def __str__(self) -> str:
        lines = [f"OIDC subjects for {self.event}"
                 + (f" of {self.ref}" if self.ref else "") + f" in {self.repo}:"]
        for job, s in self.jobs.items():
            mark = "  " if s.error is None else "✗ "
            lines.append(f"{mark}{job}: {s.subject}")
            for extra in (s.note, s.match and f"matches credential `{s.match}`", s.message,
                          s.fix and f"fix: {s.fix}"):
                if extra:
                    lines.append(f"    {extra}")
        lines.extend(f"note: {n}" for n in self.notes)
        return "\n".join(lines)

    __repr__ = __str__


def prefix(repo: str, owner_id: int | str | None = None, repo_id: int | str | None = None) -> str:
    """``repo:OWNER/REPO`` or, with both ids, ``repo:OWNER@OWNER_ID/REPO@REPO_ID``."""
    if not OWNER_REPO.match(repo or ""):
        raise OidcError(f"--repo must be OWNER/REPO (like neuralspark/churn-model), not {repo!r}")
    if (owner_id is None) != (repo_id is None):
        raise OidcError("give both --owner-id and --repo-id (the immutable form needs both), or neither")
    if owner_id is None:
        return f"repo:{repo}"
    for label, value in (("--owner-id", owner_id), ("--repo-id", repo_id)):
        if not re.fullmatch(r"[0-9]+", str(value)):
            raise OidcError(f"{label} must be a number (gh api repos/OWNER/REPO --jq .owner.id,.id), "
                            f"not {value!r}")
    owner, name = repo.split("/")
    return f"repo:{owner}@{owner_id}/{name}@{repo_id}"


def subject_for(repo_prefix: str, event: str, *, environment: str | None = None,
                branch: str | None = None, tag: str | None = None) -> str:
    """The subject GitHub puts in the token of one job."""
    if environment:
        return f"{repo_prefix}:environment:{environment}"
    if event in PR_EVENTS:
        return f"{repo_prefix}:pull_request"
    if tag is not None:
        return f"{repo_prefix}:ref:refs/tags/{_short(tag, 'refs/tags/')}"
    if branch is None:
        raise OidcError(f"--event {event} needs --branch BRANCH or --tag TAG (the ref the run is for)")
    return f"{repo_prefix}:ref:refs/heads/{_short(branch, 'refs/heads/')}"


def _short(ref: str, strip: str) -> str:
    return ref[len(strip):] if ref.startswith(strip) else ref


def _environment(job) -> str | None:
    env = job.get("environment") if isinstance(job, CommentedMap) else None
    if isinstance(env, CommentedMap):
        env = env.get("name")
    return env.strip() if isinstance(env, str) and env.strip() else None


def _logs_in(job) -> bool:
    steps = job.get("steps") if isinstance(job, CommentedMap) else None
    for step in steps if isinstance(steps, CommentedSeq) else []:
        if isinstance(step, CommentedMap) and is_action(step, "azure/login"):
            inputs = step.get("with")
            # `auth-type: IDENTITY` signs in with the runner's managed identity: no OIDC token
            return isinstance(inputs, CommentedMap) and "creds" not in inputs \
                and "client-id" in inputs and str(inputs.get("auth-type", "")).upper() != "IDENTITY"
    return False


def load_document(source: Any, what: str) -> tuple[Any, str]:
    """(parsed document, display name) of a path or YAML text; OidcError when unusable."""
    if isinstance(source, (dict, list)):
        return source, what
    if isinstance(source, Path) or (isinstance(source, str) and "\n" not in source
                                    and source.endswith((".yml", ".yaml"))):
        try:
            text, display = read_text(Path(source)), str(source)
        except SettingsError as exc:
            raise OidcError(str(exc)) from None
    else:
        text, display = str(source), what
    data, problem = load(text)
    if problem:
        raise OidcError(f"{display}:{problem.line or 1}:{problem.column or 1}: invalid YAML: "
                        f"{problem.message}")
    return data, display


def load_credentials(source: Any) -> list[Credential]:
    """Federated credentials: ``credentials:`` (or a bare list) of ``{name, subject}`` entries
    or subject strings."""
    data, display = load_document(source, "credentials.yml")
    items = data.get("credentials") if isinstance(data, CommentedMap) else data
    if not isinstance(items, list):
        raise OidcError(f"{display}: expected a `credentials:` list of {{name, subject}} entries")
    found = []
    for i, item in enumerate(items):
        line = position(items, i)[0] if isinstance(items, CommentedSeq) else None
        if isinstance(item, str):
            found.append(Credential(item, item, line))
        elif isinstance(item, dict) and isinstance(item.get("subject"), str):
            found.append(Credential(str(item.get("name") or item["subject"]), item["subject"], line))
        else:
            raise OidcError(f"{display}:{line or 1}: credential #{i + 1} has no `subject:` string")
    return found


def subjects(workflow: Any, repo: str, event: str, *, branch: str | None = None,
             tag: str | None = None, base: str | None = None, owner_id=None, repo_id=None,
             credentials: Any = None) -> Prediction:
    """Predict every job's OIDC subject for one event; with ``credentials`` (a path, YAML text
    or list of :class:`Credential`), say which logins Entra would refuse and why."""
    repo_prefix = prefix(repo, owner_id, repo_id)
    if event in PR_EVENTS and (branch is not None or tag is not None):
        raise OidcError(f"--event {event} takes --base (the branch the pull request targets), "
                        "not --branch/--tag")
    if event not in PR_EVENTS and branch is not None and tag is not None:
        raise OidcError("a run is for a branch or a tag: give --branch or --tag, not both")
    if event not in PR_EVENTS and branch is None and tag is None:
        raise OidcError(f"--event {event} needs --branch BRANCH or --tag TAG (the ref the run is for)")
    data, display = load_document(workflow, "workflow.yml")
    jobs = data.get("jobs") if isinstance(data, CommentedMap) else None
    if not isinstance(jobs, CommentedMap):
        raise OidcError(f"{display}: not a workflow with a `jobs:` mapping")
    ref = (f"refs/tags/{_short(tag, 'refs/tags/')}" if tag is not None else
           f"refs/heads/{_short(branch, 'refs/heads/')}" if branch is not None else
           f"pull request into {base}" if base else "a pull request")
    result = Prediction(repo, event, ref)
    for job_id, job in jobs.items():
        env = _environment(job)
        s = Subject(str(job_id), subject_for(repo_prefix, event, environment=env, branch=branch,
                                             tag=tag), env, _logs_in(job))
        if env and EXPRESSION.search(env):
            s.note = "the environment is an expression: the subject holds whatever it evaluates to"
        elif isinstance(job, CommentedMap) and "uses" in job:
            s.note = ("calls a reusable workflow: each of its jobs gets this subject unless it "
                      "names an environment itself (inside the called file)")
        result.jobs[str(job_id)] = s
    if owner_id is None:
        result.notes.append(f"Repositories created or renamed since {IMMUTABLE_SINCE} (and older "
                            "ones that opted in) put immutable ids in the subject: "
                            f"repo:OWNER@OWNER_ID/REPO@REPO_ID:...; give --owner-id and --repo-id "
                            "to predict that form.")
    if event == "pull_request_target":
        result.notes.append("pull_request_target runs in the context of the base branch; the "
                            "prediction uses the pull_request form GitHub documents for pull "
                            "request events; print the token's claims once before relying on it.")
    decision = _runs(data, event, branch, tag, base)
    if decision is not None and not decision:
        result.notes.append("The workflow's `on:` does not start it for this event (whatever "
                            "files changed), so no job would request a token at all (see "
                            "`checkers trigger`).")
    if credentials is not None:
        creds = credentials if isinstance(credentials, list) and all(
            isinstance(c, Credential) for c in credentials) else load_credentials(credentials)
        match_credentials(result, creds)
    return result


def _runs(data, event, branch, tag, base) -> bool | None:
    try:
        from ..workflow.deploy import MERGE_FILES

        if event == "push":
            return evaluate(data, "push", branch=branch, tag=tag).runs if tag is not None else \
                evaluate(data, "push", branch=branch, changed=MERGE_FILES).runs
        if event in PR_EVENTS:
            return evaluate(data, event, base=base or "main", changed=MERGE_FILES).runs
        return evaluate(data, event).runs
    except ValueError:
        return None


def match_credentials(prediction: Prediction, credentials: list[Credential]) -> None:
    """Mark each job that signs in with OIDC and whose subject no credential matches exactly."""
    for s in prediction.jobs.values():
        if not s.logs_in:
            continue
        exact = next((c for c in credentials if c.subject == s.subject), None)
        if exact:
            s.match = exact.name
            continue
        folded = next((c for c in credentials if c.subject.lower() == s.subject.lower()), None)
        if folded:
            s.error = CASE_ONLY
            s.message = (f"Azure refuses the login with {CASE_ONLY}: credential `{folded.name}` "
                         f"has subject '{folded.subject}', which matches '{s.subject}' only when "
                         "letter case is ignored, and Entra compares subjects case-sensitively.")
            s.fix = (f"make the credential's subject exactly '{s.subject}' (or write the "
                     "environment name in the workflow the way the credential spells it)")
            continue
        s.error = NO_MATCH
        s.message = (f"Azure refuses the login with {NO_MATCH}: no federated credential has the "
                     f"subject '{s.subject}'.")
        s.fix = (f"add a federated credential with subject '{s.subject}'" if s.environment else
                 "give the job an environment (e.g. `environment: dev`) whose credential exists, "
                 f"or add a credential with subject '{s.subject}'")
