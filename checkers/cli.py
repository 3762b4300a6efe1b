"""``checkers`` / ``python -m checkers``: the command line.

Exit status: 0 when no finding is an error, 1 when at least one is (or, with ``--strict``, a
warning), 2 for a usage error or a path that does not exist or cannot be read.
"""
from __future__ import annotations

import argparse
import os
import re
import sys

from . import __version__
# Literal here so that parsing the command line imports nothing heavy (tests/test_cli.py checks
# that they equal checkers.reporters.FORMATS and checkers.workflow.context.PATTERNS).
FORMATS = ("text", "json", "sarif", "github")
PATTERNS = ("train-on-push", "deploy-on-merge")

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def _size(text: str) -> int:
    match = re.fullmatch(r"(?i)\s*(\d+(?:\.\d+)?)\s*([kmg]?)i?b?\s*", text)
    if not match:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (try 500K, 5M, 1G)")
    number, unit = float(match.group(1)), match.group(2).lower()
    return int(number * {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[unit])


def _rule_list(text: str) -> list[str]:
    return [r.strip() for r in text.split(",") if r.strip()]


def _terminal_columns() -> int:
    """``shutil.get_terminal_size().columns``: argparse asks shutil for it on every
    ``add_argument``, and importing shutil (with bz2 and lzma) costs more than our parsing."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns if columns > 0 else 80


class Formatter(argparse.HelpFormatter):
    def __init__(self, prog, indent_increment=2, max_help_position=24, width=None):
        super().__init__(prog, indent_increment, max_help_position,
                         _terminal_columns() - 2 if width is None else width)


class Parser(argparse.ArgumentParser):
    """Usage errors in one line (`checkers: error: ...`), like every other error we print."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", Formatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str):
        self.exit(EXIT_USAGE, f"checkers: error: {message} (see `{self.prog} --help`)\n")


# Commands whose parsers live in other modules (importing them loads YAML parsers and rules).
IMPORTED_PARSERS = ("trigger", "plan", "environments", "promote", "oidc")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The whole parser; with ``command`` (the first argument, when it names a command defined
    here), only that command's: argparse hands everything after the command name to that
    command's parser, so the others could not take part anyway, and building them imports the
    modules that define them (YAML parsers, rules)."""
    parser = Parser(
        prog="checkers", description="Checks an ML project's Git hygiene and CI/CD setup.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    common = Parser(add_help=False)
    common.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    common.add_argument("--select", type=_rule_list, default=[], metavar="RULES",
                        help="only these rules (comma-separated ids)")
    common.add_argument("--ignore", type=_rule_list, default=[], metavar="RULES",
                        help="skip these rules (comma-separated ids)")
    common.add_argument("--strict", action="store_true", help="warnings fail too (exit 1)")

    if command in (None, "repo"):
        repo = sub.add_parser("repo", parents=[common], help="check a repository or project folder",
                              description="Git hygiene and layout of an ML project.")
        repo.add_argument("path", metavar="PATH", help="the repository (or plain folder) to check")
        repo.add_argument("--no-history", action="store_true", help="do not scan the history")
        repo.add_argument("--history-rev", action="append", default=[], metavar="REV",
                          help="scan only the history reachable from REV, a branch, tag or "
                               "commit (repeatable; default: every ref and every stash entry)")
        repo.add_argument("--max-blob-size", type=_size, default=5 * 1024**2, metavar="SIZE",
                          help="report files in the history larger than this (default: 5M)")
        repo.add_argument("--exclude", action="append", default=[], metavar="GLOB",
                          help="leave out paths matching GLOB (repeatable; added to "
                               "[tool.checkers] exclude in pyproject.toml)")
        repo.add_argument("--layout", choices=("roles", "course"), default="roles",
                          help="repo-layout judges the parts of the layout whatever their names "
                               "(roles, default) or the course's file names (course)")

    if command in (None, "workflow"):
        workflow = sub.add_parser(
            "workflow", parents=[common], help="check GitHub Actions workflows",
            description="GitHub Actions workflows, judged the way GitHub runs them.")
        workflow.add_argument("files", nargs="+", metavar="FILE",
                              help="workflow files (or folders such as .github/workflows)")
        workflow.add_argument("--pattern", choices=PATTERNS, help="also check this documented "
                              "pattern (default: from the file name)")

    if command in (None, "azureml"):
        azureml = sub.add_parser(
            "azureml", parents=[common], help="check Azure ML asset files",
            description="Azure ML components, pipeline jobs, environments, conda specs and Bicep "
            "parameter files, checked offline.")
        azureml.add_argument("files", nargs="+", metavar="FILE", help="files (or folders) to check")

    if command is None or command in IMPORTED_PARSERS:
        from .workflow.trigger import add_parser as add_trigger
        from .workflow.plan import add_parser as add_plan
        # environments, promote, oidc
        from .environments.cli import add_parsers as add_environments

        add_trigger(sub)
        add_plan(sub)
        add_environments(sub, common)

    if command in (None, "rules"):
        rules = sub.add_parser("rules", help="list the rules, or print the rules reference",
                               description="List every rule with its severity and summary.")
        rules.add_argument("--markdown", action="store_true", help="print docs/rules.md")
        rules.add_argument("rule", nargs="?", help="show one rule's documentation")

    if command is None:
        sub.add_parser("grade", add_help=False, help="autograde a class in parallel (instructors; "
                       "`checkers grade --help`)")
    return parser


def _known_rules(ids: list[str], own=None) -> str | None:
    """The ids no checker knows, or None. ``own`` registers the running command's rules (it
    imports them anyway): every checker's rules are imported only for an id not among them."""
    if not ids:
        return None  # nothing to look up: do not load every checker's rules
    from .registry import REGISTRY, all_rules

    if own is not None:
        own()
    if any(r not in REGISTRY for r in ids):
        all_rules()
    unknown = [r for r in ids if r not in REGISTRY]
    return ", ".join(unknown) if unknown else None


def _run_repo(args) -> int:
    from .repo import CheckError, check_repo

    unknown = _known_rules(args.select + args.ignore)
    if unknown:
        print(f"checkers: error: unknown rule(s): {unknown} (see `checkers rules`)", file=sys.stderr)
        return EXIT_USAGE
    try:
        result = check_repo(args.path, select=args.select, ignore=args.ignore,
                            history=not args.no_history, max_blob_size=args.max_blob_size,
                            exclude=args.exclude, layout=args.layout,
                            history_revs=args.history_rev)
    except CheckError as exc:
        print(f"checkers: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return _report(result, args)


def _report(result, args) -> int:
    from .reporters import render

    output = render(result, args.format)
    if output:
        print(output)
    failing = result.at_least("warning") if args.strict else result.errors
    return EXIT_FINDINGS if failing else EXIT_OK


def _workflow_files(names: list[str]) -> list[str]:
    files = []
    for name in names:
        if os.path.isdir(name):
            found = sorted(f for f in os.listdir(name) if f.endswith((".yml", ".yaml")))
            files.extend(os.path.join(name, f) for f in found)
        else:
            files.append(name)
    return files


def _run_workflow(args) -> int:
    files = _workflow_files(args.files)
    if "workflow-security" not in args.ignore and (not args.select or "workflow-security" in args.select):
        from . import tools

        tools.prefetch(files)  # zizmor works while Python imports the rest
    from .workflow import CheckError, check_workflows, workflow_rules

    unknown = _known_rules(args.select + args.ignore, own=workflow_rules)
    if unknown:
        print(f"checkers: error: unknown rule(s): {unknown} (see `checkers rules`)", file=sys.stderr)
        return EXIT_USAGE
    try:
        result = check_workflows(files, pattern=args.pattern,
                                 select=args.select, ignore=args.ignore)
    except CheckError as exc:
        print(f"checkers: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return _report(result, args)


def _run_azureml(args) -> int:
    from .azureml import CheckError, RULE_PREFIX, check_files

    unknown = _known_rules(args.select + args.ignore)
    if unknown:
        print(f"checkers: error: unknown rule(s): {unknown} (see `checkers rules`)", file=sys.stderr)
        return EXIT_USAGE
    others = [r for r in args.select if not r.startswith(RULE_PREFIX) and r != "yaml-syntax"]
    if others:
        print(f"checkers: error: not an Azure ML rule: {', '.join(others)} (see `checkers rules`)",
              file=sys.stderr)
        return EXIT_USAGE
    try:
        result = check_files(args.files, select=args.select, ignore=args.ignore)
    except CheckError as exc:
        print(f"checkers: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return _report(result, args)


def _run_trigger(args) -> int:
    from .workflow.trigger import run

    return run(args)


def _run_plan(args) -> int:
    from .workflow.plan import run

    return run(args)


def _run_rules(args) -> int:
    from .docgen import rules_markdown
    from .registry import REGISTRY, all_rules

    if args.markdown:
        sys.stdout.write(rules_markdown())
        return EXIT_OK
    if args.rule:
        all_rules()
        if args.rule not in REGISTRY:
            print(f"checkers: error: unknown rule: {args.rule}", file=sys.stderr)
            return EXIT_USAGE
        r = REGISTRY[args.rule]
        print(f"{r.id} ({r.severity}, {r.scope})\n\n{r.doc}\n\nDocs: {r.docs_url}\nLesson: {r.lesson_path}")
        return EXIT_OK
    for r in all_rules():
        print(f"{r.id:28} {r.severity:8} {r.scope:9} {r.summary}")
    return EXIT_OK


def _run_environments(args) -> int:
    from .environments.cli import run

    return run(args)


COMMANDS = {"repo": _run_repo, "workflow": _run_workflow, "trigger": _run_trigger,
            "plan": _run_plan, "rules": _run_rules,
            **dict.fromkeys(("environments", "promote", "oidc"), _run_environments),
            "azureml": _run_azureml}


# Commands whose process ends without the interpreter's teardown (see `leave`).
QUICK_EXIT = ("workflow",)


def leave(code: int, command: str | None) -> None:
    """End the process with ``code``, as ``sys.exit`` would, for a command in
    :data:`QUICK_EXIT`: without tearing the interpreter down. Freeing every module and object
    (80 parsed workflows, the rules) took about 12 ms after the output was written, a tenth of
    the batch's time against zizmor's (mypy ends the same way). What a normal exit does that
    matters is done first: the ``atexit`` functions (the kept regular expressions are saved
    there), then stdout and stderr flushed. Anything else (another thread still running, a
    write that fails) takes the normal way. Returns only for other commands (:func:`console` then
    returns the status to ``sys.exit``); ``main`` never ends the process itself."""
    if command not in QUICK_EXIT:
        return
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        return
    if not _flushed():
        return  # the interpreter's own exit reports it as usual
    import atexit

    atexit._run_exitfuncs()
    os._exit(code if _flushed() else 120)  # 120: the interpreter's status when its flush fails


def _flushed() -> bool:
    """stdout and stderr flushed (either may be None: Python started without that file)."""
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except (OSError, ValueError):
        return False
    return True


def console() -> int:
    """The ``checkers`` console script and ``python -m checkers``: :func:`main` on the command
    line, then :func:`leave` (a ``workflow`` run ends without the interpreter's teardown)."""
    code = main()
    leave(code, sys.argv[1] if len(sys.argv) > 1 else None)
    return code


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["grade"]:  # instructors' class grading has its own parser (nbgrader is heavy)
        from .course.classroom import main as grade

        return grade(argv[1:])
    first = argv[0] if argv else None
    parser = build_parser(first if first in COMMANDS and first not in IMPORTED_PARSERS else None)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse already printed the usage error
        return EXIT_OK if exc.code == 0 else EXIT_USAGE
    if not args.command:
        print("checkers: error: a command is required: repo, workflow, trigger, plan, environments, "
              "promote, oidc, azureml, grade or rules (see `checkers --help`)", file=sys.stderr)
        return EXIT_USAGE
    try:
        return COMMANDS[args.command](args)
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # never a traceback for a user; CHECKERS_DEBUG=1 shows it
        if os.environ.get("CHECKERS_DEBUG"):
            raise
        print(f"checkers: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_USAGE
