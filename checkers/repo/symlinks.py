"""Symbolic links that leave the repository."""
from __future__ import annotations

import os
import posixpath

from ..registry import Problem, rule
from .context import SYMLINK_MODE, RepoContext


@rule("symlink-outside-repo", severity="warning", scope="repo",
      lesson="01-git-hygiene#repository-layout")
def symlink_outside_repo(ctx: RepoContext):
    """A symbolic link in the project points outside it.

    A link such as ``data -> /mnt/shared/churn`` works on one machine only: on a teammate's clone
    or a CI runner it dangles, and it invites tools to read whatever it points to. The checker
    reads the link itself but never follows it. Reference data through an Azure ML data asset or
    datastore path instead, and keep links (if any) relative and inside the repository.
    """
    for entry in ctx.entries:
        if entry.mode != SYMLINK_MODE:
            continue
        try:
            target = os.readlink(ctx.root / entry.path)
        except OSError:
            continue
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(entry.path), target))
        if posixpath.isabs(target) or resolved == ".." or resolved.startswith("../"):
            yield Problem(
                f"`{ctx.display(entry.path)}` is a symbolic link to `{ctx.display(target)}`, "
                "outside the repository",
                "remove the link (`git rm` it) and reference the data through an Azure ML data "
                "asset or datastore path; keep any needed links relative and inside the repository",
                path=ctx.display(entry.path),
            )
