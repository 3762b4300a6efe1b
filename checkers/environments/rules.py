"""Rules for GitHub environments written as code (``.github/settings.yml``).

They run in ``checkers environments SETTINGS`` and, for a repository that has the file, in
``checkers repo``. GitHub's documented limits ("Managing environments for deployment", REST API
"Create or update an environment") are errors; the seed's promotion intent (staging automatic,
production behind reviewers, production deployed only from ``main``) is checked as the course's
pattern.
"""
from __future__ import annotations

import difflib

from ..yamlnodes import CommentedMap, CommentedSeq

from ..registry import Problem, rule
from ..yamlload import position
from .settings import (ENV_KEYS, POLICY_KEYS, REVIEWER_TYPES, SETTINGS_PATHS, Environment,
                       Settings)

LESSON = "03-environments"
MAX_REVIEWERS = 6
MAX_WAIT_MINUTES = 43_200
MAX_NAME = 255
PLAN_NOTE = ("Required reviewers and wait timers work in public repositories on every GitHub plan; "
             "in a private or internal repository they need GitHub Enterprise (GitHub Pro and Team "
             "give private repositories environments, their secrets and branch policies, but not "
             "these two rules). On a free account, practise with a public repository.")
PRODUCTION_EXAMPLE = """\
environments:
  - name: staging
  - name: production
    wait_timer: 30
    reviewers:
      - type: Team
        id: 1234567
    deployment_branch_policy:
      protected_branches: false
      custom_branch_policies: true
      custom_branches: [main]"""


def settings_of(ctx) -> Settings | None:
    """The settings a rule looks at: the file given to ``checkers environments``, or the
    repository's ``.github/settings.yml`` (None when it has none)."""
    if isinstance(ctx, Settings):
        return ctx
    if "settings" not in ctx.cache:
        ctx.cache["settings"] = None
        for path in SETTINGS_PATHS:
            if path in ctx.paths:
                text = ctx.read_text(path)
                if text is not None:
                    settings = Settings.from_text(text, ctx.display(path))
                    settings.cache["repo_paths"] = ctx.paths
                    ctx.cache["settings"] = settings
                break
    return ctx.cache["settings"]


def _here(settings: Settings, node, key=None, *, value=False) -> dict:
    line, col = position(node, key, value=value) if node is not None else (None, None)
    return {"path": settings.display, "line": line or 1, "column": col or 1}


def _kind(value) -> str:
    if isinstance(value, CommentedSeq):
        return "a list"
    if isinstance(value, CommentedMap):
        return "a mapping"
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    text = " ".join(str(value).split())
    return f"`{text[:40]}…`" if len(text) > 40 else f"`{text}`"


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@rule("environments-format", severity="error", scope="repo", lesson=f"{LESSON}#environments-as-code")
def environments_format(ctx):
    """The settings file does not follow the ``environments:`` format, so GitHub gets something else.

    The Repository Settings app passes each entry to GitHub's "Create or update an environment"
    API. A misspelt key (``wait-timer``, ``reviewer``) is silently dropped, a reviewer given by
    name instead of numeric ``id`` or a ``type`` other than ``User``/``Team`` is refused, and the
    environment ends up without the protection the file promises. The expected shape::

        environments:
          - name: production
            wait_timer: 30
            prevent_self_review: false
            reviewers:
              - type: Team
                id: 1234567          # gh api orgs/ORG/teams/SLUG --jq .id
            deployment_branch_policy:
              protected_branches: false
              custom_branch_policies: true
              custom_branches: [main]

    Checked by ``checkers environments`` (and by ``checkers repo`` for ``.github/settings.yml``).
    """
    settings = settings_of(ctx)
    if settings is None:
        return
    if settings.problem:
        if isinstance(ctx, Settings):  # in `checkers repo`, yaml-syntax reports it
            yield Problem(f"invalid YAML: {settings.problem.message}",
                          "fix the YAML at this position (indent with spaces; quote values with `: `)",
                          path=settings.display, line=settings.problem.line or 1,
                          column=settings.problem.column or 1)
        return
    data = settings.data
    if data is None:
        if isinstance(ctx, Settings):
            yield Problem("the settings file is empty", PRODUCTION_EXAMPLE,
                          path=settings.display, line=1, column=1)
        return
    if not isinstance(data, CommentedMap):
        yield Problem(f"the settings file is {_kind(data)}, not a mapping with `environments:`",
                      PRODUCTION_EXAMPLE, **_here(settings, data))
        return
    envs = data.get("environments")
    if "environments" not in data:
        if isinstance(ctx, Settings):
            yield Problem("the settings file has no `environments:` list", PRODUCTION_EXAMPLE,
                          path=settings.display, line=1, column=1)
        return
    if not isinstance(envs, CommentedSeq):
        yield Problem(f"`environments:` must be a list of environments, not {_kind(envs)}",
                      "write each environment as a list item: `- name: production`",
                      **_here(settings, data, "environments"))
        return
    for i, node in enumerate(envs):
        yield from _format_environment(settings, envs, i, node)


def _format_environment(settings: Settings, envs, i: int, node):
    if not isinstance(node, CommentedMap):
        yield Problem(f"environment #{i + 1} is {_kind(node)}, not a mapping with `name:`",
                      "- name: production", **_here(settings, envs, i))
        return
    name = node.get("name")
    if not isinstance(name, str) or not name.strip():
        yield Problem(f"environment #{i + 1} has no `name:` (a non-empty string)",
                      "- name: production", **_here(settings, envs, i))
    label = f"environment `{name}`" if isinstance(name, str) and name.strip() else f"environment #{i + 1}"
    for key in node:
        if key not in ENV_KEYS:
            close = difflib.get_close_matches(str(key), ENV_KEYS, n=1)
            yield Problem(f"{label}: unknown key `{key}`"
                          + (f" (did you mean `{close[0]}`?)" if close else "")
                          + ", which GitHub never sees, so the setting is not applied",
                          f"use `{close[0]}`" if close else "known keys: " + ", ".join(ENV_KEYS),
                          **_here(settings, node, key))
    if "wait_timer" in node and not _is_int(node["wait_timer"]):
        yield Problem(f"{label}: `wait_timer` must be a whole number of minutes, not "
                      f"{_kind(node['wait_timer'])}", "wait_timer: 30",
                      **_here(settings, node, "wait_timer", value=True))
    for key in ("prevent_self_review", "can_admins_bypass"):
        if key in node and not isinstance(node[key], bool):
            yield Problem(f"{label}: `{key}` must be `true` or `false`, not {_kind(node[key])}",
                          f"{key}: true", **_here(settings, node, key, value=True))
    if "reviewers" in node:
        yield from _format_reviewers(settings, node, label)
    if "deployment_branch_policy" in node:
        yield from _format_policy(settings, node, label)


def _format_reviewers(settings: Settings, node, label: str):
    reviewers = node["reviewers"]
    if reviewers is None:
        return
    if not isinstance(reviewers, CommentedSeq):
        yield Problem(f"{label}: `reviewers` must be a list of `{{type, id}}` entries, not "
                      f"{_kind(reviewers)}", "reviewers:\n  - type: User\n    id: 1234567",
                      **_here(settings, node, "reviewers", value=True))
        return
    for j, item in enumerate(reviewers):
        where = _here(settings, reviewers, j)
        if not isinstance(item, CommentedMap):
            yield Problem(f"{label}: a reviewer given as {_kind(item)}; each must be a "
                          "`{type, id}` mapping (GitHub wants the numeric id, not a name)",
                          "- type: User\n  id: 1234567     # gh api users/NAME --jq .id", **where)
            continue
        kind, rid = item.get("type"), item.get("id")
        if kind not in REVIEWER_TYPES:
            fixed = next((t for t in REVIEWER_TYPES if str(kind).lower() == t.lower()), None)
            yield Problem(f"{label}: reviewer `type` is {_kind(kind)}; GitHub accepts only "
                          "`User` or `Team`", f"type: {fixed or 'User'}", **where)
        if not _is_int(rid) or rid <= 0:
            yield Problem(f"{label}: reviewer `id` is {_kind(rid)}; GitHub wants the numeric id "
                          "of the user or team", "id: 1234567     # gh api users/NAME --jq .id "
                          "(a team: gh api orgs/ORG/teams/SLUG --jq .id)", **where)
        for key in item:
            if key not in ("type", "id"):
                yield Problem(f"{label}: reviewer key `{key}` is not part of the format (only "
                              "`type` and `id`)", "- type: User\n  id: 1234567", **where)


def _format_policy(settings: Settings, node, label: str):
    policy = node["deployment_branch_policy"]
    if policy is None:
        return
    if not isinstance(policy, CommentedMap):
        yield Problem(f"{label}: `deployment_branch_policy` must be a mapping (or null for "
                      f"\"all branches\"), not {_kind(policy)}",
                      "deployment_branch_policy:\n  protected_branches: true\n"
                      "  custom_branch_policies: false",
                      **_here(settings, node, "deployment_branch_policy", value=True))
        return
    for key in policy:
        if key not in POLICY_KEYS:
            close = difflib.get_close_matches(str(key), POLICY_KEYS, n=1)
            yield Problem(f"{label}: unknown `deployment_branch_policy` key `{key}`"
                          + (f" (did you mean `{close[0]}`?)" if close else ""),
                          f"use `{close[0]}`" if close else "keys: " + ", ".join(POLICY_KEYS),
                          **_here(settings, policy, key))
    if "protected_branches" in policy and not isinstance(policy["protected_branches"], bool):
        yield Problem(f"{label}: `protected_branches` must be `true` or `false`",
                      "protected_branches: true", **_here(settings, policy, "protected_branches", value=True))
    custom = policy.get("custom_branch_policies")
    if "custom_branch_policies" in policy and not isinstance(custom, (bool, CommentedSeq)):
        yield Problem(f"{label}: `custom_branch_policies` must be `true`/`false` (or safe-settings' "
                      "list of `{names, type}`)", "custom_branch_policies: true",
                      **_here(settings, policy, "custom_branch_policies", value=True))
    branches = policy.get("custom_branches")
    if "custom_branches" in policy and not isinstance(branches, CommentedSeq):
        yield Problem(f"{label}: `custom_branches` must be a list of branch patterns",
                      "custom_branches: [main]", **_here(settings, policy, "custom_branches", value=True))


@rule("environments-limits", severity="error", scope="repo", lesson=f"{LESSON}#environments-as-code")
def environments_limits(ctx):
    """An environment breaks one of GitHub's documented limits, so GitHub refuses or ignores it.

    * at most **6** required reviewers (users or teams); one approval is enough;
    * ``wait_timer`` from **0 to 43,200** minutes (30 days);
    * a ``deployment_branch_policy`` has exactly one of ``protected_branches`` and
      ``custom_branch_policies`` true (leave the policy out for "all branches"); a custom policy
      with an empty list of patterns lets no branch deploy at all;
    * names are unique regardless of letter case and at most 255 characters.

    Fix the value::

        - name: production
          wait_timer: 30
          deployment_branch_policy:
            protected_branches: true
            custom_branch_policies: false
    """
    settings = settings_of(ctx)
    if settings is None:
        return
    seen: dict[str, Environment] = {}
    for env in settings.environments:
        if env.key in seen:
            yield Problem(f"environment `{env.name}` is declared twice (names are not case "
                          f"sensitive: `{seen[env.key].name}` came first)",
                          "merge the two entries into one", **_here(settings, env.node, "name"))
        seen.setdefault(env.key, env)
        if len(env.name) > MAX_NAME:
            yield Problem(f"environment name is {len(env.name)} characters; GitHub allows {MAX_NAME}",
                          "use a short name such as `production`", **_here(settings, env.node, "name"))
        if _is_int(env.wait_timer) and not 0 <= env.wait_timer <= MAX_WAIT_MINUTES:
            yield Problem(f"environment `{env.name}`: `wait_timer: {env.wait_timer}` is outside "
                          f"GitHub's range of 0 to {MAX_WAIT_MINUTES:,} minutes (30 days)",
                          "wait_timer: 30", **_here(settings, env.node, "wait_timer", value=True))
        if len(env.reviewers) > MAX_REVIEWERS:
            yield Problem(f"environment `{env.name}` lists {len(env.reviewers)} required reviewers; "
                          f"GitHub allows at most {MAX_REVIEWERS} users or teams",
                          "list a team instead of its members: any member of a reviewer team can "
                          "approve", **_here(settings, env.node, "reviewers"))
        yield from _policy_limits(settings, env)


def _policy_limits(settings: Settings, env: Environment):
    policy = env.branch_policy
    if policy is None:
        return
    where = _here(settings, env.node, "deployment_branch_policy")
    if policy.protected and policy.custom:
        yield Problem(f"environment `{env.name}`: `protected_branches` and custom branch policies "
                      "are both on; GitHub takes exactly one",
                      "keep one: `protected_branches: true` or `custom_branch_policies: true` with "
                      "`custom_branches: [main]`", **where)
    elif not policy.protected and not policy.custom:
        yield Problem(f"environment `{env.name}`: the `deployment_branch_policy` turns both "
                      "`protected_branches` and `custom_branch_policies` off; GitHub requires "
                      "exactly one of them to be true (for \"all branches\", leave the policy out)",
                      "deployment_branch_policy:\n  protected_branches: true\n"
                      "  custom_branch_policies: false", **where)
    elif policy.custom and policy.patterns is not None and not policy.patterns:
        yield Problem(f"environment `{env.name}`: the custom branch policy lists no patterns, so "
                      "no branch or tag may deploy to it", "custom_branches: [main]", **where)


def _production_expected(ctx, settings: Settings) -> bool:
    if isinstance(ctx, Settings):
        return True
    # In a repository, only where the promotion pattern is in use.
    paths = settings.cache.get("repo_paths", set())
    return bool(settings.get("staging") or settings.get("production")) or any(
        p.startswith(".github/workflows/deploy-on-merge.") for p in paths)


@rule("environments-production-approval", severity="error", scope="repo",
      lesson=f"{LESSON}#required-reviewers")
def environments_production_approval(ctx):
    """The ``production`` environment has no required reviewers, so nothing stops a deploy.

    The promotion pattern's gate is a person: the production job waits until one of the
    environment's required reviewers approves it (a job not approved within 30 days fails).
    Without reviewers the job starts as soon as staging finishes; without a ``production`` entry
    at all, the first job that names it creates it silently, unprotected. Declare it with at
    least one reviewer (a team is easiest to keep staffed)::

        environments:
          - name: production
            reviewers:
              - type: Team
                id: 1234567

    Required reviewers in a private repository need GitHub Enterprise; ``checkers environments``
    adds a note saying so.
    """
    settings = settings_of(ctx)
    if settings is None or settings.problem or not isinstance(settings.environments_node, CommentedSeq):
        return
    if not _production_expected(ctx, settings):
        return
    production = settings.get("production")
    if production is None:
        yield Problem("no `production` environment is declared: the deploy job would create it "
                      "on first use, with no reviewers", PRODUCTION_EXAMPLE,
                      **_here(settings, settings.data, "environments"))
    elif not production.reviewers and isinstance(production.node.get("reviewers"), (list, type(None))):
        yield Problem(f"environment `{production.name}` has no required reviewers, so a deploy "
                      "to production starts without anyone approving it",
                      "reviewers:\n  - type: Team\n    id: 1234567",
                      **_here(settings, production.node, "name"))


@rule("environments-production-branches", severity="warning", scope="repo",
      lesson=f"{LESSON}#branch-policy")
def environments_production_branches(ctx):
    """The ``production`` environment may be deployed from branches other than ``main``.

    Without a ``deployment_branch_policy`` any branch can deploy to production: a workflow
    started by hand (``workflow_dispatch``) on a feature branch reaches the production job,
    its secrets and its OIDC subject, and only the reviewers stand in the way. Restrict it to
    protected branches, or to ``main``::

        deployment_branch_policy:
          protected_branches: false
          custom_branch_policies: true
          custom_branches: [main]

    ``protected_branches: true`` is enough when ``main`` is the only protected branch.
    """
    settings = settings_of(ctx)
    if settings is None or settings.problem:
        return
    production = settings.get("production")
    if production is None:
        return
    policy = production.branch_policy
    hint = ("deployment_branch_policy:\n  protected_branches: false\n  custom_branch_policies: true\n"
            "  custom_branches: [main]")
    if policy is None:
        yield Problem(f"environment `{production.name}` has no `deployment_branch_policy`: "
                      "every branch may deploy to production", hint,
                      **_here(settings, production.node, "name"))
        return
    if not policy.custom or policy.protected:
        return  # protected branches (or a broken policy, reported by environments-limits)
    where = _here(settings, production.node, "deployment_branch_policy")
    if policy.patterns is None:
        yield Problem(f"environment `{production.name}` uses custom branch policies, but the "
                      "allowed branches are not listed in this file, so they cannot be checked",
                      "list them: `custom_branches: [main]`", severity="info", **where)
        return
    wide = [p for p, kind in policy.patterns if kind != "branch" or p != "main"]
    if wide:
        yield Problem(f"environment `{production.name}` may also be deployed from "
                      + ", ".join(f"`{p}`" for p in wide) + ", not only from `main`",
                      "custom_branches: [main]", **where)


@rule("environments-staging-automatic", severity="warning", scope="repo",
      lesson=f"{LESSON}#promotion")
def environments_staging_automatic(ctx):
    """The ``staging`` environment is not automatic: it waits for reviewers or a timer.

    In the promotion pattern staging deploys on every merge, straight away, so that the smoke
    tests run against it before anyone is asked to approve production. A wait timer delays the
    job that *uses* the environment: on staging it delays the staging deploy itself. A soak
    period *in* staging belongs on production, whose job then starts N minutes after staging
    finished::

        - name: staging                # no reviewers, no timer
        - name: production
          wait_timer: 30               # 30 minutes of staging soak before production
    """
    settings = settings_of(ctx)
    if settings is None or settings.problem:
        return
    staging = settings.get("staging")
    if staging is None:
        return
    if staging.reviewers:
        yield Problem(f"environment `{staging.name}` has required reviewers, so every merge waits "
                      "for an approval before it even reaches staging",
                      "remove `reviewers` from staging; put them on production",
                      **_here(settings, staging.node, "reviewers"))
    if staging.wait_minutes:
        yield Problem(f"environment `{staging.name}` has `wait_timer: {staging.wait_minutes}`, which "
                      "delays the staging deploy itself, not production",
                      f"move `wait_timer: {staging.wait_minutes}` to production for a soak in staging",
                      **_here(settings, staging.node, "wait_timer"))


@rule("environments-solo-reviewer", severity="warning", scope="repo",
      lesson=f"{LESSON}#required-reviewers")
def environments_solo_reviewer(ctx):
    """The only reviewer may not approve their own deploys, so nobody can ever approve them.

    With ``prevent_self_review: true``, the person who started the run (who pushed or merged)
    cannot approve its deploy. If the environment's only reviewer is one user, every deploy
    that user starts waits 30 days and fails. Add a second reviewer (or a team), or allow
    self-review on a solo project::

        reviewers:
          - type: Team
            id: 1234567
        prevent_self_review: true
    """
    settings = settings_of(ctx)
    if settings is None or settings.problem:
        return
    for env in settings.environments:
        if env.prevent_self_review is True and len(env.reviewers) == 1 \
                and env.reviewers[0].type == "User":
            yield Problem(f"environment `{env.name}`: the only reviewer ({env.reviewers[0].label()}) "
                          "cannot approve deploys they started themselves (`prevent_self_review`)",
                          "add a second reviewer or a team, or set `prevent_self_review: false`",
                          **_here(settings, env.node, "prevent_self_review"))
