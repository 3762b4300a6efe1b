"""The instructor's cycle with `python -m checkers grade`: release, collect an LMS zip, grade in
parallel (interrupted with Ctrl-C and continued), feedback, grades.csv, regrading.

A class of six, collected with a real `nbgrader zip_collect` from a zip named as Canvas names its
downloads, graded by real nbgrader workers in the sandbox. The 40-submission class and the
comparison with plain `nbgrader autograde` are in benchmarks/classroom.py.
"""
from __future__ import annotations

import copy
import csv
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import nbformat
import pytest

from checkers.course import confine, distribution

from .conftest import MODULES, ROOT, course_from, processes

A = "01-git-hygiene"
pytestmark = pytest.mark.skipif(confine.why_unavailable() is not None,
                                reason=f"{confine.why_unavailable()}")


def run(course: Path, *argv: str, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, *argv], cwd=course, capture_output=True, text=True,
                          timeout=900)
    if check:
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


def graded_cells(nb) -> dict:
    return {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("grade_id")}


def class_notebooks(course: Path) -> tuple[dict, dict]:
    """{Canvas file name: notebook} and {student: expected score}."""
    release = nbformat.read(course / "notebooks" / A / f"{A}.ipynb", as_version=4)
    solution = graded_cells(nbformat.read(ROOT / "solutions" / A / f"{A}.ipynb", as_version=4))
    points = {g: c.metadata["nbgrader"]["points"] for g, c in graded_cells(release).items()
              if c.metadata["nbgrader"].get("grade")}
    total = sum(points.values())

    def solved():
        nb = copy.deepcopy(release)
        for gid, cell in graded_cells(nb).items():
            if cell.metadata["nbgrader"].get("solution") and not cell.metadata["nbgrader"].get("grade"):
                cell.source = solution[gid].source
        return nb

    tests = list(points)
    deleter = solved()
    deleter.cells = [c for c in deleter.cells
                     if c.metadata.get("nbgrader", {}).get("grade_id") != tests[0]]
    editor = solved()
    graded_cells(editor)[tests[1]].source = "pass  # emptied\n"
    duplicator = solved()
    first_answer = next(c for c in duplicator.cells if c.metadata.get("nbgrader", {}).get("solution"))
    duplicator.cells.insert(duplicator.cells.index(first_answer), copy.deepcopy(first_answer))
    exiter = solved()
    order = [c.metadata["nbgrader"]["grade_id"] for c in exiter.cells
             if c.metadata.get("nbgrader", {}).get("grade_id")]
    answers = [g for g in order if g not in points]
    cut = answers[len(answers) // 2]
    graded_cells(exiter)[cut].source = "import os\nos._exit(0)\n"
    after = [g for g in order[order.index(cut):] if g in points]
    files = {
        f"adasolved_1_11_{A}.ipynb": solved(),
        f"benblank_late_2_12_{A}.ipynb": copy.deepcopy(release),
        f"cydeleter_3_13_{A}.ipynb": deleter,
        f"dieditor_4_14_{A}.ipynb": editor,
        f"eveexiter_5_15_{A}.ipynb": exiter,
        f"fydup_6_16_{A}.ipynb": duplicator,
    }
    expected = {"adasolved": total, "benblank": 0, "cydeleter": total,  # the restored test runs on right answers
                "dieditor": total, "eveexiter": total - sum(points[g] for g in after)}
    return files, expected


@pytest.fixture(scope="module")
def collected(released, tmp_path_factory) -> tuple[Path, dict]:
    """Released (every module) and collected from an LMS zip with `nbgrader zip_collect`."""
    course = course_from(released(*MODULES), tmp_path_factory.mktemp("classroom") / "course")
    files, expected = class_notebooks(course)
    archive = course / "downloaded" / A / "archive"
    archive.mkdir(parents=True)
    with zipfile.ZipFile(archive / "submissions.zip", "w") as zf:
        for name, nb in files.items():
            zf.writestr(name, nbformat.writes(nb))
    run(course, "-m", "nbgrader", "zip_collect", A)
    return course, expected


def test_release_builds_every_module_and_the_student_distribution(collected, tmp_path):
    course, _ = collected
    modules = sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir())
    for module in modules:
        assert list((course / "release" / module).glob("*.ipynb")) or \
            list((course / "notebooks" / module).glob("*.ipynb"))
    files = distribution.build(tmp_path / "out")
    assert not [f for f in files if f.startswith("solutions/")]


def test_zip_collect_maps_lms_file_names_to_students(collected):
    course, _ = collected
    got = sorted(p.parent.parent.name for p in (course / "submitted").glob(f"*/{A}/{A}.ipynb"))
    assert got == ["adasolved", "benblank", "cydeleter", "dieditor", "eveexiter", "fydup"]


def scores(course: Path) -> dict:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        return {s.student.id: s.score for s in gb.find_assignment(A).submissions}


def test_interrupted_grading_continues_and_the_cycle_completes(collected, tmp_path):
    course = Path(shutil.copytree(collected[0], tmp_path / "course"))
    expected = collected[1]
    # Ctrl-C as in a terminal: a shell starts background jobs with SIGINT ignored, and Python
    # keeps that (so would the grader, rightly), so a test run started with `&` must undo it
    proc = subprocess.Popen([sys.executable, "-m", "checkers", "grade", A, "--workers", "1"],
                            cwd=course, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    said = []
    for line in proc.stderr:  # the progress line of the first graded submission, then Ctrl-C
        said.append(line)
        if line.startswith("[1/"):
            proc.send_signal(signal.SIGINT)
            break
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    # one worker keeps two submissions in flight (the default --in-flight)
    assert "6 to grade with 1 worker(s), 2 submission(s) in flight each" in "".join(said)
    assert "run the same command again" in err
    with sqlite3.connect(course / "gradebook.db") as con:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    first = scores(course)
    assert 1 <= len(first) < 6

    # links and a FIFO planted in a hand-in (as `unzip` of an LMS download keeps them): removed
    # before nbgrader's copy would follow them into the graded folder
    planted = course / "submitted" / "benblank" / A
    (planted / "key.txt").symlink_to(ROOT / "solutions" / A / f"{A}.ipynb")
    os.mkfifo(planted / "pipe")

    rerun = run(course, "-m", "checkers", "grade", A, "--workers", "2", check=False)
    assert rerun.returncode == 1, rerun.stderr  # fydup cannot be graded: reported, not fatal
    assert f"{len(first)} already graded" in rerun.stderr
    got = scores(course)
    assert {s: got.get(s) for s in expected} == expected
    report = {ln.split()[0]: ln for ln in rerun.stdout.splitlines() if ln[:1].isalpha()}
    assert "removed key.txt (a link to" in report["benblank"] and "pipe (a FIFO)" in report["benblank"]
    assert sorted(p.name for p in planted.iterdir()) == [f"{A}.ipynb"]
    assert not (course / "autograded" / "benblank" / A / "key.txt").exists()
    assert "deleted graded cells" in report["cydeleter"]
    assert "edited graded cells" in report["dieditor"]
    assert "duplicated cells" in report["fydup"] and "failed" in report["fydup"]
    assert f"{expected['adasolved']:g}/" in report["adasolved"]
    # each grading's time is kept for the next run's order (fydup failed: it has one too)
    took = json.loads((course / ".grading" / "seconds.json").read_text())
    assert sorted(took) == sorted(f"{A}/{s}" for s in [*expected, "fydup"])

    with (course / "grades.csv").open() as fh:
        rows = {r["student_id"]: r for r in csv.DictReader(fh)}
    assert list(next(iter(rows.values()))) == ["student_id", "last_name", "first_name", "email",
                                              *sorted(p.name for p in (ROOT / "solutions").iterdir()
                                                      if p.is_dir()), "total"]
    assert float(rows["adasolved"][A]) == expected["adasolved"] == float(rows["adasolved"]["total"])

    hidden = hidden_test_lines()
    for student in expected:
        page = (course / "feedback" / student / A / f"{A}.html").read_text()
        assert not [h for h in hidden if h in page], student

    # regrading replaces every old grade, including one no longer produced (nbgrader's stale grade)
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        grade = gb.find_submission(A, "benblank").notebooks[0].grades[0]
        grade.auto_score, grade.manual_score = 99.0, 99.0
        gb.db.commit()
    again = run(course, "-m", "checkers", "grade", A, "--student", "benblank", "--force")
    assert "1 to grade" in again.stderr
    assert scores(course)["benblank"] == 0

    # another machine's share of the class, merged into a course that graded nothing itself
    here = Path(shutil.copytree(collected[0], tmp_path / "here"))
    merged = run(here, "-m", "checkers", "grade", "--merge", str(course / "gradebook.db"))
    assert "merged 5 submissions" in merged.stderr
    assert scores(here) == scores(course)
    skipped = run(here, "-m", "checkers", "grade", A, "--student", "adasolved")
    assert "1 already graded" in skipped.stderr


def hidden_test_lines() -> list[str]:
    lines = []
    for nb_path in (ROOT / "solutions" / A).glob("*.ipynb"):
        for cell in nbformat.read(nb_path, as_version=4).cells:
            inside = False
            for line in cell.source.splitlines():
                if "BEGIN HIDDEN TESTS" in line:
                    inside = True
                elif "END HIDDEN TESTS" in line:
                    inside = False
                elif inside and len(line.strip()) > 12:
                    lines.append(line.strip())
    assert lines
    return lines


def test_the_submissions_that_took_longest_last_time_are_graded_first():
    from checkers.course.classroom import Job, costliest_first

    jobs = [Job(A, s) for s in ("ana", "bo", "cy", "dee", "eli")]
    assert [j.student for j in costliest_first(jobs, {})] == ["ana", "bo", "cy", "dee", "eli"]
    # bo ran into the cell timeout last time; ana and eli were never graded in A: each counts
    # as a typical submission of A (the median, 5.0), and equal ones keep their order
    seconds = {f"{A}/bo": 21.0, f"{A}/cy": 4.0, f"{A}/dee": 5.0, f"{A}/eli": "?",
               "02-github-actions/ana": 99.0}
    assert [j.student for j in costliest_first(jobs, seconds)] == ["bo", "ana", "dee", "eli", "cy"]


def test_usage_errors_are_one_line(tmp_path):
    proc = run(tmp_path, "-m", "checkers", "grade", A, check=False)
    assert proc.returncode == 2 and "nbgrader_config.py" in proc.stderr
    assert "Traceback" not in proc.stderr
    for bad in (["--workers", "0"], ["--in-flight", "0"]):
        proc = run(tmp_path, "-m", "checkers", "grade", A, *bad, check=False)
        assert proc.returncode == 2 and "must be at least 1" in proc.stderr, bad


def test_grading_processes_skip_the_iri_grammars_and_still_validate_notebooks():
    """jsonschema loads rfc3987_syntax where it is installed, which builds grammars for about
    1 s of CPU; the coordinator and every worker (both start in classroom.main) skip it."""
    import importlib.util

    if importlib.util.find_spec("rfc3987_syntax") is None:
        pytest.skip("rfc3987_syntax is not installed here: nothing to skip")
    code = ("import sys; from checkers.course import classroom; classroom.main(['--help']); "
            "import nbformat; "
            f"nbformat.validate(nbformat.read({str(ROOT / 'notebooks' / A / f'{A}.ipynb')!r}, 4)); "
            "import jsonschema._format; print(sys.modules.get('rfc3987_syntax'))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.splitlines()[-1] == "None"


def grading_processes(course: Path) -> list[str]:
    """Command lines of running processes that name the course or work in it (workers,
    sandboxes, kernels: a kernel's command line names only its private folder)."""
    return [line for pid, line, cwd in processes() if pid != os.getpid() and cwd is not None
            and (str(course) in line or cwd == str(course) or cwd.startswith(f"{course}/"))]


@pytest.mark.parametrize("sig", [signal.SIGKILL])
def test_a_killed_grade_leaves_no_worker_or_kernel_running(collected, tmp_path, sig):
    course = Path(shutil.copytree(collected[0], tmp_path / "killed"))
    proc = subprocess.Popen([sys.executable, "-m", "checkers", "grade", A, "--workers", "2"],
                            cwd=course, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not [p for p in grading_processes(course) if "bwrap" in p and "ipykernel" in p]:
        assert proc.poll() is None and time.monotonic() < deadline, "no kernel started"
        time.sleep(0.1)
    proc.send_signal(sig)
    proc.wait()
    # the workers get SIGTERM from the kernel (Linux's parent-death signal) and end their
    # sandboxes at once, even one still starting; without it, they would finish the submission
    # at hand (seconds) first
    killed = time.monotonic()
    while grading_processes(course) and time.monotonic() < killed + 15:  # a loaded machine
        time.sleep(0.1)
    print(f"gone after {time.monotonic() - killed:.1f} s")
    assert grading_processes(course) == [], grading_processes(course)
    with sqlite3.connect(course / "gradebook.db") as con:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
