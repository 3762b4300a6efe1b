"""The course's checks by name, and a command line that runs one on an answer given as JSON.

nbgrader grades through :mod:`checkers.course.regrade` (in its own process); this module is
the shared table of checks, and a way to grade an answer from a shell or another process:
:func:`in_fresh_process` sends the answer (plain data, as JSON) to
``python -I -m checkers.course.grade CHECK`` and reads back ``{"ok": ..., "findings": [...]}``.

    echo '"*.pkl"' | python -m checkers.course.grade 01-gitignore

Exit status 0 (passes), 1 (fails), 2 (usage, unreadable answer, or no answer key in this copy:
then ``ok`` is null and ``pending`` says why). ``notes`` explain a right choice.

``python -I -m checkers.course.grade --batch`` grades many answers in one process (the grader's
:mod:`checkers.course.regrade` does, one process per submission): one JSON line in
(``{"check": ..., "answer": ...}``), one JSON line out (``{"status": 0|1|2, "verdict": ...,
"error": ...}``), each answer as if graded alone: between two answers every process the
previous check started is killed and the private HOME and TMPDIR are emptied (only inside the
grading sandbox, where this process sees only its own processes).
"""
from __future__ import annotations

import json
import sys


MODULES = {"01": "module01", "02": "module02", "03": "module03", "04": "module04"}


def checks(name: str | None = None) -> dict:
    """Every module's checks by name; with ``name`` (``01-gitignore``), only those of the module
    its prefix names, when there is one: a self-check's process loads one module, not four."""
    from importlib import import_module

    prefix = (name or "").split("-", 1)[0]
    wanted = [MODULES[prefix]] if prefix in MODULES else list(MODULES.values())
    found: dict = {}
    for module in wanted:
        found.update(import_module(f".{module}", __package__).CHECKS)
    if name is not None and name not in found and len(wanted) == 1:
        return checks()  # no such check: the usage line lists them all
    return found


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


def grade_one(available: dict, check: str, answer: object) -> tuple[int, dict | None, str]:
    """(exit status, verdict, error line) of one answer, as ``main`` reports them."""
    from .answer_keys import AnswerKeyMissing

    if check not in available:
        return 2, None, f"grade: no check named {check}"
    try:
        result = available[check](answer)
    except AnswerKeyMissing as missing:
        return 2, {"ok": None, "findings": [f.to_dict() for f in missing.findings],
                   "pending": str(missing)}, f"grade: {missing}"
    return (0 if result.ok else 1), {"ok": result.ok, "findings": [f.to_dict() for f in result.findings],
                                     "notes": result.notes}, ""


def _fresh_state(cwd: str, environ: dict) -> None:
    """What one check leaves behind must not reach the next: its processes (this process is
    the only other one in the sandbox's pid namespace, besides bubblewrap's init, pid 1),
    the files in the private HOME and TMPDIR, the working folder and the environment."""
    import os
    import shutil
    import signal

    me = os.getpid()
    for _ in range(100):  # a process may fork while the others are killed: until none is left
        pids = [int(p) for p in os.listdir("/proc") if p.isdigit() and int(p) not in (1, me)]
        if not pids:
            break
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        for pid in pids:
            try:
                os.waitpid(pid, os.WNOHANG)
            except OSError:
                pass
    for key in ("HOME", "TMPDIR"):
        folder = environ.get(key)
        if folder and os.path.isdir(folder):
            for name in os.listdir(folder):
                path = os.path.join(folder, name)
                if os.path.isdir(path) and not os.path.islink(path):
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    try:
                        os.unlink(path)
                    except OSError:
                        pass
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(environ)


def batch() -> int:
    """``--batch``: grade answers read one JSON line at a time (see the module docstring)."""
    import os

    # only inside the grading sandbox's own pid namespace may "every other process" be killed
    isolated = os.environ.get("CHECKERS_GRADE_SANDBOXED") == "1" and os.getpid() <= 3
    if not isolated:
        print("grade: --batch runs only inside the grading sandbox", file=sys.stderr)
        return 2
    available = checks()
    cwd, environ = os.getcwd(), dict(os.environ)
    for line in sys.stdin:
        try:
            item = json.loads(line)
            status, verdict, error = grade_one(available, item["check"], item["answer"])
        except Exception as exc:  # noqa: BLE001 (one broken answer costs its cell, not the batch)
            status, verdict, error = 2, None, f"{type(exc).__name__}: {exc}"
        _fresh_state(cwd, environ)
        sys.stdout.write(json.dumps({"status": status, "verdict": verdict, "error": error}) + "\n")
        sys.stdout.flush()
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv == ["--batch"]:
        return batch()
    available = checks(argv[0] if len(argv) == 1 else None)
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
