"""GitHub's filter patterns (``branches``, ``tags``, ``paths`` and their ``-ignore`` forms).

The semantics are those of the "Filter pattern cheat sheet" in GitHub's *Workflow syntax for
GitHub Actions*:

* ``*`` matches zero or more characters, but not ``/``;
* ``**`` matches zero or more of any character, ``/`` included. As a whole path segment
  (``**/`` at the start or after a ``/``) it also matches *no* directory at all: the cheat sheet
  says ``**/README.md`` matches ``README.md`` and ``docs/**/*.md`` matches ``docs/README.md``;
* ``?`` matches zero or one of the *preceding* character, ``+`` one or more of it (``*.jsx?``
  matches ``page.js`` and ``page.jsx``; ``[0-9]+`` one or more digits). Other characters are
  literal: ``.`` is a dot, not "any character";
* ``[...]`` matches one alphanumeric character listed, or in a range ``a-z``, ``A-Z`` or ``0-9``
  (or a part of one, like ``1-2``);
* ``\\`` makes the next character literal (``\\*``, ``\\?``, ``\\[``, and ``\\!`` at the start);
* ``!`` at the start of a pattern negates it. That is the list's business (:func:`match_list`):
  :func:`compile_pattern` gets the pattern without it, and treats any ``!`` as a literal.

A pattern must match the whole name or path. In a list, order matters: the last pattern that
matches decides, so a negative pattern after a positive match excludes, and a positive pattern
after a negative match includes again. A list with only negative patterns matches nothing
(GitHub requires at least one positive pattern next to negative ones).
"""
from __future__ import annotations

import re
from functools import lru_cache

_RANGES = ("az", "AZ", "09")  # the only ranges the cheat sheet allows


class PatternError(ValueError):
    """A filter pattern GitHub would not accept (an unclosed ``[``, a range like ``a-Z`` ...)."""


def _alnum(char: str) -> bool:
    return char.isascii() and char.isalnum()


def _char_class(pattern: str, start: int) -> tuple[str, int]:
    """The regex for the ``[...]`` opening at ``start``, and the index after its ``]``."""
    end = pattern.find("]", start + 1)
    if end < 0:
        raise PatternError(f"'{pattern}': '[' at position {start + 1} has no closing ']'")
    body = pattern[start + 1:end]
    if not body:
        raise PatternError(f"'{pattern}': '[]' is empty; list at least one character in it")
    out, i = [], 0
    while i < len(body):
        if i + 2 < len(body) and body[i + 1] == "-":  # a range such as a-f or 1-2
            low, high = body[i], body[i + 2]
            if not any(a <= low <= high <= b for a, b in _RANGES):
                raise PatternError(f"'{pattern}': the range '{low}-{high}' is not allowed; ranges "
                                   "can only include a-z, A-Z and 0-9")
            out.append(f"{low}-{high}")
            i += 3
        elif _alnum(body[i]):
            out.append(body[i])
            i += 1
        else:
            raise PatternError(f"'{pattern}': '{body[i]}' cannot appear in '[...]', which lists "
                               "only letters, digits and ranges (a-z, A-Z, 0-9)")
    return "[" + "".join(out) + "]", end + 1


@lru_cache(maxsize=1024)
def compile_pattern(pattern: str) -> re.Pattern:
    """The regex (anchored: it matches whole names only) for one pattern, without its ``!``."""
    if not pattern:
        raise PatternError("an empty pattern matches nothing; GitHub requires non-empty patterns")
    # Each piece is [regex, kind, min, max]: kind "atom" can take ? and +, "wild" is * or **.
    pieces: list[list] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "*":
            if pattern.startswith("**", i):
                # `**/` as a whole segment may also stand for no directory (see the docstring).
                if pattern.startswith("**/", i) and (i == 0 or pattern[i - 1] == "/"):
                    pieces.append(["(?:.+/)?", "wild", 1, 1])
                    i += 3
                else:
                    pieces.append([".*", "wild", 1, 1])
                    i += 2
            else:
                pieces.append(["[^/]*", "wild", 1, 1])
                i += 1
        elif char in "?+":
            if pieces and pieces[-1][1] == "atom":
                # ? makes the preceding character optional, + repeatable; both together (`a?+`,
                # `a+?`) mean zero or more. Tracking min/max avoids nested regex quantifiers.
                if char == "?":
                    pieces[-1][2] = 0
                else:
                    pieces[-1][3] = None
            elif not pieces:  # nothing precedes it: a literal character
                pieces.append([re.escape(char), "atom", 1, 1])
            # after * or ** it adds nothing: "zero or one/more of zero or more" is zero or more
            i += 1
        elif char == "[":
            regex, i = _char_class(pattern, i)
            pieces.append([regex, "atom", 1, 1])
        elif char == "\\":
            if i + 1 == len(pattern):
                raise PatternError(f"'{pattern}': the trailing '\\' has nothing to escape")
            pieces.append([re.escape(pattern[i + 1]), "atom", 1, 1])
            i += 2
        else:
            pieces.append([re.escape(char), "atom", 1, 1])
            i += 1
    quantifier = {(1, 1): "", (0, 1): "?", (1, None): "+", (0, None): "*"}
    regex = "".join(piece + quantifier[(low, high)] for piece, _, low, high in pieces)
    return re.compile(r"\A(?:" + regex + r")\Z", re.DOTALL)


def is_negative(pattern: str) -> bool:
    return pattern.startswith("!")


def only_negative(patterns: list[str]) -> bool:
    """True for a non-empty list with no positive pattern: GitHub's docs require one."""
    return bool(patterns) and all(is_negative(p) for p in patterns)


def match_list(patterns: list[str], value: str) -> tuple[bool, str | None]:
    """Whether ``value`` is included by the list, and the pattern that decided (the last match).

    Returns ``(False, None)`` when no pattern matches, and ``(False, "!...")`` when the last
    matching pattern is a negative one. Raises :class:`PatternError` for an invalid pattern.
    """
    included, decider = False, None
    for pattern in patterns:
        negative = is_negative(pattern)
        # Every pattern is compiled, matching or not: an invalid one makes the whole list invalid.
        if compile_pattern(pattern[1:] if negative else pattern).fullmatch(value):
            included, decider = not negative, pattern
    return included, decider


def check_patterns(patterns: list[str]) -> None:
    """Raise :class:`PatternError` for the first invalid pattern in the list."""
    for pattern in patterns:
        compile_pattern(pattern[1:] if is_negative(pattern) else pattern)
