"""Autograding outside the learner's kernel: an nbgrader preprocessor.

Anything that runs inside the kernel can be redefined by an answer cell: the checker's
functions, ``subprocess``, ``json``, ``importlib``, ``sys.executable``. So the hidden part of a
graded cell only *hands over* the learner's answer, as one line on stdout::

    CHECKERS-ANSWER 01-gitignore "<the answer as JSON>"

After nbgrader has executed the notebook, this preprocessor (running in nbgrader's own process,
out of the kernel's reach) takes that line out of the output, runs the same check the
self-check runs, and, when the answer fails it, adds an error to the cell's output, which
nbgrader scores as zero. The checks run in a fresh ``python -I -m checkers.course.grade --batch``
process inside the grading sandbox (:mod:`checkers.course.confine`), one per submission,
because some checks run the learner's shell scripts again; each answer gets ``timeout``
seconds, like a cell, and is checked as if alone (no process or file of the previous check
survives it). Tracebacks of these cells are cut to their last line, so feedback
shows what is wrong but never the hidden lines. A graded cell whose answer never arrived scores zero as well. An
answer cell can at most hand over an answer; only a correct one passes.

Configured in ``nbgrader_config.py`` (``Autograde.autograde_preprocessors``), right after
``Execute``.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys

from nbconvert.preprocessors import Preprocessor
from nbformat.v4 import new_output
from traitlets import Bool, Float

from .confine import Batch, GradingLimits, GradingSandbox, run_confined

MARKER = "CHECKERS-ANSWER"
HANDOVER = re.compile(rf"{MARKER} ([\w.-]+)")


def handover_line(check: str, answer_json: str) -> str:
    return f"{MARKER} {check} {answer_json}"


def _error(message: str):
    return new_output("error", ename="AssertionError", evalue=message,
                      traceback=[f"AssertionError: {message}"])


def _stdout_joined(outputs: list) -> list:
    """Consecutive stdout outputs as one: the kernel may split a line across messages."""
    joined: list = []
    for output in outputs:
        if (output.get("output_type") == "stream" and output.get("name") == "stdout" and joined
                and joined[-1].get("output_type") == "stream" and joined[-1].get("name") == "stdout"):
            joined[-1]["text"] = joined[-1].get("text", "") + output.get("text", "")
        else:
            joined.append(output)
    return joined


class RegradeOutsideKernel(Preprocessor):
    """Grade each handed-over answer with the course's checks, in nbgrader's process."""

    # nbconvert registers preprocessors disabled unless they say otherwise
    enabled = Bool(True).tag(config=True)
    timeout = Float(15, help="Seconds the check of one graded cell may take (nbgrader_config.py "
                    "sets it to the cell timeout).").tag(config=True)

    def preprocess(self, nb, resources):
        """Take every answer out of its cell first, then check them all in one confined
        process (each with its own ``timeout``; see :class:`checkers.course.confine.Batch`)."""
        wanted = []
        for index, cell in enumerate(nb.cells):
            item = self.take_answer(cell)
            if item is not None:
                wanted.append((cell, *item))
        if not wanted:
            return nb, resources
        sandbox = GradingSandbox(parent=self)
        confined = sandbox.usable()
        verdicts = {}
        if confined:  # one process for the submission; every answer checked as if alone
            with Batch([sys.executable, "-I", "-m", "checkers.course.grade", "--batch"],
                       timeout=self.timeout, bwrap=sandbox.bwrap,
                       limits=GradingLimits(parent=self)) as batch:
                for n, (cell, check, answer) in enumerate(wanted):
                    if _readable(answer):
                        status, verdict, error = batch.grade({"check": check,
                                                              "answer": json.loads(answer)})
                        verdicts[n] = self.verdict(status, verdict, error)
        for n, (cell, check, answer) in enumerate(wanted):
            said = verdicts[n] if n in verdicts else self.grade(check, answer, confined=confined)
            if said:
                cell.outputs.insert(0, _error(said))  # first: nbgrader scores the first it meets
        return nb, resources

    def take_answer(self, cell) -> tuple[str, str | None] | None:
        """(check, answer) of a graded cell that still needs its check; its outputs cleaned."""
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type != "code" or not meta.get("grade"):
            return None
        # nbgrader reads a number in an execute_result as partial credit, before it looks for
        # an error; the course's graded cells never give partial credit that way, and a kernel
        # can send one into any cell from a thread
        cell.outputs = [o for o in _stdout_joined(cell.get("outputs", []))
                        if o.get("output_type") != "execute_result"]
        wanted = HANDOVER.search(cell.source)
        if not wanted:
            return None
        check = wanted.group(1)
        answer, outputs = None, []
        for output in cell.outputs:
            if output.get("output_type") == "stream" and output.get("name") == "stdout":
                kept = []
                for line in output.get("text", "").splitlines(keepends=True):
                    if line.startswith(f"{MARKER} {check} ") and answer is None:
                        answer = line[len(MARKER) + len(check) + 2:].strip()
                    elif not line.startswith(f"{MARKER} "):
                        kept.append(line)
                output["text"] = "".join(kept)
                if not output["text"]:
                    continue
            outputs.append(output)
        cell.outputs = outputs
        failed = [o for o in outputs if o.get("output_type") == "error"]
        for output in failed:
            # a full traceback would print the cell's source, hidden lines included, into the
            # feedback: keep what went wrong (the check's own report), not where
            output["traceback"] = [f"{output.get('ename')}: {output.get('evalue')}"]
        if failed:
            return None  # already failed in the kernel
        return check, answer

    def grade(self, check: str, answer: str | None, confined: bool | None = None) -> str | None:
        """None when the answer passes, else what is wrong (one line per finding, at most 5);
        one process of its own for this answer."""
        if not _readable(answer):
            return _unreadable(answer)
        sandbox = GradingSandbox(parent=self)
        confined = sandbox.usable() if confined is None else confined
        try:
            proc = run_confined([sys.executable, "-I", "-m", "checkers.course.grade", check],
                                input=answer, timeout=self.timeout, confined=confined,
                                bwrap=sandbox.bwrap, limits=GradingLimits(parent=self))
        except subprocess.TimeoutExpired:
            return self.verdict(None, None, "")
        try:
            verdict = json.loads(proc.stdout) if proc.returncode in (0, 1) else None
        except json.JSONDecodeError:
            verdict = None
        said = (proc.stderr.strip().splitlines() or [f"exit status {proc.returncode}"])[-1]
        return self.verdict(proc.returncode if verdict is not None else 2, verdict, said)

    def verdict(self, status: int | None, verdict: dict | None, error: str) -> str | None:
        if status is None:
            return (f"checking the answer took longer than {self.timeout:.0f} s: an endless loop, "
                    "or a command waiting for input?")
        if status not in (0, 1) or verdict is None:  # a broken answer costs the cell, never the run
            return f"the answer could not be checked ({(error or f'exit status {status}')[-300:]})"
        if verdict["ok"]:
            return None
        errors = [f["message"] for f in verdict["findings"] if f.get("severity") == "error"]
        return "; ".join(errors[:5]) or "the check failed"


def _readable(answer: str | None) -> bool:
    if answer is None:
        return False
    try:
        json.loads(answer)
    except json.JSONDecodeError:
        return False
    return True


def _unreadable(answer: str | None) -> str:
    if answer is None:
        return "the graded cell did not hand over an answer, so it cannot be graded"
    return "the answer could not be read back (it must be plain data: text, lists, dicts)"
