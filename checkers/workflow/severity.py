"""What the severity policy needs to know about a workflow file.

The policy itself is written once, in :data:`checkers.docgen.POLICY`, at the top of
``docs/rules.md``: a finding's severity follows from who can exploit or trigger the problem, not
from how alarming it sounds. Our own rules apply it in their code; zizmor's findings are mapped
through :mod:`.zizmor_policy` with the helpers here: the events that start a workflow, and who
controls the value an expression reads.
"""
from __future__ import annotations

import re

from .. import regexcache
from ..yamlnodes import CommentedMap, CommentedSeq

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any


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


GLOB = regexcache.compile(r"[*?+\[\]!\\]")


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


# Who controls the value of a context, by the shape of its name. An account's login is chosen by
# its owner, an outsider too, but GitHub allows only letters, digits and single hyphens in it
# (`[bot]` at the end of an app's, `_` in an Enterprise Managed User's): nothing a shell or a
# script string would read as code, so `*.user.login` is as harmless as `github.actor`. The web
# address of a pull request, issue or comment is GitHub's own: owner, repository and numbers.
FIXED = r"""(?x)^(?:
    github\.(?:sha|run_id|run_number|run_attempt|job|workflow|workflow_ref|workflow_sha|
               repository|repository_id|repository_owner|repository_owner_id|server_url|api_url|
               graphql_url|event_name|workspace|action|action_path|action_ref|action_repository|
               actor|actor_id|triggering_actor|retention_days|token|path|env|ref_type|
               ref_protected|secret_source|event\.number|event\.pull_request\.number|
               event\.pull_request\.(?:head|base)\.sha|event\.after|event\.before|
               event\.repository\.[a-z_]+|event\.sender\.(?:login|id|type)|
               event\.[a-z_.]*?\buser\.login|event\.[a-z_.]*?\bowner\.login|
               event\.(?:pull_request|issue|comment|review|review_comment|discussion)\.html_url|
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
                          display_title|pull_requests\b.*))$"""
WRITER_REF = regexcache.compile(r"^github\.(?:ref|ref_name|event\.ref)$")
BASE_REF = regexcache.compile(r"^github\.(?:base_ref|event\.pull_request\.base\.ref)$")
WRITER_INPUT = regexcache.compile(r"^(?:inputs\.|github\.event\.inputs\.|vars\.|"
                          r"github\.event\.release\.(?:tag_name|name|body)|github\.event\.client_payload\.)")


def source(context: str, data: Any) -> str:
    """Who controls ``context`` in this workflow: ``outsider``, ``writer``, ``fixed`` (nobody can
    choose a value that breaks a script) or ``unknown`` (it depends on other steps or files)."""
    name = regexcache.compile(r"\[\s*'([^']*)'\s*\]").sub(r".\1", context.strip())
    name = regexcache.compile(r"\[\s*\*\s*\]|\.\*").sub("", name)
    name = regexcache.compile(r"\[\s*\d+\s*\]").sub("", name)
    events = triggers(data)
    if regexcache.compile(OUTSIDER_TEXT).match(name):  # compiled only when zizmor reports
        return "outsider"
    if regexcache.compile(FIXED).match(name):
        return "fixed"
    if WRITER_REF.match(name):
        # On pull requests `github.ref` is refs/pull/N/merge: a number, not a chosen name.
        return "writer" if events & WRITER_REF_EVENTS else "fixed"
    if BASE_REF.match(name):
        return "fixed" if base_branch_pinned(data, events) else "writer"
    if WRITER_INPUT.match(name):
        return "writer"
    return "unknown"
