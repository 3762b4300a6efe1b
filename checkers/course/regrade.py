"""Autograding outside the learner's kernel: an nbgrader preprocessor.

Anything that runs inside the kernel can be redefined by an answer cell: the checker's
functions, ``subprocess``, ``json``, ``importlib``, ``sys.executable``. So the hidden part of a
graded cell only *hands over* the learner's answer, as one line on stdout::

    CHECKERS-ANSWER 01-gitignore "<the answer as JSON>"

After nbgrader has executed the notebook, this preprocessor (running in nbgrader's own process,
out of the kernel's reach) takes that line out of the output, runs the same check the
self-check runs, and, when the answer fails it, adds an error to the cell's output, which
nbgrader scores as zero. Tracebacks of these cells are cut to their last line, so feedback
shows what is wrong but never the hidden lines. A graded cell whose answer never arrived scores zero as well. An
answer cell can at most hand over an answer; only a correct one passes.

Configured in ``nbgrader_config.py`` (``Autograde.autograde_preprocessors``), right after
``Execute``.
"""
from __future__ import annotations

import json
import re

from nbconvert.preprocessors import Preprocessor
from nbformat.v4 import new_output
from traitlets import Bool

MARKER = "CHECKERS-ANSWER"
HANDOVER = re.compile(rf"{MARKER} ([\w.-]+)")


def handover_line(check: str, answer_json: str) -> str:
    return f"{MARKER} {check} {answer_json}"


def _error(message: str):
    return new_output("error", ename="AssertionError", evalue=message,
                      traceback=[f"AssertionError: {message}"])


class RegradeOutsideKernel(Preprocessor):
    """Grade each handed-over answer with the course's checks, in nbgrader's process."""

    # nbconvert registers preprocessors disabled unless they say otherwise
    enabled = Bool(True).tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type != "code" or not meta.get("grade"):
            return cell, resources
        wanted = HANDOVER.search(cell.source)
        if not wanted:
            return cell, resources
        check = wanted.group(1)
        answer, outputs = None, []
        for output in cell.get("outputs", []):
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
            cell.outputs.append(_error(verdict))
        return cell, resources

    @staticmethod
    def grade(check: str, answer: str | None) -> str | None:
        """None when the answer passes, else what is wrong (one line per finding, at most 5)."""
        from .grade import checks

        if answer is None:
            return "the graded cell did not hand over an answer, so it cannot be graded"
        try:
            value = json.loads(answer)
        except json.JSONDecodeError:
            return "the answer could not be read back (it must be plain data: text, lists, dicts)"
        try:
            result = checks()[check](value)
        except Exception as exc:  # a broken answer must cost the cell, never the whole run
            return f"the answer could not be checked ({type(exc).__name__}: {exc})"
        if result.ok:
            return None
        return "; ".join(f.message for f in result.errors[:5])
