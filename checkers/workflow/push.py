"""A real ``git push``, answered as GitHub would: which workflows run, why, and what they run.

:func:`plan_push` reads one ref update of a local repository (typically a practice repo's bare
``origin``), with real git and read-only:

* the workflows are those of the pushed commit (``.github/workflows/*.yml`` in its tree), as
  GitHub reads them for a push;
* the changed files follow "Git diff comparisons" (workflow syntax, github/docs): a push to an
  existing branch is a two-dot diff of the old and new heads; a push that creates a branch is a
  two-dot diff "against the parent of the ancestor of the deepest commit pushed" (the oldest
  commit no other ref already had); a new branch that brings no new commit changes no file;
  a push of more than 1,000 commits runs the workflow whatever its path filter says;
* each workflow gets a :func:`checkers.workflow.plan.plan` for that push.

``python -m checkers.workflow.push`` is a ``post-receive`` hook body: it reads git's
``<old> <new> <ref>`` lines on stdin and prints the answer, which ``git push`` shows as
``remote:`` lines. Nothing is sent anywhere.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..repo.gitcmd import GitError, git
from .plan import Plan, plan

ZERO = "0" * 40
WORKFLOW_DIR = ".github/workflows"


@dataclass
class Push:
    ref: str
    before: str | None
    after: str
    changed: list[str]
    plans: dict[str, Plan] = field(default_factory=dict)
    note: str = ""
    commits: int | None = None

    @property
    def running(self) -> list[str]:
        """The workflow files this push starts."""
        return [name for name, p in self.plans.items() if p.runs]

    def text(self) -> str:
        what = self.ref.replace("refs/heads/", "branch ").replace("refs/tags/", "tag ")
        out = [f"Push to {what} ({self.after[:12]}), as GitHub would see it (nothing is sent):"]
        if self.note:
            out.append(self.note)
        shown = ", ".join(self.changed[:5]) + (f" and {len(self.changed) - 5} more"
                                               if len(self.changed) > 5 else "")
        out.append(f"changed files: {shown or 'none'}")
        if not self.plans:
            out.append(f"No workflow in {WORKFLOW_DIR}/ at this commit, so nothing runs.")
        for name, p in self.plans.items():
            out.append("")
            out.append(f"== {WORKFLOW_DIR}/{name}: {'runs' if p.runs else 'does not run'}")
            out.append(p.text() if p.runs else "\n".join(f"- {line}" for line in p.why))
        return "\n".join(out)

    def __str__(self) -> str:
        return self.text()

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(self.text())


def _lines(repo: Path, *args: str) -> list[str]:
    return [line for line in git(repo, *args).decode("utf-8", "replace").splitlines() if line]


def _commit(repo: Path, rev: str) -> str:
    return git(repo, "rev-parse", "--verify", "--end-of-options", f"{rev}^{{commit}}"
               ).decode().strip()


def changed_files(repo: Path, ref: str, before: str | None, after: str
                  ) -> tuple[list[str], str, int]:
    """The files GitHub compares for this push, a sentence when the rule needs one, and how
    many commits the push brings (those the ref, or for a new ref every other ref, lacked)."""
    diff = ("diff", "--no-ext-diff", "--no-textconv", "--no-renames", "--name-only", "-z")
    if before and before != ZERO:
        out = git(repo, *diff, before, after, "--")
        commits = int(git(repo, "rev-list", "--count", after, "--not", before, "--").decode())
        return [f for f in out.decode("utf-8", "replace").split("\0") if f], "", commits
    others = [r for r in _lines(repo, "for-each-ref", "--format=%(refname)") if r != ref]
    new = _lines(repo, "rev-list", "--topo-order", "--reverse", after, "--not", *others)
    if not new:
        return [], ("The push creates the ref at a commit other refs already have: no new "
                    "commit, so no changed file."), 0
    parents = _lines(repo, "rev-list", "--parents", "-n", "1", new[0])[0].split()[1:]
    if parents:
        base, note = parents[0], (f"A new ref: compared with the parent of its oldest new "
                                  f"commit {new[0][:12]}.")
    else:  # the history starts here: every file of the pushed commit is new
        base = git(repo, "hash-object", "-t", "tree", "/dev/null").decode().strip()
        note = "A new ref whose history starts in this push: every file counts as changed."
    out = git(repo, *diff, base, after, "--")
    return [f for f in out.decode("utf-8", "replace").split("\0") if f], note, len(new)


def _workflows(repo: Path, commit: str) -> dict[str, str]:
    entries = git(repo, "ls-tree", "-z", commit, "--", WORKFLOW_DIR + "/").decode(
        "utf-8", "replace").split("\0")
    found = {}
    for entry in entries:
        if not entry or "\t" not in entry:
            continue
        meta, path = entry.split("\t", 1)
        kind = meta.split()[1]
        name = PurePosixPath(path).name
        if kind == "blob" and name.endswith((".yml", ".yaml")):
            blob = git(repo, "cat-file", "blob", meta.split()[2])
            found[name] = blob[: 2 * 1024 * 1024].decode("utf-8", "replace")
    return dict(sorted(found.items()))


def plan_push(repo, ref: str, after: str | None = None, before: str | None = None, *,
              repository: str | None = None, run_number: int | None = None,
              variables: dict | None = None) -> Push:
    """What GitHub would run for the push of ``ref`` (``refs/heads/B``, ``refs/tags/T`` or a
    branch name) from ``before`` (None or all zeros: a new ref) to ``after`` (default: where the
    ref points now) in the repository at ``repo``. Raises GitError when git cannot answer."""
    repo = Path(repo)
    if not ref.startswith("refs/"):
        ref = f"refs/heads/{ref}"
    after = _commit(repo, after or ref)
    changed, note, commits = changed_files(repo, ref, before, after)
    push = Push(ref, before if before != ZERO else None, after, changed, note=note,
                commits=commits)
    if ref.startswith("refs/heads/"):
        where = {"branch": ref[len("refs/heads/"):]}
    elif ref.startswith("refs/tags/"):
        where = {"tag": ref[len("refs/tags/"):]}
    else:
        push.note = f"{ref} is neither a branch nor a tag: GitHub starts no push workflow for it."
        return push
    for name, text in _workflows(repo, after).items():
        push.plans[name] = plan(text, "push", sha=after, changed=changed, repo=repository,
                                run_number=run_number, variables=variables,
                                commits=push.commits, **where)
    return push


def receive(repo, lines, repository: str | None = None) -> str:
    """The answer to git's ``post-receive`` input (``<old> <new> <ref>`` per line)."""
    out = []
    for line in lines:
        parts = line.split()
        if len(parts) != 3:
            continue
        old, new, ref = parts
        if new == ZERO:
            out.append(f"{ref} deleted: a deletion starts no push workflow.")
            continue
        out.append(plan_push(repo, ref, new, old, repository=repository).text())
    return "\n\n".join(out)


def main() -> int:
    """``post-receive`` hook body: never fails the push, only explains it."""
    repo = Path(os.environ.get("GIT_DIR", ".")).resolve()
    try:
        print(receive(repo, sys.stdin.read().splitlines(),
                      os.environ.get("CHECKERS_REPOSITORY")))
    except (GitError, ValueError, OSError) as exc:
        print(f"checkers: cannot read the push: {exc}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
