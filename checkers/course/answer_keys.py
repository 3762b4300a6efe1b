"""Loading the grader-only answer keys (:mod:`checkers.course.keys`), which may be absent.

The student distribution of a graded class leaves ``checkers/course/keys/`` out, so nothing a
learner's notebook imports or opens holds an answer (salted hashes would not do: with three to
five choices, each one can be hashed and compared). This module stays in every copy: it says
that a key is missing instead of failing with an import error.
"""
from __future__ import annotations

import importlib

KEYS_PACKAGE = "checkers.course.keys"


class AnswerKeyMissing(LookupError):
    """This copy of the course has no answer keys (a graded class's student distribution).

    ``findings`` holds what could be checked without a key (missing items, malformed answers).
    """

    findings: list = []


def load(module: str):
    """The answer key module of a course module (``"module01"``), or :class:`AnswerKeyMissing`."""
    try:
        return importlib.import_module(f"{KEYS_PACKAGE}.{module}")
    except ModuleNotFoundError as exc:
        if exc.name and (exc.name == KEYS_PACKAGE or exc.name.startswith(KEYS_PACKAGE + ".")):
            raise AnswerKeyMissing(
                "the answer key is not in this copy of the course: in a graded class it stays "
                "with the instructor, and your answer is graded when you submit") from None
        raise


def load_for(module: str, checkable=()):
    """:func:`load`, and when the key is missing, hand what could be checked without it on."""
    try:
        return load(module)
    except AnswerKeyMissing as missing:
        missing.findings = list(checkable)
        raise
