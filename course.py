#!/usr/bin/env python3
"""Set up the course and run it: the two commands of the README's quick start.

    python3 course.py lab     # set everything up, then open the course in JupyterLab
    python3 course.py test    # set everything up, then run the whole test suite

    python3 course.py lab --instructor   # JupyterLab with nbgrader's instructor tools

Needs only Python >= 3.10 and git. Everything is installed into ``.venv/`` next to this file
(pinned versions from ``pyproject.toml``); nothing touches your system Python or your global
git configuration. A second run reuses the environment unless ``pyproject.toml`` changed.
Extra arguments go to JupyterLab or pytest (``python3 course.py test -k gitignore``).

``lab`` opens the learner's view: the start page, and the learner's copies in ``my-notebooks/``,
without nbgrader's instructor tools. ``lab --instructor`` adds Formgrader, Create Assignment and
the Nbgrader menu, with the exchange in ``exchange/`` next to this file (unless your own Jupyter
configuration sets ``Exchange.root``). Each view's configuration is written to
``.venv/course-jupyter/<view>/`` and added to ``JUPYTER_CONFIG_PATH`` for that run only: your
own Jupyter configuration (``~/.jupyter``) is read as usual and never written.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".course-installed"
# Learners work on copies: notebooks/ stays as generated, and a course update never overwrites
# what a learner wrote.
WORK = ROOT / "my-notebooks"
# The course's start page; course.py puts a copy where the learner's file browser opens.
START_PAGE = ROOT / "docs" / "start-here.md"
EXCHANGE = ROOT / "exchange"
# nbgrader's front-end plugins (JupyterLab and Notebook 7) and server extensions that only an
# instructor needs: learners never see Formgrader, Create Assignment or the Nbgrader menu.
INSTRUCTOR_PLUGINS = [
    "@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
    "@jupyter/nbgrader:course-list", "@jupyter/nbgrader:assignment-list",
    "@jupyter/nbgrader:menu",
]
INSTRUCTOR_SERVER_EXTENSIONS = [
    "nbgrader.server_extensions.formgrader", "nbgrader.server_extensions.course_list",
    "nbgrader.server_extensions.assignment_list",
]


def fail(message: str) -> "NoReturn":  # noqa: F821
    print(f"course.py: {message}", file=sys.stderr)
    sys.exit(2)


def install_fingerprint() -> str:
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()


def setup() -> None:
    if sys.version_info < (3, 10):
        fail(f"Python >= 3.10 is needed, this is {sys.version.split()[0]}")
    if shutil.which("git") is None:
        fail("git is needed: install it first (https://git-scm.com/downloads)")
    if STAMP.exists() and STAMP.read_text() == install_fingerprint() and PYTHON.exists():
        return
    if not PYTHON.exists():
        print("course.py: creating .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True, clear=VENV.exists()).create(VENV)
    print("course.py: installing the course's pinned packages (about a minute the first time) ...",
          flush=True)
    run([str(PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "-e", f"{ROOT}[course,test]"])
    STAMP.write_text(install_fingerprint())


def copy_start_page() -> None:
    """Refresh my-notebooks/start-here.md: the course's own page, with no answers to keep."""
    WORK.mkdir(exist_ok=True)
    text = START_PAGE.read_text(encoding="utf-8")
    copy = WORK / START_PAGE.name
    if not copy.exists() or copy.read_text(encoding="utf-8") != text:
        copy.write_text(text, encoding="utf-8")


def copy_new_notebooks() -> None:
    """Copy each released notebook into my-notebooks/ unless the learner already has it.

    A copy made from an older release (its nbgrader cells differ from the release's) is never
    touched: the new release goes beside it, and the learner moves their answers across.
    """
    for release in sorted((ROOT / "notebooks").glob("*/*.ipynb")):
        mine = WORK / release.parent.name / release.name
        if not mine.exists():
            mine.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(release, mine)
            print(f"course.py: new notebook {mine.relative_to(ROOT)}", flush=True)
            continue
        released = release_fingerprint(release)
        if released is None or release_fingerprint(mine) in (released, None):
            continue
        beside = mine.with_name(f"{mine.stem}.release-{released}{mine.suffix}")
        if not beside.exists():
            shutil.copy2(release, beside)
        print(f"course.py: {release.relative_to(ROOT)} changed since you copied it. Your "
              f"{mine.relative_to(ROOT)} is untouched; the new release is beside it: "
              f"{beside.relative_to(ROOT)}. Copy your answers into the new one, then rename it to "
              f"{mine.name} (after renaming yours) so that it is the one you submit.", flush=True)


def release_fingerprint(notebook: Path) -> str | None:
    """A short hash of the notebook's nbgrader cells as released (ids and checksums).

    nbgrader stamps each graded, answer and locked cell with a checksum of its released source;
    a learner's edits change the source, never that stamp. None for an unreadable notebook.
    """
    try:
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    stamps = sorted(
        (str(meta.get("grade_id")), str(meta.get("checksum")))
        for cell in cells if isinstance(cell, dict)
        for meta in [(cell.get("metadata") or {}).get("nbgrader") or {}]
        if meta.get("grade_id"))
    return hashlib.sha256(json.dumps(stamps).encode()).hexdigest()[:8] if stamps else None


def jupyter_config(instructor: bool) -> Path:
    """Write the learner's or the instructor's Jupyter configuration; return its folder.

    Only Jupyter's documented, per-folder mechanisms: ``labconfig/page_config.json`` disables
    front-end plugins, ``jupyter_server_config.json`` server extensions and the lab's defaults,
    ``nbgrader_config.json`` the exchange. The folder goes on ``JUPYTER_CONFIG_PATH`` for this
    run, below the user's own configuration, which therefore still wins.
    """
    folder = VENV / "course-jupyter" / ("instructor" if instructor else "learner")
    server = {
        "ServerApp": {"jpserver_extensions": {
            name: instructor for name in INSTRUCTOR_SERVER_EXTENSIONS}},
        "LabApp": {
            # JupyterLab's own default_url wins over ServerApp's: the start page, with the file
            # browser in the learner's folder.
            "default_url": f"/lab/tree/{WORK.name}/{START_PAGE.name}",
            "app_settings_dir": str(folder / "lab-settings"),
        },
    }
    page = {"disabledExtensions": {name: True for name in INSTRUCTOR_PLUGINS if not instructor}}
    # Markdown pages (the start page, the rules reference) open rendered, not in the editor.
    # The lab asks nobody on the web for news or updates: the course runs offline.
    overrides = {
        "@jupyterlab/docmanager-extension:plugin": {
            "defaultViewers": {"markdown": "Markdown Preview"}},
        "@jupyterlab/apputils-extension:notification": {
            "fetchNews": "false", "checkForUpdates": False},
    }
    files = {
        "jupyter_server_config.json": server,
        "labconfig/page_config.json": page,
        "lab-settings/overrides.json": overrides,
    }
    if instructor and own_exchange_config() is None:
        EXCHANGE.mkdir(exist_ok=True)
        files["nbgrader_config.json"] = {"Exchange": {"root": str(EXCHANGE)}}
    shutil.rmtree(folder, ignore_errors=True)
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(content, indent=2) + "\n", encoding="utf-8")
    return folder


def own_exchange_config() -> Path | None:
    """The nbgrader configuration file, outside the course, that already sets Exchange.root.

    Our folder goes before the system's and the environment's on JUPYTER_CONFIG_PATH, so an
    exchange configured there (a shared classroom server) is kept by not writing ours at all.
    """
    user = os.environ.get("JUPYTER_CONFIG_DIR") or str(Path.home() / ".jupyter")
    extra = [p for p in os.environ.get("JUPYTER_CONFIG_PATH", "").split(os.pathsep) if p]
    folders = [user, *extra, str(VENV / "etc" / "jupyter"), "/usr/local/etc/jupyter",
               "/etc/jupyter"]
    for folder in folders:
        for name in ("nbgrader_config.py", "nbgrader_config.json"):
            path = Path(folder) / name
            try:
                text = path.read_text(encoding="utf-8")
            except OSError:
                continue
            if re.search(r"Exchange\W+root", text):
                return path
    return None


def lab(extra: list[str]) -> int:
    instructor = "--instructor" in extra
    extra = [arg for arg in extra if arg != "--instructor"]
    try:
        copy_new_notebooks()
        copy_start_page()
        config = jupyter_config(instructor)
    except OSError as error:  # a read-only or odd folder: say which, never a traceback
        fail(f"cannot prepare the course: {error}")
    env = venv_env()
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(
        p for p in (str(config), env.get("JUPYTER_CONFIG_PATH", "")) if p)
    cmd = [str(PYTHON), "-m", "jupyter", "lab", f"--ServerApp.root_dir={ROOT}", *extra]
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--allow-root" not in extra:
        cmd.append("--allow-root")  # containers often run as root; Jupyter refuses otherwise
    if instructor:
        exchange = own_exchange_config()
        print(f"course.py: instructor view (Formgrader, Create Assignment, the Nbgrader menu); "
              f"nbgrader's exchange: {f'as set in {exchange}' if exchange else EXCHANGE}",
              flush=True)
    else:
        print("course.py: learner view (instructors: python3 course.py lab --instructor)",
              flush=True)
    if os.name == "posix":
        # JupyterLab takes this process's place: Ctrl+C and a stop signal reach it, never an
        # orphaned server that goes on running.
        os.chdir(ROOT)
        os.execve(cmd[0], cmd, env)
    return subprocess.call(cmd, cwd=ROOT, env=env)


def compile_bytecode() -> None:
    """Write the checkers package's bytecode once, up to date with its sources.

    Every notebook self-check, grading sandbox and ``checkers`` command is a new Python process
    that imports the package. Without bytecode each one compiles every module it imports, every
    time: nothing writes it back when ``PYTHONDONTWRITEBYTECODE`` is set (as in many CI images),
    and the grading sandboxes see the package read-only. ``compileall`` skips what is current."""
    subprocess.call([str(PYTHON), "-m", "compileall", "-qq", str(ROOT / "checkers")],
                    cwd=ROOT, env=venv_env(), stdout=subprocess.DEVNULL)


def run(cmd: list[str]) -> None:
    code = subprocess.call(cmd, cwd=ROOT, env=venv_env())
    if code != 0:
        sys.exit(code)


def venv_env() -> dict[str, str]:
    env = dict(os.environ)
    # nbgrader runs the `alembic` program from the environment's bin/ when it creates a gradebook.
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(VENV)
    env.pop("PYTHONHOME", None)
    return env


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"lab", "test", "setup"}:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    command, extra = argv[0], argv[1:]
    setup()
    compile_bytecode()
    if command == "setup":
        return 0
    if command == "lab":
        return lab(extra)
    return subprocess.call([str(PYTHON), "-m", "pytest", *extra], cwd=ROOT, env=venv_env())


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
