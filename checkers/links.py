"""Where the documentation lives, on the web and in this checkout.

One place names the web address: ``[project.urls] Documentation`` in ``pyproject.toml`` (the
rules reference). The course's lessons are read from the same repository, so their address is
derived from it. ``CHECKERS_DOCS_URL`` points the rules' links at another copy of the reference.

Offline learners cannot reach the web address: :func:`local_link` finds the same page in the
checkout, as a path relative to the notebook's folder that JupyterLab opens in a tab.
"""
from __future__ import annotations

import functools
import os
import re
from pathlib import Path
from urllib.parse import quote

DISTRIBUTION = "git-cicd-ml-checkers"
RULES_PAGE = "docs/rules.md"
# The checkout this package was imported from (an editable install or a source tree); a
# package installed from an index has no pyproject.toml, docs/ or notebooks/ next to it.
CHECKOUT = Path(__file__).resolve().parent.parent
# A notebook's setup may change the kernel's folder (into a practice repository) after it
# imported checkers; links resolve from the notebook's own folder.
_IMPORTED_IN = os.getcwd()


def _from_pyproject() -> str | None:
    pyproject = CHECKOUT / "pyproject.toml"
    try:
        text = pyproject.read_text(encoding="utf-8")
    except OSError:
        return None
    if f'name = "{DISTRIBUTION}"' not in text:
        return None
    match = re.search(r'^Documentation\s*=\s*"([^"]+)"', text, re.M)
    return match.group(1) if match else None


def _from_metadata() -> str | None:
    from importlib.metadata import PackageNotFoundError, metadata

    try:
        entries = metadata(DISTRIBUTION).get_all("Project-URL") or []
    except PackageNotFoundError:
        return None
    for entry in entries:
        label, _, url = entry.partition(",")
        if label.strip().lower() == "documentation":
            return url.strip()
    return None


@functools.lru_cache(maxsize=None)
def documentation_url() -> str:
    """``pyproject.toml``'s Documentation address: the web copy of ``docs/rules.md``."""
    # The checkout's own file first: it is current even when the installed metadata is not.
    url = _from_pyproject() or _from_metadata()
    if not url or not url.endswith(RULES_PAGE):
        raise RuntimeError(f"{DISTRIBUTION}: pyproject.toml's Documentation URL must end with "
                           f"{RULES_PAGE!r}, found {url!r}")
    return url


def web_base() -> str:
    """The repository's web address for files, ending with ``/``."""
    return documentation_url()[: -len(RULES_PAGE)]


def rules_url() -> str:
    return os.environ.get("CHECKERS_DOCS_URL") or documentation_url()


def web_url(relpath: str) -> str:
    """A file of the course (``notebooks/...ipynb#section``) on the web."""
    return web_base() + relpath


def notebook_folder() -> Path:
    """The folder of the notebook this kernel serves (Jupyter Server tells the kernel its path)."""
    session = os.environ.get("JPY_SESSION_NAME", "")
    if os.path.isabs(session) and os.path.isdir(os.path.dirname(session)):
        return Path(os.path.dirname(session))
    return Path(_IMPORTED_IN)


def local_link(docs: str, cwd: str | os.PathLike | None = None) -> str | None:
    """The page behind the web address ``docs`` in this checkout, relative to ``cwd``.

    ``cwd`` defaults to the notebook's folder: JupyterLab resolves links in outputs from there.
    A lesson is the learner's own copy of the notebook when there is one (beside ``cwd``, or in
    ``my-notebooks/``). None where the checkout does not hold the page.
    """
    here = Path(cwd) if cwd else notebook_folder()
    rules = rules_url()
    if docs.startswith(rules):
        target, fragment = CHECKOUT / RULES_PAGE, docs[len(rules):].lstrip("#")
    elif docs.startswith(web_base()):
        relpath, _, fragment = docs[len(web_base()):].partition("#")
        target = CHECKOUT / relpath
        if target.suffix == ".ipynb":
            # The learner's own copy (course.py lab makes them), never the release to edit.
            mine = CHECKOUT / "my-notebooks" / target.parent.name / target.name
            for candidate in (here / target.name, mine):
                if candidate.is_file():
                    target = candidate
                    break
    else:
        return None
    if not target.is_file():
        return None
    try:
        relative = os.path.relpath(target, here)
    except ValueError:  # another drive (Windows)
        return None
    return quote(Path(relative).as_posix()) + (f"#{fragment}" if fragment else "")
