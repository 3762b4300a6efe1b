"""Which checks a plain folder (not a git repository) could not get."""
from __future__ import annotations

from ..registry import Problem, rule
from .context import RepoContext


@rule("git-checks-skipped", severity="info", scope="repo", lesson="01-git-hygiene#what-goes-in-git")
def git_checks_skipped(ctx: RepoContext):
    """The folder is not a git repository, so the checks that need git did not run.

    What is tracked, what ``.gitignore`` ignores and what the history holds can only be told by
    git itself. In a plain folder the checker still runs the checks that need no git (layout,
    YAML syntax, secrets inside files) and lists the rules it skipped. Run ``git init`` (or check
    a clone) to get them all.
    """
    if ctx.is_git or not ctx.skipped:
        return
    yield Problem(
        "not a git repository; skipped: " + ", ".join(ctx.skipped),
        "run the checker on a git clone of the project, or `git init` this folder and commit it",
    )
