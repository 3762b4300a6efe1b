"""A whole class graded twice: plain `nbgrader autograde`, then `python -m checkers grade --workers 2`.

    .venv/bin/python benchmarks/classroom.py [--size 40] [--workers 2] [--in-flight K] [--single] [--rerun] [ASSIGNMENT...]
    .venv/bin/python benchmarks/classroom.py --together [--size 40] [--rerun] [ASSIGNMENT...]

For every assignment in solutions/ (or the named ones) it generates the release in a temporary
copy of the course and a class of SIZE submissions of mixed quality, made from the release and
the solution notebook by grade_id, so it works for every module: reference solutions, blank
hand-ins, partial ones, hostile ones (writing to the gradebook and the course, exiting the
kernel), deleted and edited graded cells, and one endless loop. It grades the same class with
plain nbgrader and with `checkers grade`, asserts identical scores, and prints both times and the
speed-up. `--single` also times `checkers grade --workers 1` (per-submission cost against plain
nbgrader's; each worker keeps `checkers grade`'s default of submissions in flight, 2, unless
`--in-flight K` says otherwise); `--rerun` a regrade of the same class with the workers (`--force`: it grades first
the submissions that took longest in the run before). Exits 1 when scores differ.

Without `--together`, each module is a course of its own, graded and compared on its own (a
per-module ratio). With `--together`, every module is one course, as an instructor has it: plain
nbgrader grades it the only way it can, one `nbgrader autograde MODULE` after another (each
timed), and `checkers grade` in one run over every module (the whole-run ratio).

Like for like: both grade without feedback (plain `autograde` makes none; `checkers grade` runs
with `--no-feedback`), and both load the same precompiled bytecode of the `checkers` package
(compiled once here first: a run must not pay, or be spared, compiling it). Wall times depend on
what else the machine runs, so each run also prints the load average and, where this process may
make a cpuacct cgroup (Linux cgroup v1, as root), the CPU time of everything the run started
(sandboxed kernels and checks included), which other users' load does not change.
"""
from __future__ import annotations

import argparse
import compileall
import contextlib
import copy
import functools
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent

HOSTILE = '''\
import os, pathlib
for _p in ["../../../gradebook.db", "../../../nbgrader_config.py", os.path.expanduser("~/x")]:
    try:
        with open(_p, "a") as _fh:
            _fh.write("tampered")
    except OSError:
        pass
'''


def _graded_ids(nb) -> tuple[dict, list[str]]:
    """{grade_id: cell} and the ids of the answer cells, in notebook order."""
    cells = {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells
             if c.metadata.get("nbgrader", {}).get("grade_id")}
    answers = [g for g, c in cells.items() if c.metadata["nbgrader"].get("solution")
               and not c.metadata["nbgrader"].get("grade")]
    return cells, answers


def submissions(course: Path, assignment: str, size: int) -> dict[str, dict[str, nbformat.NotebookNode]]:
    """{student: {notebook file name: notebook}} for a class of ``size``."""
    out: dict = {}
    for release_path in sorted((course / "notebooks" / assignment).glob("*.ipynb")):
        release = nbformat.read(release_path, as_version=4)
        solution = nbformat.read(course / "solutions" / assignment / release_path.name, as_version=4)
        sol_cells, answers = _graded_ids(solution)

        def solved(only=None, changes=None):
            nb = copy.deepcopy(release)
            cells, _ = _graded_ids(nb)
            for gid in answers if only is None else only:
                cells[gid].source = sol_cells[gid].source
            for gid, src in (changes or {}).items():
                cells[gid].source = src
            return nb

        half = answers[: len(answers) // 2]
        first, mid = answers[0], answers[len(answers) // 2]
        kinds = [
            ("solution", lambda: solved()),
            ("blank", lambda: copy.deepcopy(release)),
            ("partial", lambda: solved(only=half)),
            ("hostile", lambda: solved(changes={first: HOSTILE + sol_cells[first].source})),
            ("exiter", lambda: solved(changes={mid: "import os\nos._exit(0)\n"})),
            ("deleter", lambda: _without_first_test(solved())),
            ("editor", lambda: _edit_first_test(solved())),
        ]
        for n in range(size):
            if n == size - 1:
                name, nb = "zz-looper", solved(changes={mid: "while True:\n    pass\n"})
            else:
                kind, make = kinds[n % len(kinds)]
                name, nb = f"s{n:03d}-{kind}", make()
            out.setdefault(name, {})[release_path.name] = nb
    return out


def _without_first_test(nb):
    first = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade"))
    nb.cells.remove(first)
    return nb


def _edit_first_test(nb):
    first = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")
                 and c.cell_type == "code")
    first.source = "pass  # the learner emptied the test\n"
    return nb


def make_course(dest: Path, assignments: list[str], size: int) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "nbgrader_config.py", dest)
    shutil.copytree(ROOT / "solutions", dest / "solutions")
    for a in assignments:
        run(dest, [sys.executable, "-m", "nbgrader", "generate_assignment", a, "--force"])
        for student, notebooks in submissions(dest, a, size).items():
            folder = dest / "submitted" / student / a
            folder.mkdir(parents=True)
            for name, nb in notebooks.items():
                nbformat.write(nb, folder / name)
    return dest


def _end_with_parent(parent: int) -> None:
    """In the child: SIGTERM when this benchmark ends, even killed with SIGKILL (Linux)."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG
        if os.getppid() != parent:
            os.kill(os.getpid(), signal.SIGTERM)


CPUACCT = Path("/sys/fs/cgroup/cpuacct")


def _cpu_group() -> Path | None:
    """A fresh cpuacct cgroup (v1) for one run, or None where none can be made."""
    with contextlib.suppress(OSError):
        group = CPUACCT / f"classroom-bench-{os.getpid()}-{time.monotonic_ns()}"
        group.mkdir()
        if (group / "cpuacct.usage").is_file():
            return group
        group.rmdir()
    return None


def _start(parent: int, group: Path | None) -> None:
    if group is not None:  # everything the run starts is counted in this cgroup
        (group / "cgroup.procs").write_text(str(os.getpid()))
    _end_with_parent(parent)


def _sample(group: Path, stop, samples: list) -> None:
    """(monotonic time, CPU seconds of the run so far), every 50 ms until ``stop`` is set."""
    while not stop.is_set():
        with contextlib.suppress(OSError, ValueError):
            samples.append((time.monotonic(), int((group / "cpuacct.usage").read_text()) / 1e9))
        time.sleep(0.05)


def run(cwd: Path, argv: list[str], pids: list | None = None, env: dict | None = None,
        samples: list | None = None) -> tuple[float, float | None]:
    """Run one grading: (wall seconds, CPU seconds of all it started, or None); its pid is
    appended to ``pids``; with ``samples``, the run's CPU is sampled into it (``_sample``).
    Stopped (SIGTERM: `checkers grade` then stops its workers and kernels) when this benchmark
    is interrupted or killed, so nothing keeps grading."""
    import threading

    group = _cpu_group()
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, env=env,
                            preexec_fn=functools.partial(_start, os.getpid(), group))
    if pids is not None:
        pids.append(proc.pid)
    stop = threading.Event()
    if samples is not None and group is not None:
        threading.Thread(target=_sample, args=(group, stop, samples), daemon=True).start()
    try:
        _, err = proc.communicate()
    except BaseException:
        proc.terminate()
        proc.wait()
        raise
    took = time.perf_counter() - start
    cpu = None
    if group is not None:
        for _ in range(100):  # the last sandboxes may still be exiting
            with contextlib.suppress(OSError):
                if not (group / "cgroup.procs").read_text().split():
                    break
            time.sleep(0.05)
        stop.set()
        with contextlib.suppress(OSError, ValueError):
            cpu = int((group / "cpuacct.usage").read_text()) / 1e9
        with contextlib.suppress(OSError):
            group.rmdir()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv[2:5])} failed: {err.strip()[-800:]}")
    return took, cpu


def _cpu_text(cpu: float | None, took: float, size: int) -> str:
    if cpu is None:
        return "CPU not measured (no cpuacct cgroup)"
    return f"CPU {cpu:.0f} s ({cpu / size:.2f} s per submission, {cpu / took:.2f} cores busy)"


def scores(course: Path, assignment: str) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        return {s.student.id: s.score for s in gb.find_assignment(assignment).submissions}


def job_seconds(course: Path) -> str:
    """The median and longest grading time of one submission in a worker (seconds.json)."""
    import json
    import statistics

    with contextlib.suppress(OSError, ValueError):
        took = json.loads((course / ".grading" / "seconds.json").read_text()).values()
        return f"one submission {statistics.median(took):.1f} s (median), {max(took):.1f} s (longest)"
    return "no grading times"


def load() -> str:
    try:
        one, five, fifteen = Path("/proc/loadavg").read_text().split()[:3]
        return f"load average {one} {five} {fifteen}"
    except OSError:
        return "load average unknown"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignment", nargs="*")
    parser.add_argument("--size", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--in-flight", type=int, help="submissions each worker grades at once "
                        "(checkers grade --in-flight; default: its default)")
    parser.add_argument("--single", action="store_true", help="also time checkers grade --workers 1")
    parser.add_argument("--rerun", action="store_true", help="also time a regrade (--force) of the "
                        "same class with the workers, which grades first what took longest")
    parser.add_argument("--together", action="store_true", help="one course with every module: "
                        "plain nbgrader module after module, `checkers grade` in one run over all")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    os.environ["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), os.environ["PATH"]])
    assignments = args.assignment or sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir())
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    print(f"machine: {os.cpu_count()} CPUs; commit {commit or '?'} (+ uncommitted changes, if any)")
    # the same bytecode for every run (a fresh checkout has none, and sandboxes cannot write it)
    compileall.compile_dir(str(ROOT / "checkers"), quiet=1)
    print("both graders without feedback; the checkers package precompiled for both", flush=True)
    if args.together:
        return together(assignments, args)
    flight = in_flight(args)
    status = 0
    for a in assignments:
        with tempfile.TemporaryDirectory(prefix="classroom-bench-") as tmp:
            base = make_course(Path(tmp) / "base", [a], args.size)
            plain_course = Path(shutil.copytree(base, Path(tmp) / "plain"))
            before = load()
            plain, plain_cpu = run(plain_course, [sys.executable, "-m", "nbgrader", "autograde", a,
                                                  "--force"])
            print(f"{a}: {args.size} submissions; plain nbgrader autograde: {plain:.1f} s "
                  f"({plain / args.size:.2f} s per submission), "
                  f"{_cpu_text(plain_cpu, plain, args.size)} [{before} -> {load()}]", flush=True)
            runs = [("checkers grade", args.workers)] + ([("one worker", 1)] if args.single else [])
            for label, workers in runs:
                course = Path(shutil.copytree(base, Path(tmp) / f"w{workers}"))
                before = load()
                took, cpu = run(course, [sys.executable, "-m", "checkers", "grade", a, "--workers",
                                         str(workers), *flight, "--no-feedback"])
                same = scores(course, a) == scores(plain_course, a)
                status |= not same
                extra = (f", per-submission cost {took / plain:.2f}x plain nbgrader's (goal <= 1.2x)"
                         if workers == 1 else
                         f" (goal >= 1.8x on {workers} cores)")
                if cpu is not None and plain_cpu:
                    extra += f", CPU {cpu / plain_cpu:.2f}x plain's"
                print(f"{a}: {label} --workers {workers}: {took:.1f} s ({took / args.size:.2f} s "
                      f"per submission), speed-up {plain / took:.2f}x{extra}, "
                      f"{_cpu_text(cpu, took, args.size)}, {job_seconds(course)}, scores "
                      f"{'identical' if same else 'DIFFER'} [{before} -> {load()}]", flush=True)
                if not same:
                    p, c = scores(plain_course, a), scores(course, a)
                    print("  differ:", {s: (p.get(s), c.get(s)) for s in set(p) | set(c)
                                        if p.get(s) != c.get(s)})
                if workers > 1 and args.rerun:
                    # a regrade of the same class (--force): checkers grade orders it by the
                    # times of the run above (longest first); plain nbgrader has no such record
                    before = load()
                    took, cpu = run(course, [sys.executable, "-m", "checkers", "grade", a,
                                             "--workers", str(workers), *flight, "--no-feedback",
                                             "--force"])
                    same = scores(course, a) == scores(plain_course, a)
                    status |= not same
                    print(f"{a}: {label} --workers {workers} --force, again (longest first by the "
                          f"last run's times): {took:.1f} s, speed-up {plain / took:.2f}x over the "
                          f"plain run above, {_cpu_text(cpu, took, args.size)}, "
                          f"{job_seconds(course)}, scores "
                          f"{'identical' if same else 'DIFFER'} [{before} -> {load()}]", flush=True)
    return status


def in_flight(args) -> list[str]:
    """`--in-flight K` for checkers grade when the benchmark was given one, and a line saying so."""
    print(f"checkers grade: {args.in_flight or 'its default of'} submission(s) in flight per worker",
          flush=True)
    return ["--in-flight", str(args.in_flight)] if args.in_flight else []


def together(assignments: list[str], args) -> int:
    """Every module in one course: plain nbgrader one module after another, `checkers grade`
    once over all of them (and again with ``--force`` when ``args.rerun``)."""
    status = 0
    size = args.size * len(assignments)
    with tempfile.TemporaryDirectory(prefix="classroom-bench-") as tmp:
        base = make_course(Path(tmp) / "base", assignments, args.size)
        plain_course = Path(shutil.copytree(base, Path(tmp) / "plain"))
        plain, plain_cpu = 0.0, 0.0
        for a in assignments:
            before = load()
            took, cpu = run(plain_course, [sys.executable, "-m", "nbgrader", "autograde", a, "--force"])
            plain += took
            plain_cpu = None if cpu is None or plain_cpu is None else plain_cpu + cpu
            print(f"{a}: {args.size} submissions; plain nbgrader autograde: {took:.1f} s "
                  f"({took / args.size:.2f} s per submission), "
                  f"{_cpu_text(cpu, took, args.size)} [{before} -> {load()}]", flush=True)
        print(f"all {len(assignments)} modules, {size} submissions: plain nbgrader {plain:.1f} s "
              f"in all, {_cpu_text(plain_cpu, plain, size)}", flush=True)
        course = Path(shutil.copytree(base, Path(tmp) / "workers"))
        argv = [sys.executable, "-m", "checkers", "grade", *assignments, "--workers",
                str(args.workers), *in_flight(args), "--no-feedback"]
        for label, extra in [("one run", []), ("again (--force, longest first)", ["--force"])][
                : 2 if args.rerun else 1]:
            before = load()
            took, cpu = run(course, argv + extra)
            differ = [a for a in assignments if scores(course, a) != scores(plain_course, a)]
            status |= bool(differ)
            cpu_ratio = f", CPU {cpu / plain_cpu:.2f}x plain's" if cpu is not None and plain_cpu else ""
            print(f"all modules: checkers grade --workers {args.workers}, {label}: {took:.1f} s, "
                  f"speed-up {plain / took:.2f}x over plain nbgrader's {plain:.1f} s (goal >= 1.8x)"
                  f"{cpu_ratio}, {_cpu_text(cpu, took, size)}; {module_seconds(course)}; scores "
                  f"{'DIFFER in ' + ', '.join(differ) if differ else 'identical'} "
                  f"[{before} -> {load()}]", flush=True)
    return status


def module_seconds(course: Path) -> str:
    """Each module's share of the workers' time in a run over several (seconds.json)."""
    import json

    with contextlib.suppress(OSError, ValueError):
        took: dict = {}
        for key, value in json.loads((course / ".grading" / "seconds.json").read_text()).items():
            took.setdefault(key.split("/", 1)[0], []).append(value)
        return "worker seconds per module: " + ", ".join(
            f"{a} {sum(v):.0f} s (longest {max(v):.1f} s)" for a, v in sorted(took.items()))
    return "no grading times"


if __name__ == "__main__":
    sys.exit(main())
