"""Self-checks in a learner's notebook: the course's checks, run in a separate process.

Why a separate process: a check that needs an answer key loads it from the grader-only
:mod:`checkers.course.keys`. Run through ``python -m checkers.course.grade`` (the same command
line the grader's tools use), the key stays in that process and never enters the learner's
kernel, where any cell could read it. In a graded class's student distribution ``keys/`` is
left out: those checks then say that the answer is graded on submission, and still point out
answers that are malformed (a missing item, a letter that is no choice).

Three behaviours a learner meets:

* **hint ladder**: a failing check shows each finding's first hint step (the principle and the
  first thing to do); each *new* answer that still fails shows one more step. Re-running the
  same answer shows the same help.
* **choice questions are explained once**: a single-choice answer (module 01's exercise 3b,
  module 02's push predictions, the knowledge checks) is recorded the first time the
  self-check sees it, and only that recorded answer is explained, with its ✅ or ❌. Trying the other letters afterwards gets no verdict, so the grade
  measures understanding, not retrying. (The record lives in this kernel: the grade itself
  uses what the answer cell holds when the notebook is submitted.)
* **graded cells** (:func:`graded`) run the same check, cached, and assert it; for choice
  questions they only check the form of the answer, never right or wrong.
"""
from __future__ import annotations

import ast
import functools
import json
import os
import subprocess
import sys
from pathlib import Path

from ..findings import Finding, Result
from .feedback import ladder_steps

COURSE_ROOT = Path(__file__).resolve().parent.parent.parent
_CACHE: dict[tuple[str, str], dict] = {}
_FAILED_ATTEMPTS: dict[str, list[str]] = {}
_RECORDED: dict[tuple[str, str], str] = {}


def run_check(check: str, answer: object, timeout: float = 120) -> dict:
    """``{"ok", "findings", "notes"}`` from ``python -m checkers.course.grade CHECK``.

    ``ok`` is None, with ``pending`` saying why, when this copy has no answer key for it.
    """
    try:
        data = json.dumps(answer)
    except (TypeError, ValueError) as exc:  # a set, a module, a function...: say so in one line
        return {"ok": False, "notes": [], "findings": [Finding(
            rule=check, severity="error", path="<answer>", line=None, column=None,
            message=f"the answer cannot be checked: {exc}",
            hint="use plain data: text in quotes, numbers, lists [...], dicts {...}, None "
                 "(a set {a, b} is no dict: a dict has a key and a value, {key: value})",
            docs="").to_dict()]}
    if (check, data) in _CACHE:
        return _CACHE[(check, data)]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(COURSE_ROOT), env.get("PYTHONPATH")]))
    proc = subprocess.run([sys.executable, "-m", "checkers.course.grade", check], input=data,
                          capture_output=True, text=True, timeout=timeout, env=env,
                          cwd=COURSE_ROOT)
    try:
        verdict = json.loads(proc.stdout)
    except json.JSONDecodeError:
        raise RuntimeError(f"the check {check} could not run: "
                           f"{(proc.stderr or proc.stdout).strip()[-500:]}") from None
    verdict.setdefault("notes", [])
    _CACHE[(check, data)] = verdict
    return verdict


def _choice_checks() -> set:
    """Every module's choice questions (explained once; graded cells check only their form)."""
    from . import module01, module02, module03, module04

    return module01.CHOICES | module02.CHOICES | module03.CHOICES | module04.CHOICES


@functools.lru_cache(maxsize=None)
def _starters(check: str) -> frozenset:
    """The values the release's answer cell for ``check`` starts with (as sorted JSON).

    Running the starter unchanged (Run All before the first exercise) is no attempt: it must
    not climb the hint ladder, or the learner's first real answer would get the second step.
    """
    module, _, name = check.partition("-")
    found = set()
    for path in sorted((COURSE_ROOT / "notebooks").glob(f"{module}-*/*.ipynb")):
        try:
            cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        for cell in cells:
            if (cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") != name
                    or cell.get("cell_type") != "code"):
                continue
            source = cell.get("source", "")
            try:
                tree = ast.parse(source if isinstance(source, str) else "".join(source))
            except SyntaxError:
                continue
            for node in tree.body:
                if isinstance(node, ast.Assign):
                    try:
                        found.add(json.dumps(ast.literal_eval(node.value), sort_keys=True))
                    except (ValueError, TypeError, SyntaxError):
                        pass
    return frozenset(found)


def _findings(verdict: dict) -> list[Finding]:
    return [Finding(**f) for f in verdict.get("findings", [])]


def self_check(check: str, answer: object) -> Result | ChoiceReport:
    """What the learner sees under an answer: findings with the hint ladder, or a pass."""
    if check in _choice_checks():
        return _explain_once(check, answer)
    verdict = run_check(check, answer)
    findings = _findings(verdict)
    notes = list(verdict["notes"])
    if verdict["ok"] is None:
        pending = verdict.get("pending", "your answer is graded when you submit")
        if not findings:  # nothing wrong that can be seen here, and no verdict: no ✅ either
            return ChoiceReport([f"Recorded: {pending}."])
        return Result(findings=findings, notes=[*notes, pending])
    if verdict["ok"]:
        return Result(findings=findings, notes=notes)
    attempts = _FAILED_ATTEMPTS.setdefault(check, [])
    data = json.dumps(answer, sort_keys=True, default=repr)
    if data in _starters(check):
        step = 1  # the starter as handed out (Run All at the start): no attempt yet
    else:
        if data not in attempts:
            attempts.append(data)
        step = attempts.index(data) + 1
    shown, more = [], False
    for finding in findings:
        steps = ladder_steps(finding.hint)
        more = more or len(steps) > step
        shown.append(Finding(**{**finding.to_dict(), "hint": "\n".join(steps[:step])}))
    if more:
        notes.append("More help appears if your next answer still fails the same way.")
    return Result(findings=shown, notes=notes)


def _choices(check: str, key: object) -> set:
    from . import module01, module04
    from .module01 import SECRET_CHOICES

    if check.startswith("02-"):
        from .module02 import choices_of

        return choices_of(check, key)
    if check.startswith("03-"):
        from .module03 import QUIZ as QUIZ03

        return set(QUIZ03.get(key, {}).get("choices", ()))
    if check == "01-secret":
        return set(SECRET_CHOICES)
    quiz = module04.QUIZ if check.startswith("04-") else module01.QUIZ
    return set(quiz.get(key, {}).get("choices", ()))


def _is_choice(given: object, choices: set) -> bool:
    """Membership that survives an unhashable answer (a list where one letter was asked for);
    choices are letters, or True/False for module 02's predictions."""
    try:
        return given in choices
    except TypeError:
        return False


class ChoiceReport:
    """One line per question: the recorded answer's verdict and why, or why there is none.

    Deliberately not a :class:`Result`: a question that was not judged must not read as passed.
    """

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines

    def __str__(self) -> str:
        return "\n".join(self.lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        import html

        return "".join(f"<p>{html.escape(line)}</p>" for line in self.lines)


def _explain_once(check: str, answer: object) -> ChoiceReport:
    """Record a choice answer, then explain the recorded one (never a later change of mind)."""
    answers = answer if isinstance(answer, dict) else {"your answer": answer}
    if not answers:
        return ChoiceReport(["Write your answers into the answer cell first."])
    lines: dict[str, str] = {}
    to_judge = {}
    for key, given in answers.items():
        letter = given.strip().lower() if isinstance(given, str) else given
        if letter in ("", None):
            lines[key] = (f"{key}: not answered yet. The explanation shows once your answer is "
                          "recorded.")
            continue
        if not _is_choice(letter, _choices(check, key)):
            to_judge[key] = given  # malformed: the check says what is wrong; nothing is recorded
            continue
        first = _RECORDED.setdefault((check, str(key)), letter)
        if first != letter:
            lines[key] = (f"{key}: you first answered {first!r}, and that answer was explained. "
                          "The self-check explains one answer per question; your grade uses "
                          "what the answer cell holds when you submit.")
            continue
        to_judge[key] = given
    if to_judge:
        verdict = run_check(check, to_judge if isinstance(answer, dict) else answer)
        for finding in _findings(verdict):
            key = finding.path if isinstance(answer, dict) and finding.path in to_judge else "your answer"
            lines[key] = f"❌ {finding.message} ({finding.hint.split(chr(10))[0]})"
        for note in verdict["notes"]:
            key = note.split(":", 1)[0] if isinstance(answer, dict) else "your answer"
            lines[key] = f"✅ {note}"
        if verdict["ok"] is None:
            for key in to_judge:
                if key not in lines:
                    lines[key] = (f"{key}: recorded {to_judge[key]!r}. "
                                  + verdict.get("pending", "It is graded when you submit."))
    return ChoiceReport([lines[key] for key in answers if key in lines])


def graded(check: str, answer: object) -> None:
    """The visible part of a graded cell: the same check as the self-check.

    Choice questions are not judged here (that would be a ✅ on demand): only their form.
    """
    verdict = run_check(check, answer)
    findings = [f for f in _findings(verdict) if f.severity == "error"]
    if check in _choice_checks():
        # a wrong letter is a finding whose message starts with the question and the letter;
        # a malformed one says that it "is not one of" the choices
        findings = [f for f in findings if "is not one of" in f.message or
                    "expected a dict" in f.message or "not a question" in f.message]
        if not findings:
            print("Answer recorded: it is graded when you submit.")
            return
    elif verdict["ok"] is None and not findings:
        print("Answer recorded. " + verdict.get("pending", "It is graded when you submit."))
        return
    assert not findings, "; ".join(f.message for f in findings[:5])


def forget() -> None:
    """Start afresh (tests; a learner who restarts the kernel gets the same)."""
    _CACHE.clear()
    _FAILED_ATTEMPTS.clear()
    _RECORDED.clear()
