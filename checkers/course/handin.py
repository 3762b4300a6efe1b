"""A submission holds plain files and folders only: links and special files are removed before grading.

nbgrader copies ``submitted/<student>/<assignment>/`` into ``autograded/`` with ``shutil.copy``,
which follows symbolic links: a submission holding ``key.txt -> ../../../solutions/...`` (an LMS
zip unpacked with ``unzip`` keeps links; so does a shared exchange folder) would get the
solutions, the gradebook or any file the grader can read copied in next to the notebook, where
the kernel reads it, and ``generate_feedback`` would hand it back to the learner. A FIFO would
stop the copy, and a device file (``/dev/zero``, kept by ``tar`` run as root) would fill the disk.

:func:`strip_submission` is nbgrader's ``Autograde.pre_convert_hook`` (``nbgrader_config.py``):
it runs for each submission right before that copy, removes every link and special file of the
submission (a link to the submission's whole folder, too: nothing of it is graded then) and says
so on one line per submission. ``python -m checkers grade`` does the same before it grades and
shows the line in its summary. :class:`checkers.course.integrity.CheckGradingCode` refuses a
submission that still holds one (nbgrader ignores a hook that fails).
"""
from __future__ import annotations

import os
import stat
import sys
from pathlib import Path


def _kind(path: Path) -> str | None:
    """None for a plain file or folder, else what it is."""
    mode = path.lstat().st_mode
    if stat.S_ISLNK(mode):
        return f"a link to {os.readlink(path)}"
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device file"
    return "a special file"


def unsafe(folder: Path, top: Path | None = None) -> list[tuple[Path, str]]:
    """(path, what it is) for every link or special file in ``folder``, the folder itself and
    its parents up to ``top`` (``submitted/``) included; links are never followed."""
    found = []
    here = folder
    while top is not None and here != top and top in here.parents:
        kind = _kind(here) if os.path.lexists(here) else None
        if kind:
            found.append((here, kind))
        here = here.parent
    if found:
        return found
    for dirpath, dirnames, filenames in os.walk(folder):  # never follows links
        for name in [*dirnames, *filenames]:
            path = Path(dirpath) / name
            kind = _kind(path)
            if kind:
                found.append((path, kind))
        dirnames[:] = [d for d in dirnames if not (Path(dirpath) / d).is_symlink()]
    return found


def strip(folder: Path, top: Path | None = None) -> list[str]:
    """Remove what :func:`unsafe` finds; one note per removed entry."""
    notes = []
    for path, kind in unsafe(folder, top):
        path.unlink()
        if folder in path.parents:
            shown = path.relative_to(folder)
        elif top is not None and top in path.parents:
            shown = f"submitted/{path.relative_to(top)}"
        else:
            shown = path
        notes.append(f"removed {shown} ({kind}): not graded")
    return notes


def strip_submission(assignment: str, student: str, notebooks: list[str]) -> None:
    """nbgrader's ``Autograde.pre_convert_hook``: called before the submission is copied."""
    if not notebooks:
        return
    folder = Path(os.path.abspath(notebooks[0])).parent  # submitted/<student>/<assignment>
    top = folder.parent.parent
    notes = strip(folder, top)
    if notes:  # the arguments may be globs ("*" for every student): the folder names them
        print(f"[autograde] {folder.parent.name} {folder.name}: {'; '.join(notes)}",
              file=sys.stderr, flush=True)
