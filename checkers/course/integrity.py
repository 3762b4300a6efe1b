"""The grading code's integrity: loaded and checked against its manifest before any submission runs.

``grading.sha256`` (next to this file, ``sha256sum`` format) lists every Python file of the
``checkers`` package with its hash. :class:`CheckGradingCode` is the first autograde
preprocessor: before the first submission runs it loads the grading code, checks its files
against the manifest and checks that submissions can be sandboxed; before each later
submission it checks that nothing changed since. Either failure stops grading with one line.

After changing the grading code, update the manifest (a test fails until you do)::

    python -m checkers.course.integrity --update
"""
from __future__ import annotations

import hashlib
import os
import shutil
import sys
from pathlib import Path

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

PACKAGE = Path(__file__).resolve().parent.parent
MANIFEST = Path(__file__).with_name("grading.sha256")
UPDATE = "python -m checkers.course.integrity --update"


class Tampered(RuntimeError):
    pass


def grading_files() -> list[str]:
    """Every Python file of the package: checks load rules lazily, so all of it is grading code."""
    return sorted(p.relative_to(PACKAGE.parent).as_posix() for p in PACKAGE.rglob("*.py")
                  if "__pycache__" not in p.parts)


def digest(relpath: str) -> str:
    return hashlib.sha256((PACKAGE.parent / relpath).read_bytes()).hexdigest()


def read_manifest() -> dict[str, str]:
    entries = {}
    for line in MANIFEST.read_text().splitlines():
        if line.strip():
            hexdigest, relpath = line.split(maxsplit=1)
            entries[relpath.lstrip("*")] = hexdigest
    return entries


def current(relpaths) -> dict[str, str | None]:
    return {p: digest(p) if (PACKAGE.parent / p).is_file() else None for p in relpaths}


def verify() -> dict[str, str]:
    """The manifest's hashes, once every listed file matches them; else :class:`Tampered`."""
    try:
        expected = read_manifest()
    except (OSError, ValueError) as exc:
        raise Tampered(f"grading code: cannot read {MANIFEST.name} ({exc})") from None
    differ = [p for p, h in current(expected).items() if h != expected[p]]
    if differ:
        raise Tampered(f"grading code differs from {MANIFEST.name}: {', '.join(differ[:5])} "
                       f"(changed on purpose? run `{UPDATE}`; else restore it from git)")
    return expected


def write_manifest() -> None:
    files = grading_files()
    MANIFEST.write_text("".join(f"{digest(p)}  {p}\n" for p in files))


class CheckGradingCode(Preprocessor):
    """First autograde preprocessor: integrity and sandbox checks, before the submission runs."""

    enabled = Bool(True).tag(config=True)
    _verified: dict[str, str] | None = None  # the hashes checked before the first submission

    def preprocess(self, nb, resources):
        from .confine import GradingSandbox, Unconfinable

        try:
            if CheckGradingCode._verified is None:
                __import__("checkers.course.grade").course.grade.checks()  # load it all now
                CheckGradingCode._verified = verify()
                if not GradingSandbox(parent=self).usable():
                    self.log.warning("grading WITHOUT a sandbox (allow_unsandboxed): submissions "
                                     "can change the course and other grades")
            elif current(CheckGradingCode._verified) != CheckGradingCode._verified:
                raise Tampered("grading code changed on disk during grading: stopped (a "
                               "submission graded without a sandbox may have changed it)")
        except (Tampered, Unconfinable) as exc:
            from .confine import FLAG

            hint = f"; to grade anyway, accepting the risk: {FLAG}" if isinstance(exc, Unconfinable) else ""
            print(f"autograde refused: {exc}{hint}", file=sys.stderr, flush=True)
            _forget_unfinished(resources)
            raise SystemExit(2) from None
        self.refuse_links(resources)
        return nb, resources

    def refuse_links(self, resources) -> None:
        """This submission only: refused when it still holds a link or a special file (the
        pre-convert hook that removes them did not run, or failed: nbgrader ignores that)."""
        from nbgrader.coursedir import CourseDirectory

        from .handin import unsafe

        names = (resources or {}).get("nbgrader", {})
        if not names.get("student") or not names.get("assignment"):
            return
        coursedir = CourseDirectory(config=self.config)
        top = Path(coursedir.format_path(coursedir.submitted_directory, ".", ".")).resolve()
        folder = top / names["student"] / names["assignment"]
        left = unsafe(folder, top) if os.path.lexists(folder) else []
        if left:
            what = "; ".join(f"{p.relative_to(top) if top in p.parents else p} ({kind})"
                             for p, kind in left[:5])
            raise RuntimeError(f"not graded: the submission holds links or special files ({what}); "
                               "set c.Autograde.pre_convert_hook = "
                               "'checkers.course.handin.strip_submission' in nbgrader_config.py")


def _forget_unfinished(resources) -> None:
    """Remove the folder nbgrader made for this submission, so that a rerun grades it
    (as nbgrader itself does with a submission that failed)."""
    folder = Path((resources or {}).get("metadata", {}).get("path") or ".").resolve()
    names = (resources or {}).get("nbgrader", {})
    if folder.name == names.get("assignment") and folder.parent.name == names.get("student"):
        shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv == ["--update"]:
        write_manifest()
        print(f"wrote {MANIFEST.relative_to(PACKAGE.parent)}")
        return 0
    if argv:
        print(f"usage: {UPDATE.replace(' --update', '')} [--update]", file=sys.stderr)
        return 2
    try:
        verify()
    except Tampered as exc:
        print(exc, file=sys.stderr)
        return 1
    print("grading code matches its manifest")
    return 0


if __name__ == "__main__":
    sys.exit(main())
