"""workflow-retired-action: versions of GitHub's own actions that GitHub.com now refuses to run."""
from __future__ import annotations

from .. import regexcache
from ..registry import Problem, rule
from .context import WorkflowContext
from .walk import uses

LESSON = "02-github-actions"
# Tags and branches of a retired major version: v3, v3.1.2, v3-node20 (a SHA cannot be told apart
# offline, so a pinned commit is left alone rather than guessed at).
RETIRED_MAJOR = regexcache.compile(r"v?([0-9]+)(?:[.-].*)?")
RETIRED = {  # action: (newest retired major, the version to use, since when, what changes there)
    "actions/upload-artifact": (3, "v4", "2025-01-30",
                                "artifacts are immutable there: one upload per name and run"),
    "actions/download-artifact": (3, "v4", "2025-01-30",
                                  "it reads only what v4 uploaded: move the upload step too"),
}


@rule("workflow-retired-action", severity="error", scope="workflow", lesson=f"{LESSON}#jobs")
def workflow_retired_action(ctx: WorkflowContext):
    """A step uses a version of a GitHub action that GitHub.com no longer runs.

    GitHub retired v1, v2 and v3 of ``actions/upload-artifact`` and
    ``actions/download-artifact`` on 2025-01-30: a job that uses them fails on GitHub.com
    before its steps run ("This request has been automatically failed because it uses a
    deprecated version"), so the model a training job uploads never reaches the next job. An
    error. Use v4, whose artifacts are immutable and named once per run (two uploads with the
    same ``name`` fail: give each matrix job its own name)::

        - uses: actions/upload-artifact@v4
          with:
            name: model-${{ github.sha }}
            path: outputs/model.pkl

    GitHub Enterprise Server still runs the old versions; a commit SHA is not judged (nothing
    offline says which version it is).
    """
    if not ctx.ok:
        return
    for _job_id, job in ctx.jobs.items():
        for _, step in ctx.steps(job):
            action, ref = uses(step)
            retired = RETIRED.get(action)
            if retired is None or ref is None:
                continue
            match = RETIRED_MAJOR.fullmatch(ref)
            if match is None or int(match.group(1)) > retired[0]:
                continue
            newest, use, since, change = retired
            line, col = ctx.pos(step, "uses", value=True)
            yield Problem(f"`{action}@{ref}` is retired: GitHub.com fails every job that uses "
                          f"v{newest} or older (since {since})",
                          f"use `{action}@{use}` ({change})", path=ctx.display, line=line,
                          column=col)
