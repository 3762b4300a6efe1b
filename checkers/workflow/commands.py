"""workflow-deprecated-command: ``::set-output`` and friends, the workflow commands GitHub retired."""
from __future__ import annotations

import re

from .. import regexcache
from ..registry import Problem, rule
from .context import WorkflowContext
from .walk import run_text

LESSON = "02-github-actions"
COMMAND = regexcache.compile(r"::(set-output|save-state|set-env|add-path)\b(?:\s+name=([^:\s]+))?")
FIXES = {
    "set-output": ('echo "{name}=<value>" >> "$GITHUB_OUTPUT"', "warning",
                   "is deprecated: GitHub warns on every run and plans to turn it off"),
    "save-state": ('echo "{name}=<value>" >> "$GITHUB_STATE"', "warning",
                   "is deprecated: GitHub warns on every run and plans to turn it off"),
    "set-env": ('echo "{name}=<value>" >> "$GITHUB_ENV"', "error",
                "is disabled: the step fails (unless ACTIONS_ALLOW_UNSECURE_COMMANDS is set, "
                "which lets any printed text set variables)"),
    "add-path": ('echo "<directory>" >> "$GITHUB_PATH"', "error",
                 "is disabled: the step fails (unless ACTIONS_ALLOW_UNSECURE_COMMANDS is set, "
                 "which lets any printed text change PATH)"),
}


@rule("workflow-deprecated-command", severity="warning", scope="workflow",
      lesson=f"{LESSON}#jobs")
def workflow_deprecated_command(ctx: WorkflowContext):
    """A ``run:`` script uses a retired workflow command (``::set-output``, ``::save-state``).

    Steps used to pass values on by printing ``::set-output name=NAME::VALUE``. GitHub
    deprecated these commands because any text a step prints (a log line, a file's contents)
    could set outputs; it still runs them with a warning (so this is a warning too). Write to
    the files GitHub provides instead. ``::set-env`` and ``::add-path`` are already disabled:
    the step fails, an error::

        - id: train
          run: echo "model=models/churn.pkl" >> "$GITHUB_OUTPUT"    # not ::set-output
        - run: echo "${{ steps.train.outputs.model }}"
    """
    if not ctx.ok:
        return
    for _job_id, job in ctx.jobs.items():
        for _, step in ctx.steps(job):
            script = run_text(step)
            if "::" not in script:
                continue
            line, col = ctx.pos(step, "run", value=True)
            lines = ctx.lines
            block = bool(line) and lines[line - 1][col - 1:col] in ("|", ">")
            for match in COMMAND.finditer(script):
                command, name = match.group(1), match.group(2) or "NAME"
                fix, severity, why = FIXES[command]
                where, column = line, col
                if line and block:  # a block scalar: the script starts on the next line
                    where = line + 1 + script.count("\n", 0, match.start())
                    found = lines[where - 1].find(f"::{command}") if where <= len(lines) else -1
                    column = found + 1 if found >= 0 else None
                yield Problem(f"`::{command}` {why}",
                              "write to the file GitHub provides instead:\n  "
                              + fix.format(name=name),
                              path=ctx.display, line=where, column=column, severity=severity)
