"""Grades an instructor can trust: a hostile class graded by real `nbgrader autograde` runs.

Every submission is built from the release notebook by editing cells found by their nbgrader
``grade_id``; answers are taken from the solution notebook's cells with the same ``grade_id``.
Hostile submissions are graded *before* the reference solution (students are graded in name
order), so any tampering that outlived its own submission would show in the solution's score.
"""
from __future__ import annotations

import copy
import errno
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pytest

from checkers.course import confine, integrity

from .conftest import ROOT, processes

ASSIGNMENT = "01-git-hygiene"
SOURCE = ROOT / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
NEEDS_SANDBOX = pytest.mark.skipif(confine.why_unavailable() is not None,
                                   reason=f"{confine.why_unavailable()}")

# Runs in the learner's kernel. Each attack is tried and its outcome ignored: the rest of the
# notebook must still run, so that the submission scores exactly what its answers earn.
REWRITE_COURSE = '''\
import pathlib, checkers
for _f in pathlib.Path(checkers.__file__).parent.rglob("*.py"):
    try:
        with open(_f, "a") as _fh:  # the attack of issue 7: code appended to the course's files
            _fh.write("\\nimport checkers.course.module01 as _m\\n"
                      "_m.CHECKS.update({k: (lambda a: __import__('checkers.findings').findings.Result())"
                      " for k in _m.CHECKS})\\n")
    except OSError:
        pass
try:
    pathlib.Path(checkers.__file__).with_name("course").joinpath("grade.py").write_text(
        "import json, sys\\nprint(json.dumps({'ok': True, 'findings': []}))\\n")
except OSError:
    pass
'''
# {course} is filled in: the worst case, a learner who knows where the instructor grades
WRITE_GRADEBOOK = '''\
import pathlib, sqlite3, subprocess
_course = pathlib.Path({course!r})
_db = _course / "gradebook.db"
try:
    _con = sqlite3.connect(_db)
    _con.execute("UPDATE grade SET auto_score = 100, manual_score = 100")
    _con.commit()
    _con.close()
except Exception:
    pass
try:
    with open(_db, "ab") as _fh:
        _fh.write(b"garbage")
except OSError:
    pass
for _other in [*_course.glob("autograded/*/*"), *_course.glob("submitted/*/*"), _course / "solutions"]:
    try:
        (_other / "pwned.txt").write_text("x")
    except OSError:
        pass
# answers stolen from the instructor's solutions (the course copy, and the checkout)
import json
for _nb in [*_course.glob("solutions/*/*.ipynb"), *pathlib.Path({checkout!r}).glob("solutions/*/*.ipynb")]:
    try:
        for _cell in json.loads(_nb.read_text())["cells"]:
            if _cell.get("metadata", {{}}).get("nbgrader", {{}}).get("grade_id") == "sort":
                exec("".join(_cell["source"]))
    except OSError:
        pass
# a process meant to outlive the kernel and tamper with later submissions
_mine = _course / "autograded" / "b-gradebook" / {assignment!r}
# links that nbgrader's unconfined steps would follow later: generate_feedback copies every
# other file of this folder into the feedback that goes back to the learner
import os
for _name, _target in [("gradebook.txt", _db), ("solutions", _course / "solutions"),
                       ("solution.txt", next(_course.glob("solutions/*/*.ipynb"), _db)),
                       ("passwd.txt", "/etc/passwd")]:
    try:
        os.symlink(_target, _mine / _name)
    except OSError:
        pass
try:
    os.mkfifo(_mine / "pipe")
except OSError:
    pass
subprocess.Popen(["sh", "-c", "while :; do date +%s%N >> lingering.txt; sleep 0.2; done"],
                 cwd=_mine, start_new_session=True)
'''
MONKEYPATCH = '''\
import checkers.course.module01 as _m, checkers.course.grade as _g
from checkers.findings import Result
for _name in [n for n in dir(_m) if n.startswith("check_")]:
    setattr(_m, _name, lambda *a, **k: Result())
    globals()[_name] = getattr(_m, _name)
_m.CHECKS.update({k: (lambda *a, **k: Result()) for k in _m.CHECKS})
_g.checks = lambda: _m.CHECKS
'''

# From a thread, the kernel sends "execute_result: 2" into whatever cell runs (nbgrader reads a
# number there as partial credit), and the answer is copied from the grader-only keys.
FAKE_CREDIT = '''\
import threading, time
_ip = get_ipython()
def _fake_credit():
    while True:
        try:
            _ip.kernel.session.send(_ip.kernel.iopub_socket, "execute_result",
                                    {"execution_count": 1, "data": {"text/plain": "2"}, "metadata": {}},
                                    parent=_ip.kernel.get_parent("shell"))
        except Exception:
            pass
        time.sleep(0.02)
threading.Thread(target=_fake_credit, daemon=True).start()
try:
    from checkers.course.keys.module01 import PLACE_OF, SECRET_ACTION
    WHERE = {k: v[0] if isinstance(v, tuple) else v for k, v in PLACE_OF.items()}
except Exception:
    WHERE = {}
'''


def nbgrader(course: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course,
                          capture_output=True, text=True, timeout=900)
    if check:
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


def by_id(nb) -> dict:
    return {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells if "nbgrader" in c.metadata}


@pytest.fixture(scope="module")
def generated(released) -> Path:
    """A course with the assignment generated once (and its gradebook), copied by each test."""
    return released(ASSIGNMENT)


def course_copy(generated: Path, tmp: Path) -> Path:
    shutil.copytree(generated, tmp)
    return tmp


def release_answers_points(course: Path) -> tuple[nbformat.NotebookNode, dict, dict]:
    """The release notebook, the solution's answer cells and the graded cells' points, by grade_id."""
    release = nbformat.read(course / "notebooks" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    answers = {gid: c.source for gid, c in by_id(nbformat.read(SOURCE, as_version=4)).items()
               if c.metadata["nbgrader"].get("solution")}
    points = {gid: c.metadata["nbgrader"]["points"] for gid, c in by_id(release).items()
              if c.metadata["nbgrader"].get("grade")}
    return release, answers, points


def submissions(course: Path) -> tuple[dict, dict]:
    """{student: notebook} and {student: the score its answers earn}."""
    release, answers, points = release_answers_points(course)
    total = sum(points.values())

    def solved(**changes) -> nbformat.NotebookNode:
        nb = copy.deepcopy(release)
        cells = by_id(nb)
        for gid, source in {**answers, **changes}.items():
            cells[gid].source = source
        return nb

    subs, earns = {}, {}
    # rewrites the course's files through checkers.__file__, wrong .gitignore
    subs["a-rewriter"] = solved(sort=REWRITE_COURSE + answers["sort"], gitignore='GITIGNORE = "*.pyc"\n')
    earns["a-rewriter"] = total - points["test-gitignore"]
    # writes to the gradebook and other submissions' folders, reads the solutions; no answer
    subs["b-gradebook"] = copy.deepcopy(release)
    by_id(subs["b-gradebook"])["sort"].source = WRITE_GRADEBOOK.format(
        course=str(course.resolve()), checkout=str(ROOT), assignment=ASSIGNMENT)
    earns["b-gradebook"] = 0
    # monkeypatches every check in the kernel; wrong answers, and a script that loops forever,
    # which only the grader's own (timed) run of the check meets
    subs["c-patcher"] = solved(
        sort=MONKEYPATCH + 'WHERE = {}\n', secret='SECRET_ACTION = "a"\n',
        branch='BRANCH_SCRIPT = r"""\nwhile :; do :; done\n"""\n')
    earns["c-patcher"] = total - sum(points[f"test-{g}"] for g in ("sort", "secret", "branch"))
    # os._exit(0) in exercise 4: what came before counts, the rest scores 0
    order = [gid for gid in by_id(release) if gid.startswith("test-")]
    after = order[order.index("test-layout"):]
    subs["d-exiter"] = solved(layout="import os\nos._exit(0)\n")
    earns["d-exiter"] = total - sum(points[g] for g in after)
    # an endless loop before exercise 3's answer is written
    subs["e-looper"] = solved(repair="while True:\n    pass\n" + answers["repair"])
    earns["e-looper"] = total - points["test-repair"]
    # deletes one graded cell and one answer cell, edits another graded cell to hand over a
    # right answer for a wrong one: nbgrader restores graded cells from the release
    editor = solved(sort='WHERE = {}\n')
    tests = by_id(editor)
    tests["test-sort"].source = ('import json\nprint("CHECKERS-ANSWER 01-sort", json.dumps('
                                 + repr(answers["sort"]) + '))\n')
    editor.cells = [c for c in editor.cells
                    if c.metadata.get("nbgrader", {}).get("grade_id") not in {"test-gitignore", "layout"}]
    subs["f-editor"] = editor
    earns["f-editor"] = total - points["test-sort"] - points["test-layout"]
    # fakes partial credit from a thread and reads the keys (hidden from the kernel: wrong)
    subs["g-faker"] = solved(sort=FAKE_CREDIT, gitignore='GITIGNORE = "*.pyc"\n')
    earns["g-faker"] = total - points["test-sort"] - points["test-gitignore"]
    subs["y-release"] = copy.deepcopy(release)  # handed in unchanged
    earns["y-release"] = 0
    subs["z-solution"] = solved()
    earns["z-solution"] = total
    return subs, earns


def scores(course: Path, students) -> dict:
    """Each student's score; None for a submission nbgrader could not grade at all."""
    from nbgrader.api import Gradebook, MissingEntry

    found = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student in students:
            try:
                found[student] = gb.find_submission(ASSIGNMENT, student).score
            except MissingEntry:
                found[student] = None
    return found


def tree_digest(*roots: Path) -> str:
    h = hashlib.sha256()
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                h.update(str(path).encode() + path.read_bytes())
    return h.hexdigest()


@NEEDS_SANDBOX
def test_hostile_class_changes_no_other_grade(generated, tmp_path, monkeypatch):
    course = course_copy(generated, tmp_path / "course")
    subs, earns = submissions(course)
    for student, nb in subs.items():
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{ASSIGNMENT}.ipynb")
    before = tree_digest(ROOT / "checkers", course / "solutions", course / "submitted")
    # this run's private folders only: other courses may be grading on the same machine
    parent = Path(tempfile.mkdtemp(prefix="gt-", dir="/tmp"))
    monkeypatch.setenv("CHECKERS_GRADING_TMP", str(parent))
    nbgrader(course, "autograde", ASSIGNMENT, "--force")
    assert not list(parent.iterdir())  # every private folder removed
    parent.rmdir()
    got = scores(course, subs)
    assert got == earns
    assert tree_digest(ROOT / "checkers", course / "solutions", course / "submitted") == before
    integrity.verify()
    own = course / "autograded" / "b-gradebook" / ASSIGNMENT
    assert [p.parent for p in course.rglob("pwned.txt")] == [own]  # its own folder only
    lingering = own / "lingering.txt"
    size = lingering.stat().st_size  # it ran while the kernel did ...
    time.sleep(1)
    assert lingering.stat().st_size == size  # ... and ended with it
    # the links and the FIFO it planted are gone before any unconfined step can follow them
    assert not [p for p in (course / "autograded").rglob("*") if p.is_symlink()
                or not (p.is_file() or p.is_dir())]
    nbgrader(course, "generate_feedback", ASSIGNMENT, "--student", "b-gradebook")
    feedback = course / "feedback" / "b-gradebook" / ASSIGNMENT
    assert sorted(p.name for p in feedback.iterdir()) == sorted(
        ["lingering.txt", "pwned.txt", f"{ASSIGNMENT}.html"])  # no gradebook, solutions, passwd


def test_grading_refuses_without_a_sandbox_unless_the_risk_is_accepted(generated, tmp_path):
    course = course_copy(generated, tmp_path / "course")
    release = course / "notebooks" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    folder = course / "submitted" / "kai" / ASSIGNMENT
    folder.mkdir(parents=True)
    shutil.copy(release, folder)
    refused = nbgrader(course, "autograde", ASSIGNMENT, "--GradingSandbox.bwrap=no-such-bwrap",
                       check=False)
    assert refused.returncode == 2
    line = [l for l in refused.stderr.splitlines() if l.startswith("autograde refused")]
    assert len(line) == 1 and "bubblewrap" in line[0] and confine.FLAG in line[0], refused.stderr
    assert "Traceback" not in refused.stderr
    assert not (course / "autograded" / "kai" / ASSIGNMENT).exists()  # a rerun grades it
    accepted = nbgrader(course, "autograde", ASSIGNMENT, "--GradingSandbox.bwrap=no-such-bwrap",
                        "--GradingSandbox.allow_unsandboxed=True")
    assert "WITHOUT a sandbox" in accepted.stdout + accepted.stderr
    assert scores(course, ["kai"]) == {"kai": 0}


def test_grading_code_matches_its_manifest():
    assert set(integrity.read_manifest()) == set(integrity.grading_files()), (
        f"run `{integrity.UPDATE}` and commit checkers/course/grading.sha256")
    integrity.verify()


def test_a_changed_grading_file_is_reported(tmp_path, monkeypatch):
    copy_root = tmp_path / "checkers"
    shutil.copytree(integrity.PACKAGE, copy_root, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(integrity, "PACKAGE", copy_root)
    monkeypatch.setattr(integrity, "MANIFEST", copy_root / "course" / "grading.sha256")
    integrity.verify()
    with open(copy_root / "course" / "grade.py", "a") as fh:
        fh.write("\n# appended by a submission\n")
    with pytest.raises(integrity.Tampered, match="checkers/course/grade.py"):
        integrity.verify()


@NEEDS_SANDBOX
def test_a_confined_grader_cannot_write_outside_its_private_folder(tmp_path):
    target = tmp_path / "outside.txt"
    proc = confine.run_confined(
        ["bash", "-c", f'echo x > "$TMPDIR/mine" && cat "$TMPDIR/mine"; echo y > {target}; '
                       f'ls {ROOT}/solutions; (exec 3<>/dev/tcp/127.0.0.1/22) 2>/dev/null || echo offline; '
                       f'(echo z > /tmp/z) 2>/dev/null || echo tmp-read-only; '
                       f'(echo z > {ROOT}/z) 2>/dev/null || echo course-read-only'],
        input="", timeout=30, confined=True)
    assert proc.stdout.splitlines()[0] == "x"
    assert "offline" in proc.stdout and not target.exists()
    assert "tmp-read-only" in proc.stdout and "course-read-only" in proc.stdout
    assert "01-git-hygiene" not in proc.stdout  # the course's solutions are hidden


def test_blocked_user_namespaces_are_reported_in_one_line(tmp_path):
    fake = tmp_path / "bwrap"
    fake.write_text("#!/bin/sh\necho 'bwrap: setting up uid map: Permission denied' >&2\nexit 1\n")
    fake.chmod(0o755)
    reason = confine.why_unavailable(str(fake))
    assert reason and "\n" not in reason and "uid map: Permission denied" in reason
    assert "not installed" in confine.why_unavailable(str(tmp_path / "missing"))
    with pytest.raises(confine.Unconfinable):
        confine.GradingSandbox(bwrap=str(fake)).usable()
    assert confine.GradingSandbox(bwrap=str(fake), allow_unsandboxed=True).usable() is False
    ready = subprocess.run([sys.executable, "-m", "checkers.course.confine"], capture_output=True,
                           text=True)
    assert ready.returncode == (confine.why_unavailable() is not None), ready.stdout


@NEEDS_SANDBOX
def test_the_kernel_does_not_see_the_answer_keys_but_the_grader_does(monkeypatch, request):
    keys = ROOT / "checkers" / "course" / "keys"
    if not keys.is_dir():  # before the keys package exists, a stand-in (not in /tmp: hidden)
        keys = Path(tempfile.mkdtemp(prefix="keys-", dir="/var/tmp")) / "keys"
        request.addfinalizer(lambda: shutil.rmtree(keys.parent, ignore_errors=True))
        keys.mkdir()
        (keys / "quiz.py").write_text("ANSWER = 'b'\n")
        monkeypatch.setattr(confine, "KEYS", keys)
    listing = ["ls", "-A", str(keys)]
    kernel = subprocess.run(confine.command(listing, hide_keys=True), capture_output=True, text=True)
    grader = subprocess.run(confine.command(listing, hide_keys=False), capture_output=True, text=True)
    assert kernel.returncode == 0 and kernel.stdout == ""
    assert grader.stdout.strip()


def test_the_cell_timeout_keeps_an_endless_loop_under_30_seconds():
    config = (ROOT / "nbgrader_config.py").read_text()
    namespace = {"get_config": lambda: _Anything(), "__file__": str(ROOT / "nbgrader_config.py")}
    exec(compile(config, "nbgrader_config.py", "exec"), namespace)
    assert namespace["CELL_TIMEOUT"] < 30
    assert "c.Execute.timeout = CELL_TIMEOUT" in config
    assert "c.RegradeOutsideKernel.timeout = CELL_TIMEOUT" in config


class _Anything:
    def __getattr__(self, name):
        value = _Anything()
        object.__setattr__(self, name, value)
        return value


def test_grades_csv_is_git_ignored():
    proc = subprocess.run(["git", "check-ignore", "-q", "grades.csv"], cwd=ROOT)
    assert proc.returncode == 0


def _can_add_users() -> str | None:
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "adding a user needs root"
    if not shutil.which("useradd") or not shutil.which("runuser"):
        return "useradd/runuser not installed"
    return None


@NEEDS_SANDBOX
@pytest.mark.skipif(_can_add_users() is not None, reason=f"{_can_add_users()}")
def test_a_non_root_instructor_grades_in_the_sandbox(generated, request):
    user = "course-grader"
    if subprocess.run(["id", user], capture_output=True).returncode:
        subprocess.run(["useradd", "--no-create-home", "--shell", "/bin/sh", user], check=True)
        request.addfinalizer(lambda: subprocess.run(["userdel", user], capture_output=True))
    # pytest's own temporary folders, and the suite's TMPDIR, are private to root
    shared = Path(tempfile.mkdtemp(prefix="course-grader-", dir="/tmp"))
    request.addfinalizer(lambda: shutil.rmtree(shared, ignore_errors=True))
    shared.chmod(0o755)
    course = course_copy(generated, shared / "course")
    subs, earns = submissions(course)
    picked = {s: subs[s] for s in ("a-rewriter", "z-solution")}
    for student, nb in picked.items():
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{ASSIGNMENT}.ipynb")
    (course / "home").mkdir()
    (course / "tmp").mkdir()
    subprocess.run(["chown", "-R", user, str(course)], check=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_CONFIG_GLOBAL")}
    env.update(HOME=str(course / "home"), TMPDIR=str(course / "tmp"))
    home = f"HOME={course / 'home'}"
    reason = subprocess.run(["runuser", "-u", user, "--", "env", home, sys.executable, "-c",
                             "from checkers.course.confine import why_unavailable as w; print(w())"],
                            capture_output=True, text=True, env=env, cwd=course)
    if reason.stdout.strip() != "None":
        pytest.skip(f"a non-root user cannot sandbox here: {reason.stdout.strip() or reason.stderr[-300:]}")
    proc = subprocess.run(["runuser", "-u", user, "--", "env", home, sys.executable, "-m", "nbgrader",
                           "autograde", ASSIGNMENT, "--force"], cwd=course, env=env,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert scores(course, picked) == {s: earns[s] for s in picked}
    integrity.verify()


# Runs in the learner's kernel: each attack on the grading machine is tried, what stopped it
# is written down, and the right answer follows. Bounded, so that a machine without the
# limits survives a failing run of this test.
HOG = '''\
import json, os, subprocess
_home = get_ipython().starting_dir  # its own folder (the setup cell moved into a practice repo)
_seen = {}
_kids = []
try:  # a fork bomb (bounded)
    for _ in range(1000):
        _kids.append(subprocess.Popen(["sleep", "60"]))
except OSError as _e:
    _seen["fork"] = type(_e).__name__
_seen["forks"] = len(_kids)
for _k in _kids:
    _k.kill()
    _k.wait()
try:  # all the memory it can get
    _big = bytearray(3 * 1024 ** 3)
    _seen["memory"] = "allocated"
    del _big
except MemoryError:
    _seen["memory"] = "MemoryError"
try:  # one huge file in its folder
    with open(os.path.join(_home, "big.bin"), "wb") as _fh:
        for _ in range(10):
            _fh.write(bytes(16 * 1024 ** 2))
    _seen["file"] = "written"
except OSError as _e:
    _seen["file"] = _e.errno
_seen["file_size"] = os.path.getsize(os.path.join(_home, "big.bin"))
os.remove(os.path.join(_home, "big.bin"))
_tmp = os.environ["TMPDIR"]
try:  # many files in TMPDIR
    for _n in range(40):
        with open(os.path.join(_tmp, f"fill{_n}"), "wb") as _fh:
            _fh.write(bytes(32 * 1024 ** 2))
    _seen["scratch"] = "filled"
except OSError as _e:
    _seen["scratch"] = _e.errno
for _name in os.listdir(_tmp):
    if _name.startswith("fill"):
        os.remove(os.path.join(_tmp, _name))
with open(os.path.join(_home, "limits.json"), "w") as _fh:
    json.dump(_seen, _fh)
'''
# Output far beyond the cell's budget (30 MB), into the grader's memory and the notebook, in a
# cell of its own. A fixed amount, not "for a second": how much a second prints depends on the
# machine's load, and the kernel itself loses a flush of hundreds of MB (a MemoryError in its
# output thread under the sandbox's memory limit), so a timed flood could deliver less than the
# budget and leave no note (one CI run: 172 kB).
FLOOD = '''\
import sys
for _ in range(300):
    sys.stdout.write("x" * 100000)
'''
# The cell's output arrives 6 s after its reply, as a large print's does on a busy machine: the
# kernel's output thread is held up just before it sends "idle" (nbclient's default wait is 4 s).
LATE_OUTPUT = '''\
import time
_k = get_ipython().kernel
_publish = _k._publish_status
def _late_idle(status, *args, **kwargs):
    if status == "idle":
        _k._publish_status = _publish
        _k.iopub_thread.schedule(lambda: time.sleep(6))
    return _publish(status, *args, **kwargs)
_k._publish_status = _late_idle
'''
# the grader's own run of this script (the check of exercise 6) meets a fork bomb (bounded)
BOMB_SCRIPT = 'BRANCH_SCRIPT = r"""\nfor i in $(seq 2000); do sleep 60 & done\nwait\n"""\n'
# reads the solutions through what nbgrader would copy in next to the notebook
READ_LINKED = '''\
import json, os
for _path in ["key.txt", "sols/01-git-hygiene.ipynb"]:
    try:
        for _cell in json.load(open(_path))["cells"]:
            if _cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
                exec("".join(_cell["source"]))
    except Exception:
        pass
'''


@NEEDS_SANDBOX
def test_resource_hogs_and_planted_links_cost_only_their_own_grade(generated, tmp_path):
    course = course_copy(generated, tmp_path / "course")
    release, answers, points = release_answers_points(course)
    total = sum(points.values())

    def hand_in(student, changes=None, blank=False):
        nb = copy.deepcopy(release)
        for gid, source in {**({} if blank else answers), **(changes or {})}.items():
            by_id(nb)[gid].source = source
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{ASSIGNMENT}.ipynb")
        return folder

    hand_in("h-hog", {"sort": HOG + answers["sort"], "gitignore": FLOOD + answers["gitignore"],
                      "branch": BOMB_SCRIPT})
    solution = course / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    linker = hand_in("l-linker", {"sort": READ_LINKED}, blank=True)
    (linker / "key.txt").symlink_to(solution)
    (linker / "sols").symlink_to(solution.parent)
    os.mkfifo(linker / "pipe")
    noted = course / "submitted" / "n-notelink" / ASSIGNMENT
    noted.mkdir(parents=True)
    (noted / f"{ASSIGNMENT}.ipynb").symlink_to(solution)  # the notebook itself is the solution
    hand_in("s-slow-output", {"sort": LATE_OUTPUT + answers["sort"]})
    hand_in("z-solution")

    proc = nbgrader(course, "autograde", ASSIGNMENT, "--force", check=False)
    graded = course / "autograded" / "h-hog" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    # The hog's own fork bomb (its try-it cell runs the script until the cell timeout) leaves
    # `sleep 60`s holding its sandbox's processes: a later graded cell of the hog that must fork
    # meanwhile is refused (BlockingIOError), and whether one does depends on the machine's
    # speed. That costs the hog only, and nothing else may cost it more than exercise 6.
    refused = {gid for gid, c in by_id(nbformat.read(graded, as_version=4)).items()
               if gid in points and gid != "test-branch"
               and any(o.get("ename") == "BlockingIOError" for o in c.get("outputs", []))}
    got = scores(course, ["h-hog", "l-linker", "s-slow-output", "z-solution"])
    hog = total - points["test-branch"] - sum(points[gid] for gid in refused)
    assert got == {"h-hog": hog, "l-linker": 0, "s-slow-output": total, "z-solution": total}, \
        proc.stderr[-3000:]
    assert refused <= {gid for gid in points if gid.startswith("test-quiz")}, refused
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        try:
            assert gb.find_submission(ASSIGNMENT, "n-notelink").score == 0
        except MissingEntry:
            pass
    assert graded.stat().st_size < 2 * 1024 ** 2 and "[grader] output beyond" in graded.read_text()
    seen = json.loads((course / "autograded" / "h-hog" / ASSIGNMENT / "limits.json").read_text())
    assert seen["memory"] == "MemoryError"
    assert seen["file"] == errno.EFBIG and seen["file_size"] == 64 * 1024 ** 2
    assert seen["scratch"] == errno.ENOSPC
    if any("pids" in p.parts for p in confine._cgroup_roots()):
        assert seen["fork"] == "BlockingIOError" and seen["forks"] < 128, seen
    # the links and the FIFO were removed before nbgrader's copy, with a line that says so
    assert not [p for p in course.rglob("*") if p.is_symlink() or not (p.is_file() or p.is_dir())]
    said = [ln for ln in proc.stderr.splitlines() if "l-linker 01-git-hygiene: removed" in ln]
    assert len(said) == 1 and all(n in said[0] for n in ("key.txt (a link to", "sols (", "pipe (a FIFO)"))
    assert "n-notelink 01-git-hygiene: removed 01-git-hygiene.ipynb" in proc.stderr
    assert sorted(p.name for p in (course / "autograded" / "l-linker" / ASSIGNMENT).iterdir()) == [
        f"{ASSIGNMENT}.ipynb"]


@NEEDS_SANDBOX
def test_a_batch_check_leaves_nothing_to_the_next_one(tmp_path):
    """One checking process grades a submission's answers; between two, what the previous
    check's scripts left behind (a process, files in HOME and TMPDIR) is gone."""
    script = '''
import os, subprocess, sys, time
from checkers.course import grade
daemon = subprocess.Popen(["sh", "-c", "while :; do sleep 0.1; done"], start_new_session=True)
for key in ("HOME", "TMPDIR"):
    open(os.path.join(os.environ[key], "left.txt"), "w").write("x")
os.makedirs(os.path.join(os.environ["TMPDIR"], "repo", ".git"))
os.environ["GIT_DIR"] = "/elsewhere"
grade._fresh_state(os.getcwd(), {k: v for k, v in os.environ.items() if k != "GIT_DIR"})
time.sleep(0.2)
print(daemon.poll() is not None, os.listdir(os.environ["HOME"]), os.listdir(os.environ["TMPDIR"]),
      "GIT_DIR" in os.environ)
'''
    env_flag = dict(os.environ, CHECKERS_GRADE_SANDBOXED="1")
    proc = confine.run_confined([sys.executable, "-c", script], input="", timeout=30, confined=True,
                                limits=confine.GradingLimits())
    assert proc.stdout.split() == ["True", "[]", "[]", "False"], proc.stderr[-2000:]
    # outside the sandbox's own pid namespace, --batch refuses (it would kill the grader's processes)
    outside = subprocess.run([sys.executable, "-I", "-m", "checkers.course.grade", "--batch"],
                             input="", capture_output=True, text=True, env=env_flag)
    assert outside.returncode == 2 and "only inside the grading sandbox" in outside.stderr


@NEEDS_SANDBOX
@pytest.mark.parametrize("stop", ["worker", "plain-nbgrader"])
def test_a_grader_told_to_stop_leaves_no_sandbox_even_while_one_starts(tmp_path, stop):
    """bubblewrap arms --die-with-parent only once it has started; a grading process stopped in
    between used to leave a sandbox running with no parent (one in five killed `checkers grade`
    runs). Stop graders at random moments of a sandbox's start: nothing may be left. A
    `checkers grade` worker ends its sandboxes in its own SIGTERM handler; plain `nbgrader
    autograde` gets one from the kernel manager (a job scheduler's SIGTERM)."""
    marker = f"left-by-{tmp_path.name}"
    script = '''
import os, random, signal, subprocess, sys, time
from checkers.course import confine, stopping

marker, rounds, stop = sys.argv[1], int(sys.argv[2]), sys.argv[3]
limits = confine.GradingLimits()
confine._sized_tmpfs("bwrap")  # the one-time probe of bubblewrap, before any stop can hit it

def grader():
    if stop == "worker":  # what checkers.course.classroom.worker installs
        stopping.end_sandboxes_on_sigterm(exit_code=143)
    else:  # what ConfinedKernelManager.start_kernel installs where SIGTERM is Python's default
        confine._end_sandboxes_on_sigterm()
    while True:
        private = confine.private_folder()
        with open("sandboxes.txt", "a") as log:
            print(private.name, file=log)
        cgroups = confine.sandbox_limits(limits, private)
        cmd = confine.command(["sh", "-c", "sleep 600; exit 0", marker], private=private,
                              hide_keys=False, limits=limits)
        proc = subprocess.Popen(cmd, start_new_session=True, stdin=subprocess.DEVNULL,
                                preexec_fn=confine._preexec(limits, cgroups))
        time.sleep(random.uniform(0, 0.02))
        if random.random() < 0.5:  # a submission graded: its sandbox ends, the next one starts
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            confine.release(private, cgroups)

def started():
    try:
        with open("sandboxes.txt") as log:
            return len(log.read().split())
    except FileNotFoundError:
        return 0

for _ in range(rounds):
    before = started()
    pid = os.fork()
    if pid == 0:
        grader()
    # under load a forked grader may not have begun a sandbox within the random delay: wait for
    # its first one to begin, so that every stop falls within a sandbox's start or life
    deadline = time.monotonic() + 30
    while started() == before and time.monotonic() < deadline:
        time.sleep(0.001)
    time.sleep(random.uniform(0, 0.05))
    os.kill(pid, signal.SIGTERM)
    os.waitpid(pid, 0)
'''
    env = dict(os.environ, CHECKERS_GRADING_TMP=str(tmp_path))
    subprocess.run([sys.executable, "-c", script, marker, "40", stop], check=True, timeout=300,
                   env=env, cwd=tmp_path)
    time.sleep(0.5)  # processes killed a moment ago may still be exiting
    left = [line for _, line, _ in processes() if marker in line]
    assert left == [], left[:4]
    started = (tmp_path / "sandboxes.txt").read_text().split()
    assert len(started) >= 40 and list(tmp_path.glob("grade-*")) == []  # private folders removed
    cgroups = [root / f"checkers-{name}" for root in confine._cgroup_roots() for name in started]
    assert [g for g in cgroups if g.exists()] == []


def test_a_cell_keeps_bounded_output_and_the_grade_it_earned():
    """Over GradingLimits.output_kb, printed text is dropped, with a note; the cell's first
    error, stderr text and result (what nbgrader grades a cell by) stay, shortened."""
    from nbgrader.utils import determine_grade
    from traitlets.config import Config

    config = Config()
    config.GradingLimits.output_kb = 1
    execute = confine.ExecuteToTheEnd(config=config)
    execute.clear_before_next_output = False  # what nbclient sets when it starts a notebook
    execute._budget = 1024

    def msg(kind, **content):
        return {"msg_type": kind, "content": content, "header": {"msg_type": kind},
                "parent_header": {"msg_id": "m"}, "metadata": {}}

    def graded(*last):
        execute._kept, execute._decisive, execute._noted = 0, set(), False
        cell = nbformat.v4.new_code_cell("check()", metadata={
            "nbgrader": {"grade": True, "points": 2, "grade_id": "test", "solution": False}})
        for m in [*[msg("stream", name="stdout", text="x" * 300) for _ in range(1000)], *last]:
            execute.output(cell.outputs, m, None, 0)
        return cell

    failed = graded(msg("error", ename="AssertionError", evalue="y" * 10 ** 6, traceback=["t" * 10 ** 6]))
    assert determine_grade(failed) == (0, 2.0)
    assert len(json.dumps(failed.outputs)) < 10_000
    assert "[grader] output beyond 1 KiB" in failed.outputs[-2].text
    assert determine_grade(graded(msg("stream", name="stderr", text="w" * 10 ** 6))) == (0, 2.0)
    partial = graded(msg("execute_result", data={"text/plain": "0.5"}, metadata={}, execution_count=1))
    assert determine_grade(partial) == (0.5, 2.0)  # nbgrader reads a result as points
    assert determine_grade(graded()) == (2.0, 2.0)
