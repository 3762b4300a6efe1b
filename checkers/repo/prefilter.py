"""Where in a version a secret rule can report anything: RE2 over the changed lines, in C.

The history scan (``history.scan_new_lines``) finds, for each version of a file, the lines it
added and runs every secret rule on them. In most versions no rule can report anything on any
new line, and proving that costs less than finding the new lines in Python. :func:`compiled`
builds RE2 expressions from the rules themselves (gitleaks' and ``secretscan.OWN_RULES``): each
pattern is *loosened* into RE2's dialect so that it matches in every line where the rule's
own pattern starts a match, and never across a line break. ``Prefilter.lines`` then names the
lines of a version's changed part that a loosened pattern matches in: only those are looked up
among the path's known lines and scanned. Loosening:

- assertions (``\\b``, ``^``, ``$``, look-ahead and look-behind) are dropped: without them a
  pattern matches more, and it no longer depends on what the scan puts around a line;
- ``\\w``, ``\\d``, ``\\s`` (Unicode in Python's ``re``, ASCII in RE2) take in every non-ASCII
  character, and inside a negated class only their ASCII members are excluded;
- a counted repetition needs at most ``REPEAT_CAP`` repetitions and has no upper bound, and
  what a search need not match at the ends goes (``[\\w.-]{0,50}`` before a keyword);
- a rule that the scan runs only on lines that hold its keywords matches within one line: its
  classes lose the line break. A rule run on the whole batch of new lines (private keys, curl,
  Kubernetes secrets, Azure connection strings ...) may go on over the next lines: its pattern
  is cut before the first part that can match a line break, and a version where such a cut
  pattern matches takes the plain way (all its new lines, exactly as before: their order in
  the batch is what such a match sees);
- a back-reference, or a part RE2 cannot read, ends the pattern there; a rule left with
  nothing would match everywhere (none is: ``rule_patterns`` says how each was loosened).

What the scan changes before its patterns run is done here too (``\\"`` read as ``" "``); a line
with the start of an encoded run (which the scan blanks) is always scanned; text that is not
UTF-8, or that holds one of the four characters Python's ``re`` and RE2 fold differently
(dotless i, dotted capital I, long s, Kelvin sign), takes the plain way.

Without the ``re2`` module (``google-re2``) :func:`compiled` returns None and every version
takes the plain way: the same findings, more slowly.
"""
from __future__ import annotations

import re
import threading
from functools import lru_cache

try:
    from re import _constants as _c, _parser as _sre_parse  # Python 3.11+
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _sre_parse  # type: ignore[no-redef]

try:
    import re2
except ImportError:  # pragma: no cover - exercised by the fallback test with the module hidden
    re2 = None

# Python's \s on ASCII (str.isspace: \x1c-\x1f too); RE2's \s lacks \v and \x1c-\x1f
_ASCII_SPACE = r"\t\n\x0b\x0c\r \x1c-\x1f"
_ASCII_WORD = r"0-9A-Za-z_"
_NON_ASCII = r"\x{80}-\x{10FFFF}"
# members of a class for each category: wide (a superset of Python's, for a positive class) and
# narrow (a subset, excluded by a negated class: what it then matches is a superset)
_WIDE = {
    _c.CATEGORY_DIGIT: "0-9" + _NON_ASCII,
    _c.CATEGORY_NOT_DIGIT: r"\x00-/:-\x{10FFFF}",
    _c.CATEGORY_WORD: _ASCII_WORD + _NON_ASCII,
    _c.CATEGORY_NOT_WORD: r"\x00-/:-@\[-\^`{-\x{10FFFF}",
    _c.CATEGORY_SPACE: _ASCII_SPACE + _NON_ASCII,
    _c.CATEGORY_NOT_SPACE: r"\x00-\x08\x0e-\x1b!-\x{10FFFF}",
}
_NARROW = {
    _c.CATEGORY_DIGIT: "0-9",
    _c.CATEGORY_NOT_DIGIT: r"\x00-/:-\x7f",
    _c.CATEGORY_WORD: _ASCII_WORD,
    _c.CATEGORY_NOT_WORD: r"\x00-/:-@\[-\^`{-\x7f",
    _c.CATEGORY_SPACE: _ASCII_SPACE,
    _c.CATEGORY_NOT_SPACE: r"\x00-\x08\x0e-\x1b!-\x7f",
}
REPEAT_CAP = 8
LINE_REPEAT_CAP = 200  # (for one rule's pattern alone: line_search)
_REPEATS = {_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", _c.MAX_REPEAT)}
_DROPPED = {_c.AT, _c.ASSERT, _c.ASSERT_NOT}
# the start of an encoded run the precise scan blanks (secretscan._HUGE_RUN, 4096 characters:
# RE2 counts to 1000): a line with one is always scanned
HUGE_RUN = "[A-Za-z0-9+/=]{1000}"
# characters Python's `re` and RE2 fold differently, and U+0130, which the keyword search maps
CASE_TRAPS = (b"\xc4\xb0", b"\xc4\xb1", b"\xc5\xbf", b"\xe2\x84\xaa")


class Unsupported(Exception):
    """A pattern part this translation does not know: the pattern is cut there."""


def _char(code: int) -> str:
    return f"\\x{{{code:x}}}"


def _class(items, ignore_case: bool, one_line: bool) -> str:
    """A class matching every character the ``re`` class ``items`` does (within a line, with
    ``one_line``: never a line break)."""
    negate = bool(items) and items[0][0] is _c.NEGATE
    parts = ["\\n"] if negate and one_line else []
    for op, av in items[1:] if negate else items:
        if op is _c.LITERAL:
            if not (one_line and av == 10 and not negate):
                parts.append(_char(av))
        elif op is _c.RANGE:
            if one_line and not negate and av[0] <= 10 <= av[1]:
                parts += [f"{_char(a)}-{_char(b)}" for a, b in ((av[0], 9), (11, av[1])) if a <= b]
            else:
                parts.append(f"{_char(av[0])}-{_char(av[1])}")
        elif op is _c.CATEGORY:
            members = (_NARROW if negate else _WIDE)[av]
            if one_line and not negate:
                members = members.replace("\\t\\n", "\\t").replace("\\x00-/", "\\x00-\\x09\\x0b-/")
            parts.append(members)
        else:
            raise Unsupported(op)
    if not parts:
        raise Unsupported("empty class")
    body = f"[{'^' if negate else ''}{''.join(parts)}]"
    if ignore_case:
        if any(op is _c.LITERAL and av > 0x7f or op is _c.RANGE and av[1] > 0x7f
               for op, av in items if op is not _c.NEGATE):
            return "[^\\n]" if negate else f"(?:{body}|[{_NON_ASCII}A-Za-z])"
        body = f"(?i:{body})"
    return body


def _atom(op, av, flags: int, one_line: bool) -> str:
    ignore_case = bool(flags & re.IGNORECASE)
    if op is _c.LITERAL:
        if one_line and av == 10:
            raise Unsupported("a line break, where a match stays within a line")
        if ignore_case and av > 0x7f:
            return f"[{_NON_ASCII}A-Za-z]"  # Python may fold it to an ASCII letter
        return f"(?i:{_char(av)})" if ignore_case and chr(av).isalpha() else _char(av)
    if op is _c.NOT_LITERAL:
        return _class([(_c.NEGATE, None), (_c.LITERAL, av)], ignore_case, one_line)
    if op is _c.IN:
        return _class(list(av), ignore_case, one_line)
    if op is _c.ANY:
        return "(?s:.)" if flags & re.DOTALL and not one_line else "[^\\n]"
    if op is _c.CATEGORY:
        return _class([(_c.CATEGORY, av)], False, one_line)
    raise Unsupported(op)


@lru_cache(maxsize=None)
def _matches_newline(atom: str) -> bool:
    return re2.compile(atom).fullmatch(b"\n") is not None


def _sequence(items, flags: int, one_line: bool, cap: int = REPEAT_CAP) -> tuple[str, bool]:
    """(RE2 pattern, complete): complete is False when the pattern was cut (what it matches is
    then the start of every match of ``items``)."""
    out = []
    for op, av in items:
        try:
            piece, complete = _item(op, av, flags, one_line, cap)
        except Unsupported:
            return "".join(out), False
        out.append(piece)
        if not complete:
            return "".join(out), False
    return "".join(out), True


def _item(op, av, flags: int, one_line: bool, cap: int = REPEAT_CAP) -> tuple[str, bool]:
    if op in _DROPPED:
        return "", True
    if op in _REPEATS:
        low, high, body = av
        inner, complete = _sequence(list(body), flags, one_line, cap)
        if not complete:  # cut inside: the first repetition's start, if there must be one
            return (f"(?:{inner})", False) if low else ("", False)
        # At most REPEAT_CAP required repetitions, and no upper bound: this matches more, and
        # RE2's automaton stays small (each counted repetition is a chain of states, and the
        # automaton of 230 patterns tracks many chains at once).
        low = min(low, cap)
        return (f"(?:{inner})*" if low == 0 else f"(?:{inner}){{{low},}}"), True
    if op is _c.SUBPATTERN:
        _group, add, remove, body = av
        inner, complete = _sequence(list(body), (flags | add) & ~remove, one_line, cap)
        return f"(?:{inner})", complete
    if getattr(_c, "ATOMIC_GROUP", None) is op:
        inner, complete = _sequence(list(av), flags, one_line, cap)
        return f"(?:{inner})", complete
    if op is _c.BRANCH:
        alternatives = [_sequence(list(a), flags, one_line, cap) for a in av[1]]
        return ("(?:" + "|".join(a for a, _ in alternatives) + ")",
                all(complete for _, complete in alternatives))
    if op is _c.GROUPREF and one_line:
        return "[^\\n]*", True  # the group matched within the line too
    atom = _atom(op, av, flags, one_line)  # raises Unsupported for what is left (GROUPREF_EXISTS ...)
    if _matches_newline(atom):  # (never, within a line: a check that the classes say so)
        return "", False
    return atom, True


def _trimmed(items: list) -> list:
    """``items`` less what a search need not match: a match of ``X{0,50}Y`` holds one of
    ``Y``, and one of ``X{2,}Y`` one of ``XXY`` (the same at the end). An unanchored search
    for the shorter pattern finds a match wherever the longer one has one, and RE2's automaton
    stays small (a leading ``[\\w.-]{0,50}`` multiplies its states)."""
    def trim(items: list, at: int) -> list:
        while items:
            op, av = items[at]
            if op in _DROPPED or op in _REPEATS and av[0] == 0:
                del items[at]
                continue
            if op in _REPEATS and av[0] != av[1]:
                items[at] = (op, (av[0], av[0], av[2]))
            break
        return items
    return trim(trim(list(items), 0), -1)


def loosen(source: str, flags: int, one_line: bool, cap: int = REPEAT_CAP) -> tuple[str, bool]:
    """(RE2 pattern matching wherever the ``re`` pattern ``source`` matches (see the module's
    docstring), whether it is the whole pattern, not cut); ``one_line``: the precise scan looks
    for it only within a line. The pattern may be empty (it then matches everywhere)."""
    parsed = _sre_parse.parse(source, flags)
    return _sequence(_trimmed(list(parsed)), parsed.state.flags, one_line, cap)


# Multi-line rules whose every match holds a line that the start of their pattern does not
# describe well: a match of a Kubernetes secret holds `kind: Secret` (at its start, or at its end
# after `data:`), and one of a kaggle.json holds `"username"` (after `"key"`, or before it).
# Their loosened patterns (`data:`, `"key"`, common in code and notebooks) are replaced by that
# line's: a version without it cannot hold their match among its own new lines.
WITHIN_VERSION = {
    "kubernetes-secret-yaml": r"(?i:kind:[ \t]*[\x{22}\x{27}]?secret)",
    "own:Kaggle API key (kaggle.json)": r"\x{22}username\x{22}",
}


def _keywords_pattern(keywords) -> str:
    return "(?i:" + "|".join(re.escape(k) for k in keywords) + ")" if keywords else ""


def rule_patterns() -> list[tuple[str, str, str, bool]]:
    """(rule name, RE2 pattern, how, one_line) for every rule of the precise scan; how:
    "whole", "cut" (a start of the pattern), "keywords" (the pattern left nothing RE2 reads:
    the rule's keywords, where the scan needs one of them in the line) or "none" (an empty
    pattern, that matches every line); one_line: the precise scan looks for it within a line."""
    from . import gitleaks, secretscan

    found = [(f"own:{r.kind}", r.source, r.gated, r.keywords) for r in secretscan.OWN_RULES]
    found += [(r.id, gitleaks.go_regex(r.pattern), how == "lines", r.keywords)
              for r, how in secretscan._plan()]
    out = []
    for name, source, one_line, keywords in found:
        if name in WITHIN_VERSION:
            out.append((name, WITHIN_VERSION[name], "within a version", one_line))
            continue
        pattern, whole = loosen(source, 0, one_line)
        how = "whole" if whole else "cut"
        if pattern and not _compiles(pattern):
            pattern = ""
        if not pattern:
            pattern, how = (_keywords_pattern(keywords), "keywords") if one_line and keywords \
                else ("", "none")
        out.append((name, pattern, how, one_line))
    return out


def _options():
    options = re2.Options()
    options.max_mem = 256 << 20
    options.log_errors = False
    return options


def _compiles(pattern: str) -> bool:
    try:
        re2.compile(pattern, _options())
    except Exception:  # noqa: BLE001 - re2.error, or a pattern its wrapper refuses
        return False
    return True


class Prefilter:
    """``rules``: every rule's loosened pattern, in a few expressions (none matches across a
    line break); ``context``:
    those of the rules whose matches may go on over the next lines of the batch (cut patterns);
    ``huge``: the start of an encoded run, which the precise scan blanks (a line with one is
    scanned as the plain computation would)."""

    def __init__(self, rules, context, huge) -> None:
        self.rules = [r._regexp for r in rules]
        self.context = context._regexp
        self.huge = huge._regexp
        self.unanchored = re2._Anchor.UNANCHORED

    def lines(self, data: bytes, codec: str) -> list[tuple[int, int]] | None:
        """Where in ``data`` (whole lines of a blob) a rule may report something: ``(start,
        end)`` of each line that holds a match of a rule's loosened pattern or an encoded run,
        in order; None when only the precise scan of all the new lines can tell (a multi-line
        rule may match, text that is not UTF-8, characters RE2 folds otherwise)."""
        if not self.readable(data, codec):
            return None
        places = []
        for start, stop, context in self.bulk(data):
            if context:
                return None
            places.append((start, stop))
        return places

    @staticmethod
    def readable(data: bytes, codec: str) -> bool:
        """Whether :meth:`lines` can judge ``data``: UTF-8 without the characters RE2 and
        ``re`` fold differently."""
        return codec == "utf-8" and (data.isascii() or not any(t in data for t in CASE_TRAPS))

    def bulk(self, data: bytes, parallel: bool = False) -> list[tuple[int, int, bool]]:
        """``(start, end, context)`` of each line of ``data`` (the texts of many versions,
        each :meth:`readable`, joined by line breaks) that a rule's loosened pattern or an
        encoded run matches in, in order; ``context``: a multi-line rule's cut pattern matches
        in it too. No pattern matches across a line break, so each line is judged as
        :meth:`lines` judges it in its own version's text, and RE2 makes one pass over many
        versions (per version, the calls cost more than the search). ``parallel``: half of
        the expressions are searched on a second thread (RE2 lets go of the GIL)."""
        # as secretscan.scan_text reads it: `\"` is ` "` (offsets kept)
        if b'\\"' in data:
            data = data.replace(b'\\"', b' "')
        if b"\\'" in data:
            data = data.replace(b"\\'", b" '")
        end = len(data)
        matchers = [r.Match for r in self.rules]
        if end >= 1000:
            matchers.append(self.huge.Match)
        outcome: list = []  # the helper's lines, or what it raised
        helper = None
        if parallel and len(matchers) > 1:
            other, matchers = matchers[1::2], matchers[::2]  # (the first two cost the most)

            def search_other() -> None:
                try:
                    outcome.extend(self._lines(m, data, end) for m in other)
                except BaseException as error:  # noqa: BLE001 - raised below, in the caller
                    outcome[:] = [error]
            helper = threading.Thread(target=search_other, daemon=True)
            helper.start()
        found = [self._lines(m, data, end) for m in matchers]
        if helper is not None:
            helper.join()
            if outcome and isinstance(outcome[0], BaseException):
                raise outcome[0]
            found += outcome
        found = [f for f in found if f]
        if not found:
            return []
        places = found[0] if len(found) == 1 else sorted(set().union(*found))
        context, unanchored = self.context.Match, self.unanchored
        return [(start, stop, context(unanchored, data, start, stop)[0][0] >= 0)
                for start, stop in places]

    def _lines(self, match, data: bytes, end: int) -> list[tuple[int, int]]:
        places = []
        found = match(self.unanchored, data, 0, end)[0][0]
        while found >= 0:
            start = data.rfind(b"\n", 0, found) + 1
            stop = data.find(b"\n", found)
            if stop < 0:
                stop = end
            places.append((start, stop))
            if stop >= end:
                break
            found = match(self.unanchored, data, stop + 1, end)[0][0]
        return places


# The rules' patterns are searched as a few regular expressions, not one: RE2 builds its
# automaton's states as the text needs them, and a state of one expression for 230 patterns
# stands for a combination of their partial matches: in real code so many combinations occur
# that building them cost 4x the search itself (flask's changed paragraphs: 0.57 s in one
# expression, 0.30 s in three, 0.30 s in six).
GROUPS = 3


@lru_cache(maxsize=1)
def _compiled() -> Prefilter | None:
    if re2 is None:
        return None
    try:
        patterns = rule_patterns()
        if not all(p for _, p, _, _ in patterns):
            return None
        context = [p for _, p, how, one_line in patterns if not one_line and how != "whole"]
        rules = [p for _, p, _, _ in patterns]
        size = -(-len(rules) // GROUPS)
        return Prefilter([re2.compile("|".join(f"(?:{p})" for p in rules[i:i + size]), _options())
                          for i in range(0, len(rules), size)],
                         re2.compile("|".join(f"(?:{p})" for p in context), _options()),
                         re2.compile(HUGE_RUN, _options()))
    except Exception:  # noqa: BLE001 - whatever it is, the plain way finds the same
        return None


@lru_cache(maxsize=None)
def line_search(pattern: str):
    """An RE2 search (``_Regexp``) that matches in every piece of a line where the ``re``
    pattern ``pattern`` matches (loosened, within a line: see the module's docstring), for
    :func:`secretscan.scan_text` to leave out the long lines a rule cannot match in; None
    without RE2, or when the loosened pattern is empty or RE2 refuses it."""
    if re2 is None:
        return None
    try:
        # alone, a pattern's automaton stays small with its own counts (RE2 counts to 1000):
        # `s\.[a-z0-9]{24}` is rare in minified code, `s\.[a-z0-9]{8,}` is not
        loose = loosen(pattern, 0, True, LINE_REPEAT_CAP)[0]
        return re2.compile(loose, _options())._regexp if loose else None
    except Exception:  # noqa: BLE001 - no search: the piece is searched with `re`
        return None


@lru_cache(maxsize=None)
def literal_set(words: tuple[str, ...]):
    """An RE2 set of the literal ``words``: ``Match(data)`` lists the index of every word in
    ``data`` in one pass, or None without RE2. (A set of literals cannot run out of memory:
    its automaton has at most one state per prefix of a word.)"""
    if re2 is None:
        return None
    try:
        found = re2.Set.SearchSet(_options())
        for word in words:
            found.Add(re2.escape(word))
        found.Compile()
    except Exception:  # noqa: BLE001 - the words are looked for one by one
        return None
    return found


_building = threading.Lock()


def compiled() -> Prefilter | None:
    """The prefilter; None without RE2, when a rule's pattern would match everywhere, or when
    anything goes wrong building it (another package's ``re2`` module): the plain way. Built
    once: a thread that asks while another builds it waits for that one."""
    with _building:
        return _compiled()


compiled.cache_clear = _compiled.cache_clear  # type: ignore[attr-defined]
