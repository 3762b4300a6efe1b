"""Setup stays honest: the two quick-start commands, and pins that agree everywhere."""
from __future__ import annotations

import re
import tomllib

from ruamel.yaml import YAML

from .conftest import ROOT

# conda-forge spells a few packages differently from PyPI.
CONDA_NAMES = {}


def _pyproject_pins() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        specs.extend(extra)
    pins = {}
    for spec in specs:
        name, _, version = spec.partition("==")
        assert version, f"pyproject.toml: {spec!r} is not pinned with =="
        pins[name.strip().lower()] = version.strip()
    return pins


def _environment_pins() -> dict[str, str]:
    env = YAML(typ="safe").load((ROOT / "environment.yml").read_text())
    assert env["channels"] == ["conda-forge"]
    pins = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            continue
        name, _, version = dep.partition("=")
        if name in {"python", "pip", "git"}:
            continue
        pins[name.lower()] = version
    return pins


def test_environment_yml_and_pyproject_name_the_same_pinned_packages():
    pyproject = {CONDA_NAMES.get(k, k): v for k, v in _pyproject_pins().items()}
    assert _environment_pins() == pyproject


def test_core_packages_are_there():
    assert {"jupyterlab", "nbgrader", "ipywidgets", "pytest", "nbval"} <= set(_pyproject_pins())


def test_readme_quick_start_is_two_commands_and_ci_runs_the_second():
    readme = (ROOT / "README.md").read_text()
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", quick, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]
    assert commands == ["python3 course.py lab", "python3 course.py test"]
    ci = (ROOT / ".ci" / "run").read_text()
    assert "python3 course.py test" in ci
    assert "conda env create -f environment.yml" in readme


def test_console_script_and_module_entry_point():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["scripts"]["checkers"] == "checkers.cli:console"  # main, then the quick exit
    assert (ROOT / "checkers" / "__main__.py").exists()


def test_lab_copies_new_notebooks_and_never_overwrites_a_learners_work(tmp_path, monkeypatch):
    import importlib.util
    import shutil

    spec = importlib.util.spec_from_file_location("course_script", ROOT / "course.py")
    course = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(course)
    shutil.copytree(ROOT / "notebooks", tmp_path / "notebooks")
    monkeypatch.setattr(course, "ROOT", tmp_path)
    monkeypatch.setattr(course, "WORK", tmp_path / "my-notebooks")
    course.copy_new_notebooks()
    mine = next((tmp_path / "my-notebooks").glob("*/*.ipynb"))
    mine.write_text("my answers")
    course.copy_new_notebooks()
    assert mine.read_text() == "my answers"
    assert (tmp_path / "notebooks" / mine.parent.name / mine.name).read_text() != "my answers"
