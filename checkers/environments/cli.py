"""``checkers environments``, ``checkers promote`` and ``checkers oidc`` (added to the main
parser by :func:`add_parsers`; :func:`run` runs whichever was chosen)."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
COMMANDS = ("environments", "promote", "oidc")


def add_parsers(sub, common) -> None:
    """Add the three commands to an argparse subparsers object (``common``: --format etc.)."""
    from ..workflow.trigger import EVENTS

    env = sub.add_parser(
        "environments", parents=[common], help="check GitHub environments written as code",
        description="Check .github/settings.yml (the Repository Settings app's `environments:`) "
                    "against GitHub's limits and the promotion pattern.")
    env.add_argument("settings", metavar="SETTINGS", help="the settings file (.github/settings.yml)")
    env.add_argument("--workflow", action="append", default=[], metavar="WORKFLOW",
                     help="a workflow (or folder of workflows) whose environments must be "
                          "declared (repeatable)")

    promote = sub.add_parser(
        "promote", help="simulate a merge to main: stages, gates, secrets",
        description="Simulate what a merge (push) to main sets in motion: the jobs in run order "
                    "with their environments, gates and secrets.")
    promote.add_argument("workflow", metavar="WORKFLOW", help="the deploy workflow")
    promote.add_argument("--settings", metavar="SETTINGS",
                         help="the environments (.github/settings.yml); without it the gates are unknown")
    promote.add_argument("--branch", default="main", metavar="B",
                         help="the branch merged into (default: main)")
    promote.add_argument("--walk", choices=("approve", "reject"),
                         help="also walk through the run: the reviewers approve, or reject")
    promote.add_argument("--smoke-fails", action="store_true",
                         help="with --walk: the smoke tests against staging fail")
    promote.add_argument("--format", choices=("text", "json", "svg"), default="text",
                         help="output format (default: text)")

    oidc = sub.add_parser(
        "oidc", help="predict each job's OIDC subject; match it to federated credentials",
        description="Predict the `sub` claim of each job's GitHub OIDC token for one event and, "
                    "given federated credentials, say which Azure logins would fail (GitHub's "
                    "default subject template; a customized one changes the format).")
    oidc.add_argument("workflow", metavar="WORKFLOW", help="the workflow file")
    oidc.add_argument("--repo", required=True, metavar="OWNER/REPO", help="the repository")
    oidc.add_argument("--event", required=True, choices=EVENTS, metavar="EVENT",
                      help="the event: push, pull_request, workflow_dispatch, ...")
    oidc.add_argument("--branch", metavar="B", help="the branch the run is for")
    oidc.add_argument("--tag", metavar="T", help="the tag the run is for")
    oidc.add_argument("--base", metavar="B", help="pull_request: the branch it targets")
    oidc.add_argument("--owner-id", metavar="N", help="the owner's numeric id (immutable subjects)")
    oidc.add_argument("--repo-id", metavar="N", help="the repository's numeric id (immutable subjects)")
    oidc.add_argument("--credentials", metavar="FILE",
                      help="federated credentials (YAML list of {name, subject})")
    oidc.add_argument("--format", choices=("text", "json"), default="text",
                      help="output format (default: text)")


def _error(message: str) -> int:
    print(f"checkers: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def run(args) -> int:
    return {"environments": _environments, "promote": _promote, "oidc": _oidc}[args.command](args)


def _workflow_files(names: list[str]) -> list[str]:
    files = []
    for name in names:
        if os.path.isdir(name):
            files.extend(os.path.join(name, f) for f in sorted(os.listdir(name))
                         if f.endswith((".yml", ".yaml")))
        else:
            files.append(name)
    return files


def _environments(args) -> int:
    from ..registry import REGISTRY, all_rules
    from ..reporters import render
    from . import RULES, UNDECLARED, SettingsError, check_environments

    all_rules()
    unknown = [r for r in args.select + args.ignore if r not in REGISTRY]
    if unknown:
        return _error(f"unknown rule(s): {', '.join(unknown)} (see `checkers rules`)")
    mine = (*RULES, UNDECLARED)
    if args.select and not any(r in mine for r in args.select):
        return _error(f"none of the selected rules belongs to `checkers environments` "
                      f"({', '.join(mine)})")
    try:
        result = check_environments(args.settings, workflows=_workflow_files(args.workflow),
                                    select=args.select, ignore=args.ignore)
    except SettingsError as exc:
        return _error(str(exc))
    output = render(result, args.format)
    if output:
        print(output)
    failing = result.at_least("warning") if args.strict else result.errors
    return EXIT_FINDINGS if failing else EXIT_OK


def _promote(args) -> int:
    from .promote import PromoteError, draw, plan

    if not os.path.isfile(args.workflow):
        return _error(f"{args.workflow}: no such file" if not os.path.exists(args.workflow)
                      else f"{args.workflow}: not a file")
    try:
        result = plan(Path(args.workflow), Path(args.settings) if args.settings else None,
                      branch=args.branch)
    except PromoteError as exc:
        return _error(str(exc))
    walk = result.walkthrough(approve=args.walk != "reject", smoke_passes=not args.smoke_fails) \
        if args.walk else None
    if args.format == "json":
        print(json.dumps({**result.to_dict(), **({"walkthrough": walk} if walk else {})}, indent=2))
    elif args.format == "svg":
        print(draw(result, {e["job"]: e["state"] for e in walk} if walk else None).svg)
    else:
        print(result)
        if walk:
            print("Walk-through:")
            print("\n".join(f"- {e['text']}" for e in walk))
    return EXIT_OK


def _oidc(args) -> int:
    from .oidc import OidcError, subjects

    if not os.path.isfile(args.workflow):
        return _error(f"{args.workflow}: no such file" if not os.path.exists(args.workflow)
                      else f"{args.workflow}: not a file")
    try:
        result = subjects(Path(args.workflow), args.repo, args.event, branch=args.branch, tag=args.tag,
                          base=args.base, owner_id=args.owner_id, repo_id=args.repo_id,
                          credentials=Path(args.credentials) if args.credentials else None)
    except OidcError as exc:
        return _error(str(exc))
    if args.format == "json":
        print(json.dumps(result.to_dict(), indent=2))
    else:
        print(result)
    return EXIT_FINDINGS if result.failing else EXIT_OK
