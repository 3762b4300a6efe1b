"""`course.py lab`: the learner's and the instructor's views, and updates that keep answers."""
from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path

import pytest

from .conftest import ROOT


@pytest.fixture
def course(tmp_path, monkeypatch):
    """course.py, pointed at a temporary copy of the release (and a .venv folder of its own)."""
    spec = importlib.util.spec_from_file_location("course_script", ROOT / "course.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    shutil.copytree(ROOT / "notebooks", tmp_path / "notebooks")
    (tmp_path / "docs").mkdir()
    shutil.copy2(ROOT / "docs" / "start-here.md", tmp_path / "docs")
    for name, value in {"ROOT": tmp_path, "WORK": tmp_path / "my-notebooks",
                        "VENV": tmp_path / ".venv", "EXCHANGE": tmp_path / "exchange",
                        "START_PAGE": tmp_path / "docs" / "start-here.md"}.items():
        monkeypatch.setattr(module, name, value)
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(tmp_path / "home-jupyter"))
    monkeypatch.delenv("JUPYTER_CONFIG_PATH", raising=False)
    return module


def _release(course) -> Path:
    return next((course.ROOT / "notebooks").glob("*/*.ipynb"))


def _new_release(release: Path) -> None:
    """What a fix to the course does: a graded cell changes, and nbgrader stamps a new checksum."""
    nb = json.loads(release.read_text())
    cell = next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade"))
    cell["source"] = "".join(cell["source"]) + "\n# fixed in the new release"
    cell["metadata"]["nbgrader"]["checksum"] = "0" * 32
    release.write_text(json.dumps(nb, indent=1))


def test_a_copy_from_an_older_release_gets_the_new_one_beside_it(course, capsys):
    course.copy_new_notebooks()
    release = _release(course)
    mine = course.WORK / release.parent.name / release.name
    nb = json.loads(mine.read_text())
    answer = next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("solution"))
    answer["source"] = "MY ANSWER = 42"
    mine.write_text(json.dumps(nb))
    mine_before = mine.read_bytes()

    course.copy_new_notebooks()  # the learner's answers alone are not a new release
    assert sorted(p.name for p in mine.parent.iterdir()) == [mine.name]

    _new_release(release)
    capsys.readouterr()
    course.copy_new_notebooks()
    assert mine.read_bytes() == mine_before
    beside = [p for p in mine.parent.iterdir() if p != mine]
    assert len(beside) == 1 and beside[0].read_bytes() == release.read_bytes()
    assert beside[0].name.startswith(f"{mine.stem}.release-") and beside[0].suffix == ".ipynb"
    said = capsys.readouterr().out
    assert "changed since you copied it" in said and beside[0].name in said and "untouched" in said

    course.copy_new_notebooks()  # once is enough: no second copy
    assert len(list(mine.parent.iterdir())) == 2
    # The learner moves to the new release: nothing more to offer.
    shutil.copy2(beside[0], mine)
    capsys.readouterr()
    course.copy_new_notebooks()
    assert "changed" not in capsys.readouterr().out


def test_an_unreadable_copy_is_left_alone(course):
    course.copy_new_notebooks()
    release = _release(course)
    mine = course.WORK / release.parent.name / release.name
    mine.write_text("my answers")
    _new_release(release)
    course.copy_new_notebooks()
    assert mine.read_text() == "my answers"
    assert len(list(mine.parent.iterdir())) == 1


def test_learner_view_hides_instructor_tools_and_opens_the_start_page(course):
    folder = course.jupyter_config(instructor=False)
    page = json.loads((folder / "labconfig" / "page_config.json").read_text())
    assert set(page["disabledExtensions"]) == set(course.INSTRUCTOR_PLUGINS)
    server = json.loads((folder / "jupyter_server_config.json").read_text())
    extensions = server["ServerApp"]["jpserver_extensions"]
    assert extensions["nbgrader.server_extensions.formgrader"] is False
    assert "nbgrader.server_extensions.validate_assignment" not in extensions  # Validate stays
    assert server["LabApp"]["default_url"] == "/lab/tree/my-notebooks/start-here.md"
    assert not (folder / "nbgrader_config.json").exists()
    course.copy_start_page()
    assert (course.WORK / "start-here.md").read_text() == course.START_PAGE.read_text()


def test_instructor_view_keeps_the_exchange_in_the_course(course):
    folder = course.jupyter_config(instructor=True)
    page = json.loads((folder / "labconfig" / "page_config.json").read_text())
    assert page["disabledExtensions"] == {}
    server = json.loads((folder / "jupyter_server_config.json").read_text())
    assert all(server["ServerApp"]["jpserver_extensions"].values())
    nbgrader = json.loads((folder / "nbgrader_config.json").read_text())
    assert nbgrader == {"Exchange": {"root": str(course.EXCHANGE)}}
    assert course.EXCHANGE.is_dir()


def test_instructor_view_keeps_an_exchange_configured_elsewhere(course, tmp_path):
    own = tmp_path / "home-jupyter"
    own.mkdir()
    (own / "nbgrader_config.py").write_text('c.Exchange.root = "/srv/nbgrader/exchange"\n')
    folder = course.jupyter_config(instructor=True)
    assert not (folder / "nbgrader_config.json").exists()
    assert course.own_exchange_config() == own / "nbgrader_config.py"


def test_the_plugins_the_learner_view_disables_exist():
    """A renamed nbgrader plugin would silently show again: the ids must be in its bundle."""
    share = Path(sys.prefix) / "share" / "jupyter" / "labextensions" / "@jupyter" / "nbgrader"
    if not share.is_dir():
        pytest.skip("nbgrader's lab extension is not installed in this environment")
    bundle = "".join(p.read_text(errors="replace") for p in (share / "static").glob("*.js"))
    spec = importlib.util.spec_from_file_location("course_script", ROOT / "course.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for plugin in module.INSTRUCTOR_PLUGINS:
        assert f'"{plugin}"' in bundle, plugin


def test_start_page_links_resolve_from_docs_and_from_the_learners_folder(course):
    """The start page says what a learner needs, and its links open from both places."""
    import re

    course.copy_new_notebooks()
    course.copy_start_page()
    text = course.START_PAGE.read_text()
    for needed in ("01 ·", "02 ·", "03 ·", "04 ·", "self-check", "Submitting", "instructor's guide",
                   "lab --instructor"):
        assert needed in text, needed
    readme_anchors = {re.sub(r"[^a-z0-9 -]", "", h.lower()).replace(" ", "-")
                      for h in re.findall(r"^#+ (.*)$", (ROOT / "README.md").read_text(), re.M)}
    links = re.findall(r"\]\(([^)#]+)(?:#([^)]+))?\)", text)
    assert links
    for folder in (course.START_PAGE.parent, course.WORK):
        for target, anchor in links:
            resolved = (folder / target).resolve()
            real = ROOT / resolved.relative_to(course.ROOT) if course.ROOT in resolved.parents \
                else resolved
            assert resolved.exists() or real.exists(), (folder, target)
            if target.endswith("README.md") and anchor:
                assert anchor in readme_anchors, anchor


def test_a_folder_that_cannot_be_prepared_is_one_line_not_a_traceback(course, capsys):
    course.WORK.write_text("not a folder")
    with pytest.raises(SystemExit) as stopped:
        course.lab([])
    assert stopped.value.code == 2
    said = capsys.readouterr().err.strip()
    assert said.startswith("course.py: cannot prepare the course:") and "\n" not in said
    assert course.WORK.read_text() == "not a folder"


def test_the_package_gets_bytecode_even_where_python_writes_none(course, monkeypatch):
    """Self-checks and grading sandboxes start a Python process per check and see the package
    read-only: without bytecode on disk each of them compiles every module it imports."""
    shutil.copytree(ROOT / "checkers", course.ROOT / "checkers",
                    ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    course.compile_bytecode()
    sources = sorted((course.ROOT / "checkers").rglob("*.py"))
    missing = [s for s in sources if not Path(importlib.util.cache_from_source(str(s))).exists()]
    assert sources and not missing

    module = course.ROOT / "checkers" / "records.py"
    cached = Path(importlib.util.cache_from_source(str(module)))
    before = cached.read_bytes()
    module.write_text(module.read_text() + "\n# edited\n")
    course.compile_bytecode()  # an edited module's bytecode is brought up to date
    assert cached.read_bytes() != before
