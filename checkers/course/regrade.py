"""Autograding outside the learner's kernel: an nbgrader preprocessor.

Anything that runs inside the kernel can be redefined by an answer cell: the checker's
functions, ``subprocess``, ``json``, ``importlib``, ``sys.executable``. So the hidden part of a
graded cell only *hands over* the learner's answer, as one line on stdout::

    CHECKERS-ANSWER 01-gitignore "<the answer as JSON>"

After nbgrader has executed the notebook, this preprocessor (running in nbgrader's own process,
out of the kernel's reach) takes that line out of the output, runs the same check the
self-check runs, and, when the answer fails it, adds an error to the cell's output, which
nbgrader scores as zero. The check runs in a fresh ``python -I -m checkers.course.grade``
process inside the grading sandbox (:mod:`checkers.course.confine`), because some checks run
the learner's shell scripts again; it gets ``timeout`` seconds, like a cell. Tracebacks of these cells are cut to their last line, so feedback
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

from .confine import GradingSandbox, run_confined

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

    def preprocess_cell(self, cell, resources, index):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type != "code" or not meta.get("grade"):
            return cell, resources
        # nbgrader reads a number in an execute_result as partial credit, before it looks for
        # an error; the course's graded cells never give partial credit that way, and a kernel
        # can send one into any cell from a thread
        cell.outputs = [o for o in _stdout_joined(cell.get("outputs", []))
                        if o.get("output_type") != "execute_result"]
        wanted = HANDOVER.search(cell.source)
        if not wanted:
            return cell, resources
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
            return cell, resources  # already failed in the kernel
        verdict = self.grade(check, answer)
        if verdict:
            cell.outputs.insert(0, _error(verdict))  # first: nbgrader scores the first it meets
        return cell, resources

    def grade(self, check: str, answer: str | None) -> str | None:
        """None when the answer passes, else what is wrong (one line per finding, at most 5)."""
        if answer is None:
            return "the graded cell did not hand over an answer, so it cannot be graded"
        try:
            json.loads(answer)
        except json.JSONDecodeError:
            return "the answer could not be read back (it must be plain data: text, lists, dicts)"
        sandbox = GradingSandbox(parent=self)
        try:
            proc = run_confined([sys.executable, "-I", "-m", "checkers.course.grade", check],
                                input=answer, timeout=self.timeout, confined=sandbox.usable(),
                                bwrap=sandbox.bwrap)
        except subprocess.TimeoutExpired:
            return (f"checking the answer took longer than {self.timeout:.0f} s: an endless loop, "
                    "or a command waiting for input?")
        try:
            verdict = json.loads(proc.stdout) if proc.returncode in (0, 1) else None
        except json.JSONDecodeError:
            verdict = None
        if verdict is None:  # a broken answer must cost the cell, never the whole run
            said = (proc.stderr.strip().splitlines() or [f"exit status {proc.returncode}"])[-1]
            return f"the answer could not be checked ({said[-300:]})"
        if verdict["ok"]:
            return None
        errors = [f["message"] for f in verdict["findings"] if f.get("severity") == "error"]
        return "; ".join(errors[:5]) or "the check failed"
