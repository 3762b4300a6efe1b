"""The course's checks by name, and a command line that runs one on an answer given as JSON.

nbgrader grades through :mod:`checkers.course.regrade` (in its own process); this module is
the shared table of checks, and a way to grade an answer from a shell or another process:
:func:`in_fresh_process` sends the answer (plain data, as JSON) to
``python -I -m checkers.course.grade CHECK`` and reads back ``{"ok": ..., "findings": [...]}``.

    echo '"*.pkl"' | python -m checkers.course.grade 01-gitignore

Exit status 0 (passes), 1 (fails), 2 (usage, unreadable answer, or no answer key in this copy:
then ``ok`` is null and ``pending`` says why). ``notes`` explain a right choice.
"""
from __future__ import annotations

import json
import sys


def checks() -> dict:
    from . import module01, module02, module03, module04

    return {**module01.CHECKS, **module02.CHECKS, **module03.CHECKS, **module04.CHECKS}


def in_fresh_process(check: str, answer: object, timeout: float = 300) -> dict:
    import subprocess  # noqa: PLC0415 (the hidden cell loads this module afresh, with a fresh subprocess)

    proc = subprocess.run(
        [sys.executable, "-I", "-m", "checkers.course.grade", check],
        input=json.dumps(answer), capture_output=True, text=True, timeout=timeout)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"grading {check} failed: {proc.stderr.strip()[-500:]}")
    verdict = json.loads(proc.stdout)
    verdict["summary"] = "; ".join(f"{f['message']}" for f in verdict["findings"][:5]) or "ok"
    return verdict


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    available = checks()
    if len(argv) != 1 or argv[0] not in available:
        print(f"usage: python -m checkers.course.grade {{{','.join(available)}}} < answer.json",
              file=sys.stderr)
        return 2
    try:
        answer = json.loads(sys.stdin.read())
    except json.JSONDecodeError as exc:
        print(f"grade: the answer is not JSON: {exc}", file=sys.stderr)
        return 2
    from .answer_keys import AnswerKeyMissing

    try:
        result = available[argv[0]](answer)
    except AnswerKeyMissing as missing:
        # a student distribution: say so (exit 2: cannot grade here), with what was checkable
        print(json.dumps({"ok": None, "findings": [f.to_dict() for f in missing.findings],
                          "pending": str(missing)}))
        print(f"grade: {missing}", file=sys.stderr)
        return 2
    print(json.dumps({"ok": result.ok, "findings": [f.to_dict() for f in result.findings],
                      "notes": result.notes}))
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
