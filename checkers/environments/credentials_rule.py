"""``oidc-credentials``: every Azure login of the repository's workflows has a federated credential.

Runs in ``checkers repo`` for a repository that keeps its Entra federated credentials as code in
``infra/federated-credentials.yml`` (the format :func:`.oidc.load_credentials` reads).
"""
from __future__ import annotations

import re

from ..yamlnodes import CommentedMap

from ..registry import Problem, rule
from ..workflow.trigger import PR_EVENTS
from ..workflow.walk import EXPRESSION
from ..yamlload import load, position
from .oidc import (CASE_ONLY, NO_MATCH, Credential, OidcError, _environment, _logs_in,
                   load_credentials)

CREDENTIAL_PATHS = ("infra/federated-credentials.yml", "infra/federated-credentials.yaml")
PREFIX = re.compile(r"^(repo:[^:]+):")
LITERAL_BRANCH = re.compile(r"^[A-Za-z0-9._/-]+$")


def _credentials(ctx) -> tuple[str, list[Credential]] | None:
    for path in CREDENTIAL_PATHS:
        if path in ctx.paths:
            text = ctx.read_text(path)
            if text is None:
                return None
            try:
                return ctx.display(path), load_credentials(text)
            except OidcError:
                return None  # yaml-syntax (or the file's own shape) is not this rule's business
    return None


def _expected(job, data) -> list[str] | None:
    """The subject tails this job's token can carry, as far as the file can list them."""
    env = _environment(job)
    if env:
        return None if EXPRESSION.search(env) else [f"environment:{env}"]
    on = data.get("on")
    events = {on: None} if isinstance(on, str) else dict.fromkeys(on) if isinstance(on, list) \
        else dict(on) if isinstance(on, CommentedMap) else {}
    tails = []
    for event, settings in events.items():
        if event in PR_EVENTS:
            tails.append("pull_request")
        elif event == "push" and isinstance(settings, CommentedMap) and "tags" not in settings:
            branches = settings.get("branches")
            branches = [branches] if isinstance(branches, str) else branches
            if isinstance(branches, list) and all(
                    isinstance(b, str) and LITERAL_BRANCH.match(b) for b in branches):
                tails.extend(f"ref:refs/heads/{b}" for b in branches)
        # other events (and branch patterns): the ref is chosen at run time, not listable
    return tails


@rule("oidc-credentials", severity="error", scope="repo", lesson="03-environments#oidc-subjects")
def oidc_credentials(ctx):
    """A job signs in to Azure with OIDC, but no federated credential matches its subject.

    Microsoft Entra accepts GitHub's token only when its ``sub`` claim equals the subject of
    one of the app's federated credentials, exactly and case-sensitively. The subject is
    ``repo:OWNER/REPO:environment:NAME`` for a job with an environment, else
    ``repo:OWNER/REPO:pull_request`` for pull requests, else ``repo:OWNER/REPO:ref:refs/heads/
    BRANCH``. A job without a credential fails at ``azure/login`` with AADSTS700213 (or
    AADSTS7002138 when only the letter case differs). Add the credential to
    ``infra/federated-credentials.yml`` (and to Entra), or give the job an environment that has
    one::

        credentials:
          - name: github-production
            subject: repo:neuralspark/churn-model:environment:production

    The repository (``OWNER/REPO``) is read from the credentials themselves; jobs whose subject
    depends on a branch chosen at run time (``workflow_dispatch``, branch patterns) are not
    judged. ``checkers oidc`` predicts the subject of one event.
    """
    found = _credentials(ctx)
    if not found:
        return
    display, credentials = found
    prefixes = {m.group(1) for c in credentials for m in [PREFIX.match(c.subject)] if m}
    if len(prefixes) != 1:
        return  # several repositories (or none): which one is this cannot be told
    prefix = prefixes.pop()
    subjects = {c.subject for c in credentials}
    folded = {c.subject.lower(): c for c in credentials}
    for entry in ctx.entries:
        path = entry.path
        if not (path.startswith(".github/workflows/") and path.count("/") == 2
                and path.endswith((".yml", ".yaml"))):
            continue
        text = ctx.read_text(path)
        data, problem = load(text) if text is not None else (None, True)
        jobs = data.get("jobs") if not problem and isinstance(data, CommentedMap) else None
        if not isinstance(jobs, CommentedMap):
            continue
        for job_id, job in jobs.items():
            if not _logs_in(job):
                continue
            tails = _expected(job, data)
            for tail in tails or []:
                subject = f"{prefix}:{tail}"
                if subject in subjects:
                    continue
                line, col = position(jobs, job_id)
                near = folded.get(subject.lower())
                if near:
                    message = (f"job `{job_id}` gets the OIDC subject '{subject}', which credential "
                               f"`{near.name}` ('{near.subject}') matches only if letter case is "
                               f"ignored: Azure refuses the login with {CASE_ONLY}")
                    hint = f"make the credential's subject exactly '{subject}'"
                else:
                    message = (f"job `{job_id}` gets the OIDC subject '{subject}', which no "
                               f"credential in {display} matches: Azure refuses the login with "
                               f"{NO_MATCH}")
                    hint = (f"add to {display}:\n  - name: github-{tail.split(':')[-1].split('/')[-1]}"
                            f"\n    subject: {subject}")
                    if not tail.startswith("environment:"):
                        hint += "\nor give the job an environment whose credential exists"
                yield Problem(message, hint, path=ctx.display(path), line=line, column=col)
