"""workflow-filter-regex: branch, tag and path filters written as regular expressions."""
from __future__ import annotations

import re

from .. import regexcache
from ..yamlnodes import CommentedMap, CommentedSeq

from ..registry import Problem, rule
from .context import WorkflowContext
from .filters import PatternError, compile_pattern
from .trigger import evaluate

LESSON = "02-github-actions"
FILTER_KEYS = ("branches", "branches-ignore", "tags", "tags-ignore", "paths", "paths-ignore")
EVENTS = ("push", "pull_request", "pull_request_target", "workflow_run")
# What gives a regular expression away; GitHub's own syntax (* ** ? + [] \ !) is not listed,
# nor `.*`: `Dockerfile.*` or `**/.*` are sound globs (a literal dot, then anything).
PARENS = regexcache.compile(r"[()]")
# Parentheses are legitimate in file names (Next.js route groups: `app/(shop)/**`); in a path
# filter they give a regular expression away only as a group with `|` or a quantifier.
REGEX_GROUP = regexcache.compile(r"\([^()]*\|[^()]*\)|\)[?+*]")
REGEX_SIGNS = (
    (PARENS, "parentheses, which GitHub matches literally"),
    (re.compile(r"\|"), "`|`, which GitHub matches literally (list alternatives as separate patterns)"),
    (re.compile(r"\\[dDwWsSbB]"), "`\\d`-style classes (in GitHub's filters `\\d` is a plain `d`)"),
    (re.compile(r"\{\d+(?:,\d*)?\}"), "`{n}` repetition, which GitHub matches literally"),
    (re.compile(r"^\^"), "a leading `^`, which GitHub matches literally (patterns always match "
                         "the whole name)"),
    (re.compile(r"(?<!\\)\$$"), "a trailing `$`, which GitHub matches literally (patterns always "
                               "match the whole name)"),
)


def _parser():
    try:
        import re._parser as sre_parse  # Python 3.11+
        import re._constants as sre_constants
    except ImportError:  # Python 3.10
        import sre_constants
        import sre_parse
    return sre_parse, sre_constants


def regex_examples(pattern: str) -> list[str]:
    """Names the pattern matches when read as a regular expression (its author's intent)."""
    try:
        sre_parse, c = _parser()
        tree = sre_parse.parse(pattern)
    except Exception:  # noqa: BLE001 - not even a regular expression: no example
        return []

    def one(op, av, optional: bool, repeated: bool) -> str:
        if op == c.LITERAL:
            return chr(av)
        if op == c.NOT_LITERAL:
            return "a" if chr(av) != "a" else "b"
        if op == c.ANY:
            return "x" if repeated else "."
        if op == c.IN:
            for kind, value in av:
                if kind == c.LITERAL:
                    return chr(value)
                if kind == c.RANGE:
                    return chr(value[0])
                if kind == c.CATEGORY:
                    return category(value)
            return "x"
        if op == c.CATEGORY:
            return category(av)
        if op in (c.MAX_REPEAT, c.MIN_REPEAT) or op.name == "POSSESSIVE_REPEAT":
            low, high, sub = av
            times = max(low, 1) if optional and high != 0 else low
            return "".join(seq(sub, optional, True) for _ in range(min(times, 3)))
        if op == c.SUBPATTERN:
            return seq(av[-1], optional, repeated)
        if op == c.BRANCH:
            return seq(av[1][-1 if optional else 0], optional, repeated)
        if op == c.AT:
            return ""
        raise ValueError(op)

    def category(value) -> str:
        name = str(value)
        return "0" if "DIGIT" in name and "NOT" not in name else (" " if "SPACE" in name and "NOT" not in name else "a")

    def seq(items, optional, repeated=False) -> str:
        return "".join(one(op, av, optional, repeated) for op, av in items)

    found = []
    for optional in (True, False):
        try:
            example = seq(tree, optional)
        except (ValueError, TypeError, IndexError):
            continue
        if example and example not in found and re.fullmatch(pattern, example):
            found.append(example)
    return found


def glob_forms(pattern: str) -> list[str]:
    """GitHub patterns for what a simple regular expression meant (alternatives listed)."""
    text = regexcache.compile(r"^\^|(?<!\\)\$$").sub("", pattern)
    text = text.replace("\\d", "[0-9]").replace("\\.", ".")
    text = regexcache.compile(r"(?:(?<=^)|(?<=[^*\]\\]))\.[*+]").sub("**", text)  # regex `.*` crosses `/` too
    forms = [text]
    for _ in range(4):  # expand one group or alternation at a time
        expanded = []
        for form in forms:
            group = regexcache.compile(r"\(([^()]*)\)(\?)?").search(form)
            if group:
                head, tail = form[:group.start()], form[group.end():]
                options = group.group(1).split("|") + ([""] if group.group(2) else [])
                expanded.extend(head + option + tail for option in options)
            elif "|" in form:
                expanded.extend(form.split("|"))
            else:
                expanded.append(form)
        if expanded == forms:
            break
        forms = expanded
    forms = list(dict.fromkeys(f for f in forms if f))
    try:
        for form in forms:
            compile_pattern(form)
    except PatternError:
        return []
    if any(regexcache.compile(r"[(){}|^$]|\\[dDwWsS]").search(f) for f in forms) or len(forms) > 6:
        return []
    return forms


def _patterns(spec: CommentedMap, key: str):
    value = spec.get(key)
    if isinstance(value, str):
        yield spec, key, value, True
    elif isinstance(value, CommentedSeq):
        for i, item in enumerate(value):
            if isinstance(item, str):
                yield value, i, item, False


def _answer(ctx: WorkflowContext, event: str, key: str, example: str) -> str | None:
    """What the trigger simulator says GitHub does with ``example``, as one sentence."""
    kind = key.partition("-")[0]
    if event == "push":
        args = {"tag": example} if kind == "tags" else {"branch": example if kind == "branches"
                                                        else "main", "changed": [example]}
    elif event in ("pull_request", "pull_request_target") and kind == "branches":
        args = {"base": example}
    elif event in ("pull_request", "pull_request_target") and kind == "paths":
        args = {"base": "main", "changed": [example]}
    else:
        return None
    decision = evaluate(ctx.data, event, **args)
    line = next((l for l in decision.explanation if f"'{example}'" in l), None)
    return f"{line} {decision.explanation[-1]}" if line else None


@rule("workflow-filter-regex", severity="warning", scope="workflow", lesson=f"{LESSON}#filters")
def workflow_filter_regex(ctx: WorkflowContext):
    """A branch, tag or path filter is written as a regular expression, which GitHub does not read.

    GitHub's filter patterns are globs with a few extras: ``*`` (any characters but ``/``),
    ``**`` (anything), ``?`` and ``+`` (zero or one, one or more of the *previous* character),
    ``[0-9]`` (one character of a class), ``\\`` to escape and a leading ``!`` to exclude. So
    ``v[12].[0-9]+.[0-9]+`` is GitHub's own documented example. Parentheses, ``|``, ``\\d``,
    ``{n}``, ``^`` and ``$`` are regular-expression syntax that GitHub matches literally: a tag
    filter like ``v[0-9]+.[0-9]+(rc[0-9]+)?`` matches neither ``v1.2`` nor ``v1.2rc1``, and the
    workflow silently never runs for them. The finding quotes the trigger simulator's answer for
    a name the pattern was meant to match. List the forms separately::

        tags:
          - 'v[0-9]+.[0-9]+'
          - 'v[0-9]+.[0-9]+rc[0-9]+'
    """
    on = ctx.on
    if not isinstance(on, CommentedMap):
        return
    for event in EVENTS:
        spec = on.get(event)
        if not isinstance(spec, CommentedMap):
            continue
        for key in FILTER_KEYS:
            for parent, index, raw, single in _patterns(spec, key):
                pattern = raw[1:] if raw.startswith("!") else raw
                signs = [why for rx, why in REGEX_SIGNS if rx.search(pattern)
                         and not (rx is PARENS and key.startswith("paths")
                                  and not REGEX_GROUP.search(pattern))]
                if not signs:
                    continue
                try:
                    github = compile_pattern(pattern)
                except PatternError:
                    github = None
                missed = [e for e in regex_examples(pattern)
                          if github is None or not github.fullmatch(e)]
                answer = _answer(ctx, event, key, missed[0]) if missed else None
                said = (f" `checkers trigger` for `{missed[0]}`: {answer}" if answer and len(raw) <= 60 else
                        f" It does not match `{missed[0]}`, which the regular expression "
                        "matches." if missed else "")
                line, col = ctx.pos(parent, index, value=True) if single else ctx.pos(parent, index)
                forms = glob_forms(pattern)
                bang = "!" if raw.startswith("!") else ""
                fix = (f"{key}: [{', '.join(repr(bang + f) for f in forms)}]" if forms else
                       "list each alternative as a separate pattern")
                shown = raw if len(raw) <= 60 else raw[:57] + "..."
                yield Problem(f"`on.{event}.{key}` pattern `{shown}` looks like a regular "
                              f"expression ({'; '.join(signs)}).{said}",
                              f"{fix} (GitHub's filters: `*` any characters but `/`, `**` "
                              "anything, `?`/`+` zero or one/one or more of the previous "
                              "character, `[0-9]` one of a class)",
                              path=ctx.display, line=line, column=col)
