"""The severity policy every workflow layer follows, and what it needs to know about a file.

The policy (rendered at the top of ``docs/rules.md``) decides a finding's severity by who can
exploit or trigger the problem, not by how alarming it sounds. Our own rules apply it in their
code; zizmor's findings are mapped through :mod:`.zizmor_policy` with the helpers here: the
events that start a workflow, and who controls the value an expression reads.
"""
from __future__ import annotations

import re
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

POLICY = """\
## Severity policy

Every layer (our own rules, the SchemaStore schema, zizmor, actionlint) reports through this one
policy. A false alarm is treated as seriously as a miss.

- **error**: GitHub refuses the file, or runs it differently from what it says (a job that
  silently never runs, an expression that is always empty, a login that cannot succeed); in
  `--pattern` mode, the pattern's purpose is broken (it trains on `main`, trains on a
  README-only change, logs in with stored credentials, submits an untraceable job); or someone
  outside the repository's writers (the author of a fork's pull request, of an issue or a comment,
  anything reached through `pull_request_target` or `workflow_run`) can run code, read secrets or
  write with the workflow's token.
- **warning**: hardening against values only the repository's writers control (branch names on
  `push`, `workflow_dispatch` and `workflow_call` inputs), least-privilege advice when nothing
  from outside can exploit it, policy choices (release tags rather than commit SHAs, `creds`
  logins outside pattern mode, deprecated commands that still work), and style.
- **info**: what one file cannot show (a `workflow_call` workflow gets its token permissions
  from its caller; a training job submitted by a script or a reusable workflow), and checks that
  were skipped.

zizmor's findings are not passed through at zizmor's own severity. Each is judged with what
zizmor reports (the audit and its confidence) and what the file says: the events that start it
and the source of the expression. `${{ github.event.pull_request.title }}` pasted into `run:`
is an error in a workflow that pull requests start, because their authors write the title;
`${{ github.ref_name }}` in a `push` workflow is a warning, because only people who can push
choose branch names, and they can edit the workflow anyway; `${{ github.workflow }}` is the
file's own `name:` and is not reported. Where SchemaStore's schema is stricter than GitHub,
GitHub wins: the exceptions are listed, with evidence, under
[`workflow-schema`](#workflow-schema).
"""

# Events whose payload an outsider (not a writer of the repository) can author: a fork's pull
# request, an issue, a comment, a review, a discussion. workflow_run follows such runs.
OUTSIDER_EVENTS = frozenset({
    "pull_request", "pull_request_target", "pull_request_review", "pull_request_review_comment",
    "issues", "issue_comment", "discussion", "discussion_comment", "workflow_run", "fork",
    "watch", "gollum",
})
# Of those, the ones whose runs get the base repository's secrets and a writable token.
PRIVILEGED_OUTSIDER_EVENTS = OUTSIDER_EVENTS - {"pull_request"}
# Events on which github.ref / github.ref_name hold a name a writer chose (a branch or a tag).
WRITER_REF_EVENTS = frozenset({"push", "create", "delete", "workflow_dispatch", "workflow_call",
                               "release", "repository_dispatch", "merge_group"})


def triggers(data: Any) -> set[str]:
    """The event names in a workflow's ``on:`` (any of its three forms)."""
    on = data.get("on") if isinstance(data, CommentedMap) else None
    if isinstance(on, str):
        return {on}
    if isinstance(on, (list, CommentedSeq)):
        return {str(e) for e in on if isinstance(e, str)}
    if isinstance(on, dict):
        return {str(e) for e in on}
    return set()


def event_settings(data: Any, event: str) -> Any:
    on = data.get("on") if isinstance(data, CommentedMap) else None
    return on.get(event) if isinstance(on, dict) else None


GLOB = re.compile(r"[*?+\[\]!\\]")


def base_branch_pinned(data: Any, events: set[str]) -> bool:
    """True when every pull request event that starts the workflow names its base branches
    literally (``branches: [main]``): the base ref can then only be one of those names."""
    pr = [e for e in events if e in ("pull_request", "pull_request_target")]
    if not pr or events - {"pull_request", "pull_request_target"} - {"workflow_dispatch"}:
        return False
    for event in pr:
        settings = event_settings(data, event)
        branches = settings.get("branches") if isinstance(settings, dict) else None
        branches = [branches] if isinstance(branches, str) else branches
        if not isinstance(branches, (list, CommentedSeq)) or not branches or any(
                not isinstance(b, str) or GLOB.search(b) for b in branches):
            return False
    return True


# Who controls the value of a context, by the shape of its name.
FIXED = r"""(?x)^(?:
    github\.(?:sha|run_id|run_number|run_attempt|job|workflow|workflow_ref|workflow_sha|
               repository|repository_id|repository_owner|repository_owner_id|server_url|api_url|
               graphql_url|event_name|workspace|action|action_path|action_ref|action_repository|
               actor|actor_id|triggering_actor|retention_days|token|path|env|ref_type|
               ref_protected|secret_source|event\.number|event\.pull_request\.number|
               event\.pull_request\.(?:head|base)\.sha|event\.after|event\.before|
               event\.repository\.[a-z_]+|event\.sender\.(?:login|id|type)|
               event\.issue\.number|event\.pull_request\.merged|event\.action|
               event\.pull_request\.merge_commit_sha|event\.head_commit\.id|
               event\.workflow_run\.(?:id|head_sha|run_number|conclusion)|
               event\.(?:release|deployment)\.id)|
    runner\.[a-z_]+|job\.[a-z_.]+|strategy\.[a-z_-]+|secrets\.[A-Za-z0-9_]+)$"""
OUTSIDER_TEXT = r"""(?x)^github\.(?:
    head_ref|
    event\.(?:pull_request|issue|discussion)\.(?:title|body|head\.ref|head\.label|
             head\.repo\.(?:default_branch|name|full_name|description|homepage))|
    event\.(?:comment|review|review_comment)\.body|
    event\.pages\b.*|
    event\.(?:head_commit|commits\b.*?)\.(?:message|author\.(?:name|email)|committer\.(?:name|email))|
    event\.head_commit\.(?:message|author\.(?:name|email)|committer\.(?:name|email))|
    event\.workflow_run\.(?:head_branch|head_commit\.(?:message|author\.(?:name|email))|
                          display_title|pull_requests\b.*)|
    event\.(?:issue|pull_request|discussion)\.user\.login|
    event\.pull_request\.head\.repo\.owner\.login)$"""
WRITER_REF = re.compile(r"^github\.(?:ref|ref_name|event\.ref)$")
BASE_REF = re.compile(r"^github\.(?:base_ref|event\.pull_request\.base\.ref)$")
WRITER_INPUT = re.compile(r"^(?:inputs\.|github\.event\.inputs\.|vars\.|"
                          r"github\.event\.release\.(?:tag_name|name|body)|github\.event\.client_payload\.)")


def source(context: str, data: Any) -> str:
    """Who controls ``context`` in this workflow: ``outsider``, ``writer``, ``fixed`` (nobody can
    choose a value that breaks a script) or ``unknown`` (it depends on other steps or files)."""
    name = re.sub(r"\[\s*'([^']*)'\s*\]", r".\1", context.strip())
    name = re.sub(r"\[\s*\*\s*\]|\.\*", "", name)
    name = re.sub(r"\[\s*\d+\s*\]", "", name)
    events = triggers(data)
    if re.match(OUTSIDER_TEXT, name):  # compiled (and cached by re) only when zizmor reports
        return "outsider"
    if re.match(FIXED, name):
        return "fixed"
    if WRITER_REF.match(name):
        # On pull requests `github.ref` is refs/pull/N/merge: a number, not a chosen name.
        return "writer" if events & WRITER_REF_EVENTS else "fixed"
    if BASE_REF.match(name):
        return "fixed" if base_branch_pinned(data, events) else "writer"
    if WRITER_INPUT.match(name):
        return "writer"
    return "unknown"
