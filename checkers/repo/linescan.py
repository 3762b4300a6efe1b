"""The secret scan of a batch of work-tree files, run only on the lines a rule can report in.

``secret-in-file`` joins the tracked files into batches of a few MiB and scans each batch with
:func:`secretscan.scan_text`. On a real checkout almost no line of a batch can hold a finding,
yet the plain scan pays for all of them: it looks for each of 250 keywords in the whole batch,
lists every line start, looks for encoded runs line by line. :func:`scan_batch` gives exactly
the hits of ``scan_text("\\n".join(texts))`` from a much shorter text: the batch's *kept* lines,
in order, each whole, found in C by the history scan's native prefilter
(:mod:`checkers.repo.prefilter`, RE2):

- every line where a rule's loosened pattern matches (a rule can start a match only there),
  looked for in the text as the scan reads it (``\\"`` as `` "``, encoded runs blanked), and
  every line with an encoded run (a notebook's image; a batch that is little else is scanned
  whole: the plain scan is quick on blanked runs);
- around each line where a rule that may match over several lines (``curl ... -H``, a private
  key's header and body) can start or hold its match, as many lines before and after as its
  pattern can cross line breaks, counted from the parsed pattern (look-arounds included): the
  whole stretch such a match can see is kept, contiguous;
- the batch's first and last lines (``\\A``, ``\\Z`` and a non-multi-line ``$`` see the
  same ends).

Every line is scanned on its own except by those multi-line rules, the scan keeps the first hit
per line in rule order, and a rule's keywords are looked for in the text: the kept lines give
the same hits, at the same columns, once their numbers are mapped back. A rule whose match may
cross any number of lines (gitleaks' ``private-key``, ``kubernetes-secret-yaml``,
``kaggle.json``'s look-ahead) is looked for with ``re`` in the batch where RE2 says it may
match: the lines of each match are kept, and the kept text must give the same matches. Lines
with a character RE2 and ``re`` fold differently (dotless i, Kelvin sign ...: BPE vocabularies)
are kept, with the stretch any multi-line rule can cross. The batch is scanned whole (the
plain way) when the kept text gives other matches, or without RE2.
In a batch over 1 MiB the rules' expressions are searched on two threads (RE2 lets go of the
GIL). The module checks at start what the argument needs of the rules (a bounded rule's match holds
one of its keywords, as a literal); a rule set that breaks it is scanned the plain way.
"""
from __future__ import annotations

import threading
from functools import lru_cache

from . import prefilter, secretscan
from .secretscan import OWN_RULES, SecretHit, _plan, blank_runs, finditer, runs_in, scan_text

try:
    from re import _compiler as _sre_compile, _constants as _c, _parser as _sre_parse  # 3.11+
except ImportError:  # pragma: no cover - Python 3.10
    import sre_compile as _sre_compile  # type: ignore[no-redef]
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _sre_parse  # type: ignore[no-redef]

# below this a batch is scanned whole: building the prefilter (~0.1 s) costs more than it saves
FAST_FROM = 256 * 1024
_ATOMS = {_c.LITERAL, _c.NOT_LITERAL, _c.IN, _c.ANY, _c.CATEGORY}
_REPEATS = {_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", _c.MAX_REPEAT)}
_ASSERTS = {_c.ASSERT, _c.ASSERT_NOT}


def _crosses_line(state, op, av, flags: int) -> bool:
    """Whether the atom ``(op, av)`` matches a line break under ``flags``."""
    sub = _sre_parse.SubPattern(state, [(op, av)])
    return _sre_compile.compile(sub, flags).fullmatch("\n") is not None


def line_reach(pattern: str, flags: int = 0) -> int | None:
    """How many line breaks a match of ``pattern`` can cross, or look at with a look-around
    (an upper bound); None when there is no bound."""
    parsed = _sre_parse.parse(pattern, flags)
    return _reach(parsed.state, list(parsed), parsed.state.flags)


def _reach(state, items, flags: int) -> int | None:
    total = 0
    for op, av in items:
        if op in _ATOMS:
            total += _crosses_line(state, op, av, flags)
        elif op is _c.AT:
            continue
        elif op in _REPEATS:
            low, high, body = av
            inner = _reach(state, list(body), flags)
            if inner is None or (inner and high is _c.MAXREPEAT):
                return None
            total += inner * high
        elif op is _c.SUBPATTERN:
            _group, add, remove, body = av
            inner = _reach(state, list(body), (flags | add) & ~remove)
            if inner is None:
                return None
            total += inner
        elif op is _c.BRANCH:
            each = [_reach(state, list(a), flags) for a in av[1]]
            if None in each:
                return None
            total += max(each)
        elif op in _ASSERTS:  # (direction, body): what it looks at, ahead or behind
            inner = _reach(state, list(av[1]), flags)
            if inner is None:
                return None
            total += inner
        elif getattr(_c, "ATOMIC_GROUP", None) is op:
            inner = _reach(state, list(av), flags)
            if inner is None:
                return None
            total += inner
        else:  # a back-reference, a conditional group: not bounded here
            return None
    return total


def holds_keyword(pattern: str, keywords, flags: int = 0) -> bool:
    """Whether every match of ``pattern`` holds one of ``keywords`` (lower case) as a run of
    its literal characters (lower-cased)."""
    parsed = _sre_parse.parse(pattern, flags)
    return _holds(list(parsed), tuple(keywords))


def _holds(items, keywords) -> bool:
    run = []
    for op, av in items:
        if op is _c.LITERAL:
            run.append(chr(av).lower())
            continue
        if any(k in "".join(run) for k in keywords):
            return True
        run = []
        if op is _c.AT:
            run = []
        elif op is _c.SUBPATTERN and _holds(list(av[3]), keywords):
            return True
        elif op in _REPEATS and av[0] >= 1 and _holds(list(av[2]), keywords):
            return True
        elif op is _c.BRANCH and all(_holds(list(a), keywords) for a in av[1]):
            return True
    return any(k in "".join(run) for k in keywords)


class LinePlan:
    """``native``: the rules' loosened patterns; ``windows``: (RE2 search, line reach) for each
    multi-line rule with a bound; ``unbounded``: (RE2 search, ``re`` pattern) for the others,
    the search matching in every batch where the pattern may; ``traps``: RE2 search for the
    characters RE2 and ``re`` fold differently."""

    def __init__(self, native: prefilter.Prefilter, windows, unbounded, traps) -> None:
        self.native = native
        self.windows = windows
        self.unbounded = unbounded
        self.traps = traps


def _spread_rules():
    """(name, ``re`` pattern, keywords) of every rule the scan runs on the whole batch, whose
    matches may cross a line break."""
    found = [(f"own:{r.kind}", r.regex, r.keywords) for r in OWN_RULES if not r.gated]
    found += [(r.id, r.regex, r.keywords) for r, how in _plan() if how != "lines"]
    return found


@lru_cache(maxsize=1)
def plan() -> LinePlan | None:
    """The plan, or None when the batches must be scanned whole (no RE2, or a rule for which
    the kept lines would not show what the whole batch does)."""
    native = prefilter.compiled()
    if native is None:
        return None
    import re2

    windows, unbounded = [], []
    for name, regex, keywords in _spread_rules():
        reach = line_reach(regex.pattern, regex.flags)
        trigger = prefilter.WITHIN_VERSION.get(name) or \
            prefilter.loosen(regex.pattern, regex.flags, False)[0]
        if not trigger:
            return None
        search = re2.compile(trigger, prefilter._options())._regexp
        if reach is None:
            unbounded.append((search, regex))
            continue
        if keywords and not holds_keyword(regex.pattern, keywords, regex.flags):
            return None  # the kept lines could lack its keyword, which the whole batch has
        if reach:
            windows.append((search, reach))
    traps = re2.compile("[" + "".join(_char(t.decode()) for t in prefilter.CASE_TRAPS) + "]",
                        prefilter._options())._regexp
    return LinePlan(native, windows, unbounded, traps)


def _char(c: str) -> str:
    return f"\\x{{{ord(c):x}}}"


def _starts(regexp, data: bytes, end: int, out: set[int]) -> None:
    """Add the start of every line of ``data`` in which ``regexp`` matches to ``out``."""
    match, unanchored = regexp.Match, prefilter.re2._Anchor.UNANCHORED
    found = match(unanchored, data, 0, end)[0][0]
    while found >= 0:
        out.add(data.rfind(b"\n", 0, found) + 1)
        stop = data.find(b"\n", found)
        if stop < 0:
            return
        found = match(unanchored, data, stop + 1, end)[0][0]


# a batch this long is searched on two threads (RE2 lets go of the GIL): the rules' few
# expressions cost about as much each, and a pre-commit hook waits for the slowest batch
PARALLEL_FROM = 1 << 20


def _search_all(searches, data: bytes, end: int) -> None:
    """:func:`_starts` for each ``(regexp, found)`` of ``searches``; half of them on a second
    thread in a long batch. Each search fills its own set."""
    if end < PARALLEL_FROM or len(searches) < 2:
        for regexp, found in searches:
            _starts(regexp, data, end, found)
        return
    failed: list[BaseException] = []

    def other_half() -> None:
        try:
            for regexp, found in searches[1::2]:
                _starts(regexp, data, end, found)
        except BaseException as error:  # noqa: BLE001 - raised below, in the caller
            failed.append(error)

    helper = threading.Thread(target=other_half, daemon=True)
    helper.start()
    try:
        for regexp, found in searches[::2]:
            _starts(regexp, data, end, found)
    finally:
        helper.join()
    if failed:
        raise failed[0]


def _around(data: bytes, start: int, reach: int) -> list[int]:
    """The starts of the line at ``start`` and of ``reach`` lines before and after it."""
    found = [start]
    before = start
    for _ in range(reach):
        if before == 0:
            break
        before = data.rfind(b"\n", 0, before - 1) + 1
        found.append(before)
    after = start
    for _ in range(reach):
        after = data.find(b"\n", after) + 1
        if after == 0:
            break
        found.append(after)
    return found


def _line_end(data: bytes, start: int) -> int:
    stop = data.find(b"\n", start)
    return len(data) if stop < 0 else stop


def _blanked(data: bytes, starts) -> bytes:
    """``data`` with the encoded runs (``secretscan._HUGE_RUN``) of the lines at ``starts``
    blanked, as ``scan_text`` blanks them."""
    out = bytearray(data)
    for start in starts:
        stop = _line_end(data, start)
        for a, b in runs_in(data[start:stop]):
            out[start + a:start + b] = b" " * (b - a)
    return bytes(out)


def _as_scanned(text: str, blank: bool) -> str:
    """``text`` as ``scan_text`` reads it: ``\\"`` as `` "``, encoded runs blanked (``blank``:
    the batch has lines with such runs)."""
    if "\\" in text:
        text = text.replace('\\"', ' "').replace("\\'", " '")
    return blank_runs(text) if blank else text


def scan_batch(texts: list[str]) -> list[SecretHit]:
    """``scan_text("\\n".join(texts))``, from the batch's kept lines (see the module's
    docstring)."""
    text = "\n".join(texts)
    if len(text) < FAST_FROM or "\n" not in text:
        return scan_text(text)
    lines = plan()
    if lines is None:
        return scan_text(text)
    try:
        raw = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: RE2 reads UTF-8 only
        return scan_text(text)
    native = lines.native
    end = len(raw)
    huge: set[int] = set()  # lines with encoded runs (notebook images), which the scan blanks
    for start, _stop in runs_in(raw, 1000):  # (prefilter.HUGE_RUN's lines, found in C)
        huge.add(raw.rfind(b"\n", 0, start) + 1)
    if huge and end - sum(_line_end(raw, start) - start for start in huge) < FAST_FROM:
        return scan_text(text)  # little else: the plain scan is quick on blanked runs
    # as scan_text reads it: `\"` is ` "` (offsets kept), encoded runs blanked (RE2 is slow on
    # them)
    data = raw.replace(b'\\"', b' "').replace(b"\\'", b" '") if b"\\" in raw else raw
    kept: set[int] = {0, data.rfind(b"\n") + 1} | huge  # starts of the kept lines
    if huge:
        data = _blanked(data, huge)
    searches = [(regexp, set()) for regexp in native.rules]
    windows = []
    for regexp, reach in lines.windows:
        searches.append((regexp, set()))
        windows.append((searches[-1][1], reach))
    _search_all(searches, data, end)
    kept.update(*(found for _, found in searches[:len(native.rules)]))
    # Where RE2 may not match as `re` does (dotless i, Kelvin sign ...: BPE vocabularies are
    # full of them), the lines are kept with the stretch any multi-line rule's match can cross,
    # and every rule without a bound is looked for the precise way.
    traps: set[int] = set()
    if not data.isascii():
        _starts(lines.traps, data, end, traps)
    if traps:
        kept |= traps
        windows.append((traps, max((reach for _, reach in lines.windows), default=0)))
    # A rule that may match over any number of lines keeps the lines of each of its matches;
    # the kept text must then give the same matches, or the batch is scanned whole.
    suspects = [regex for search, regex in lines.unbounded
                if traps or search.Match(prefilter.re2._Anchor.UNANCHORED, data, 0, end)[0][0] >= 0]
    matched = _matches(suspects, _as_scanned(text, bool(huge))) if suspects else []
    ascii_text = len(raw) == len(text)
    for *_, (start, stop) in matched:  # each match's lines, in bytes
        if not ascii_text:
            start, stop = len(text[:start].encode("utf-8")), len(text[:stop].encode("utf-8"))
        at = data.rfind(b"\n", 0, start) + 1
        while 0 <= at <= stop:
            kept.add(at)
            at = data.find(b"\n", at) + 1 or -1
    for found, reach in windows:
        for start in found:
            kept.update(_around(data, start, reach))
    numbers, pieces = [], []
    line, at = 1, 0
    for start in sorted(kept):
        line += data.count(b"\n", at, start)
        at = start
        stop = data.find(b"\n", start)
        numbers.append(line)
        pieces.append(raw[start:stop if stop >= 0 else end].decode("utf-8"))
    short = "\n".join(pieces)
    if suspects and [(rule, numbers[line - 1], column, numbers[last - 1], groups)
                     for rule, line, column, last, groups, _span in
                     _matches(suspects, _as_scanned(short, bool(huge)))] != [m[:5] for m in matched]:
        return scan_text(text)
    return [hit.at(numbers[hit.line - 1]) for hit in scan_text(short)]


def _matches(regexes, text: str) -> list[tuple]:
    """Every match of each of ``regexes`` in ``text``, as ``scan_text`` finds them: (which,
    line, column, last line, groups, span)."""
    low = text.lower() if any((secretscan.anchors_of(r) or ((), False))[1] for r in regexes) else ""
    found = []
    for i, regex in enumerate(regexes):
        for match in finditer(regex, text, low):
            start, stop = match.span()
            line = text.count("\n", 0, start) + 1
            found.append((i, line, start - text.rfind("\n", 0, start) - 1,
                          line + text.count("\n", start, stop), match.groups(), (start, stop)))
    return found
