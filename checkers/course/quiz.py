"""Choice questions shared by the modules: plain-text display, judging, one question per cell.

A question bank is ``{key: {"question": str, "choices": {letter: text}}}`` in the module (no
answers); the right letters and their explanations live in the grader-only answer keys.
"""
from __future__ import annotations

from ..findings import Result
from .feedback import problem, result


def quiz_text(questions: dict) -> str:
    """The questions and their choices as plain text (readable where widgets are not)."""
    blocks = []
    for number, (key, item) in enumerate(questions.items(), 1):
        lines = [f"{number}. {key}: {item['question']}"]
        lines += [f"   {letter}) {text}" for letter, text in item["choices"].items()]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def judge_quiz(questions: dict, answers: object, load_keys, *, lesson: str,
               ex: str = "knowledge-check") -> Result:
    """``answers`` maps question keys to letters (some or all of them): only those present are
    judged, so each graded cell can hand over one question (partial credit). ``load_keys()``
    returns the key module (``QUIZ_ANSWER``, ``QUIZ_WHY``); it is called with the findings that
    need no key, so that a copy without keys can still report them."""
    if not isinstance(answers, dict) or not answers:
        return result([problem(ex, lesson, "expected a dict of answers, one letter per question",
                               "see the answer cell")])
    findings, notes, judged = [], [], {}
    for key, given in answers.items():
        item = questions.get(key)
        if item is None:
            findings.append(problem(ex, lesson, f"{key!r} is not a question of this quiz",
                                    f"the questions are {', '.join(questions)}", path=str(key)))
            continue
        choice = given.strip().lower() if isinstance(given, str) else None
        if choice not in item["choices"]:
            findings.append(problem(ex, lesson, f"{key}: {given!r} is not one of "
                                    f"{', '.join(item['choices'])}", "answer with one letter",
                                    path=key))
        else:
            judged[key] = choice
    if judged:
        keys = load_keys(findings)
        for key, choice in judged.items():
            why = keys.QUIZ_WHY[key][choice]
            if choice != keys.QUIZ_ANSWER[key]:
                findings.append(problem(ex, lesson, f"{key}: {choice}) is not right. {why}",
                                        "reread the section the question is about", path=key))
            else:
                notes.append(f"{key}: {choice}) is right. {why}")
    return result(findings, notes)


def one_question(check, key: str, what: str):
    """``check`` restricted to the item ``key`` of a dict answer (one graded cell per item)."""
    def single(answers: object) -> Result:
        if not isinstance(answers, dict):
            return check(answers)
        return check({key: answers.get(key)})
    single.__doc__ = f"{what} {key} alone (one graded cell)."
    return single
