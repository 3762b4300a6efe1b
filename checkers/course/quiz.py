"""Knowledge checks of any module: one letter per question, judged against a grader-only key.

``checks(prefix, lesson, questions, key_module)`` gives the whole check (``answers`` maps
question keys to letters, some or all of them) and one check per question, so that each graded
cell hands over one question (partial credit). The right letters and the explanations live in
``checkers/course/keys/<key_module>.py`` (``QUIZ_ANSWER``, ``QUIZ_WHY``), loaded only when an
answer is judged. (Module 01 predates this helper and keeps its own copy.)
"""
from __future__ import annotations

from ..findings import Result
from .feedback import problem, result


def checks(prefix: str, lesson: str, questions: dict, key_module: str) -> dict:
    """``{prefix: check, f"{prefix}.{KEY}": check of that question alone, ...}``."""

    def check_quiz(answers: object) -> Result:
        ex, where = "knowledge-check", f"{lesson}#knowledge-check"
        if not isinstance(answers, dict) or not answers:
            return result([problem(ex, where, "expected a dict of answers, one letter per "
                                   "question", "see the answer cell")])
        findings, notes, judged = [], [], {}
        for key, given in answers.items():
            item = questions.get(key)
            if item is None:
                findings.append(problem(ex, where, f"{key!r} is not a question of this quiz",
                                        f"the questions are {', '.join(questions)}", path=str(key)))
                continue
            choice = given.strip().lower() if isinstance(given, str) else None
            if choice not in item["choices"]:
                findings.append(problem(ex, where, f"{key}: {given!r} is not one of "
                                        f"{', '.join(item['choices'])}", "answer with one letter",
                                        path=key))
            else:
                judged[key] = choice
        if judged:
            from .answer_keys import AnswerKeyMissing, load

            try:
                keys = load(key_module)
            except AnswerKeyMissing as missing:
                missing.findings = list(findings)
                raise
            for key, choice in judged.items():
                why = keys.QUIZ_WHY[key][choice]
                if choice != keys.QUIZ_ANSWER[key]:
                    findings.append(problem(ex, where, f"{key}: {choice}) is not right. {why}",
                                            "reread the section the question is about", path=key))
                else:
                    notes.append(f"{key}: {choice}) is right. {why}")
        return result(findings, notes)

    def one(key: str):
        def check(answers: object) -> Result:
            return check_quiz({key: answers.get(key)} if isinstance(answers, dict) else answers)
        check.__doc__ = f"The knowledge check's question {key} alone (one graded cell)."
        return check

    check_quiz.__doc__ = "The knowledge check: ``answers`` maps question keys to letters."
    return {prefix: check_quiz, **{f"{prefix}.{key}": one(key) for key in questions}}
