"""workflow-needs-context: ``needs.<job>`` read by a job that does not list that job in ``needs:``."""
from __future__ import annotations

import re

from .. import regexcache
from ..yamlnodes import CommentedMap

from ..registry import Problem, rule
from .context import WorkflowContext
from .walk import EXPRESSION, close_matches, job_needs, scalars

LESSON = "02-github-actions"
NEEDS_REF = regexcache.compile(r"(?<![\w.-])needs\s*(?:\.\s*([A-Za-z_][\w-]*)|\[\s*'([^']+)'\s*\])")
STRING_LITERAL = regexcache.compile(r"'(?:[^']|'')*'")
BRACKETED = regexcache.compile(r"(?<![\w.-])needs\s*\[\s*'([A-Za-z_][\w-]*)'\s*\]")


def expressions(key, value: str) -> list[str]:
    """The expression texts of one value, string literals blanked (``if:`` needs no ``${{ }}``)."""
    found = [m.group(1) for m in EXPRESSION.finditer(value)]
    if key == "if" and "${{" not in value:
        found = [value]
    # needs['job'] is the same as needs.job; other string literals are text, not references
    return [STRING_LITERAL.sub("''", BRACKETED.sub(r"needs.\1", e)) for e in found]


def _where(ctx: WorkflowContext, parent, key, value: str, name: str) -> tuple:
    """The reference's own line and column; in a block scalar (``run: |``) the value's first
    line is the one after the ``|``, and the script may be long."""
    line, col = ctx.pos(parent, key, value=True)
    lines = ctx.lines
    if not line or line > len(lines) or lines[line - 1][col - 1:col] not in ("|", ">"):
        return line, col
    ref = re.search(rf"needs\s*(?:\.\s*{re.escape(name)}(?![\w-])|\[\s*'{re.escape(name)}'\s*\])",
                    value)
    if ref is None:
        return line, col
    where = line + 1 + value.count("\n", 0, ref.start())
    found = lines[where - 1].find(ref.group(0)) if where <= len(lines) else -1
    return (where, found + 1) if found >= 0 else (line, col)


@rule("workflow-needs-context", severity="error", scope="workflow", lesson=f"{LESSON}#jobs")
def workflow_needs_context(ctx: WorkflowContext):
    """An expression reads ``needs.<job>`` of a job that is not in this job's ``needs:``.

    The ``needs`` context holds only the jobs listed in the job's own ``needs:`` (its direct
    dependencies, not theirs). ``needs.test.result`` or ``needs.build.outputs.model`` for any
    other job is always empty: an ``if: needs.test.result == 'success'`` is never true, so the
    step or job silently never runs, and an output passed on is an empty string. GitHub does not
    refuse the file; it runs something other than what it says. A job that reads its own
    outputs through ``needs.<itself>`` gets the same empty value: inside the job, read
    ``steps.<id>.outputs`` instead. Otherwise, list the job::

        jobs:
          build: ...
          register:
            needs: [test, build]          # build was missing
            if: needs.build.outputs.model != ''
    """
    if not ctx.ok:
        return
    jobs = {str(j).lower(): str(j) for j in ctx.jobs}
    for job_id, job in ctx.jobs.items():
        if not isinstance(job, CommentedMap):
            continue
        listed = {n.lower() for n in job_needs(job)}
        reported = set()
        for parent, key, value in scalars(job):
            if "needs" not in value:
                continue
            for expr in expressions(key, value):
                for match in NEEDS_REF.finditer(expr):
                    name = match.group(1) or match.group(2)
                    if name.lower() in listed or (name.lower(), id(parent), key) in reported:
                        continue
                    reported.add((name.lower(), id(parent), key))
                    line, col = _where(ctx, parent, key, value, name)
                    if name.lower() == str(job_id).lower():
                        # a job cannot need itself (GitHub refuses the cycle): no `needs:` fix
                        yield Problem(f"job `{job_id}` reads its own outputs through `needs.{name}`, "
                                      "but `needs` holds only the jobs it depends on, so the value "
                                      "is always empty",
                                      "inside the job, read the step that sets the value: "
                                      "`${{ steps.<step-id>.outputs.<name> }}`",
                                      path=ctx.display, line=line, column=col)
                        continue
                    exists = name.lower() in jobs
                    what = ("" if exists else f" (and no job is called `{name}`"
                            + (f"; did you mean `{close[0]}`?)" if (close := close_matches(
                                name, list(jobs.values()), n=1)) else ")"))
                    needs = [*job_needs(job), jobs.get(name.lower(), name)]
                    yield Problem(f"job `{job_id}` reads `needs.{name}`, but `{name}` is not in its "
                                  f"`needs:`{what}, so the value is always empty",
                                  f"jobs:\n  {job_id}:\n    needs: [{', '.join(needs)}]"
                                  if exists else "name a job this job needs",
                                  path=ctx.display, line=line, column=col)
