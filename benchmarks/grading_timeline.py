"""Where `checkers grade` leaves the CPU idle: a per-worker timeline of one grading, and the idle
core-seconds of the run attributed to what each worker (and the coordinator) was doing.

    .venv/bin/python benchmarks/grading_timeline.py [ASSIGNMENT] [--size 40] [--workers 2] [--keep DIR]

Builds the class of benchmarks/classroom.py (or reuses ``--keep DIR`` when it holds one), then
runs `python -m checkers grade ASSIGNMENT --workers N --no-feedback` in a cpuacct cgroup (cgroup
v1, as root; sampled every 50 ms) with its phases timed in every process: nbgrader's autograde,
the kernel's start in the sandbox, the client's wait until the kernel is ready (jupyter_client's
IOPub wait included), each cell, the kernel's end, the out-of-kernel check, the gradebook writes
(worker and coordinator), the coordinator's start and end (jobs, gradebook checks, grades.csv).
The timing wraps functions of the grading process only (no grading code changes); it adds about
a microsecond per call.

Idle attribution: in each 50 ms sample, the cores left idle (CPU count minus the cores the run's
cgroup used) are shared among the grading chains (each worker process: one chain), each share
going to what that chain was doing then (its innermost phase, or "between submissions" /
"not started" / "finished"). Summed over the run, this says where the idle cores go.
"""
from __future__ import annotations

import argparse
import collections
import functools
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def _log_path() -> str:
    return os.environ["CHECKERS_TIMELINE"]


def _emit(name: str, t0: float, t1: float) -> None:
    line = f"{os.getpid()} {t0:.6f} {t1:.6f} {name}\n".encode()
    fd = os.open(_log_path(), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)


def _wrap(owner, attr: str, name: str) -> None:
    import inspect

    original = getattr(owner, attr)
    if inspect.iscoroutinefunction(original):
        @functools.wraps(original)
        async def timed(*args, **kw):
            t0 = time.monotonic()
            try:
                return await original(*args, **kw)
            finally:
                _emit(name, t0, time.monotonic())
    else:
        @functools.wraps(original)
        def timed(*args, **kw):
            t0 = time.monotonic()
            try:
                return original(*args, **kw)
            finally:
                _emit(name, t0, time.monotonic())
    setattr(owner, attr, timed)


def _instrument() -> None:
    """Wrap the phases (in the coordinator, before it forks its workers: they inherit it)."""
    import nbclient.client as nbc
    from nbgrader.api import Gradebook
    from nbgrader.apps.api import NbGraderAPI
    from nbconvert.preprocessors import Preprocessor
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import SaveAutoGrades

    from checkers.course import classroom, confine, integrity, regrade, runtime_guess

    _wrap(NbGraderAPI, "autograde", "autograde")
    _wrap(NbGraderAPI, "generate_feedback", "feedback")
    _wrap(Gradebook, "remove_submission", "worker db: remove old")
    _wrap(confine.ConfinedKernelManager, "start_kernel", "kernel start (sandbox, process)")
    # nbconvert calls nbclient's synchronous twins (run_sync made at class creation)
    _wrap(nbc.NotebookClient, "start_new_kernel", "kernel start (nbclient)")
    _wrap(nbc.NotebookClient, "start_new_kernel_client", "kernel ready (client, IOPub wait)")
    _wrap(nbc.NotebookClient, "wait_for_reply", "kernel_info reply")
    _wrap(nbc.NotebookClient, "execute_cell", "cells")
    _wrap(nbc.NotebookClient, "_cleanup_kernel", "kernel end")
    original_call = Preprocessor.__call__

    def timed_call(self, nb, resources):
        t0 = time.monotonic()
        try:
            return original_call(self, nb, resources)
        finally:
            _emit(f"preprocessor {type(self).__name__}", t0, time.monotonic())

    Preprocessor.__call__ = timed_call
    _wrap(Autograde, "convert_single_notebook", "convert one notebook (nbconvert)")
    _wrap(Autograde, "init_assignment", "copy submission into autograded/")
    _wrap(regrade.RegradeOutsideKernel, "preprocess", "check outside the kernel")
    _wrap(SaveAutoGrades, "preprocess", "worker db: save grades")
    _wrap(classroom, "merge", "coordinator: merge into gradebook")
    _wrap(classroom, "export_csv", "coordinator: grades.csv")
    _wrap(classroom, "find_jobs", "coordinator: find jobs")
    _wrap(classroom, "cell_report", "coordinator: cell reports")
    _wrap(classroom, "_copy_db", "coordinator: copy gradebook")
    _wrap(integrity, "verify", "integrity check")
    _wrap(runtime_guess, "extra_seconds", "coordinator: runtime guess")
    _wrap(classroom, "_precompile", "coordinator: precompile")


def inner(argv: list[str]) -> int:
    """The graded run itself (in the cgroup): checkers grade with its phases timed."""
    from checkers.course import classroom

    classroom._lighter_imports()
    t0 = time.monotonic()
    import nbgrader.apps.api  # noqa: F401 (what classroom.run imports before it forks)
    _emit("coordinator: import nbgrader", t0, time.monotonic())
    _instrument()
    _wrap(classroom, "run", "coordinator: run")
    return classroom.main(argv)


def analyse(log: Path, samples: list, cores: int, started: float, ended: float) -> None:
    events = []
    for line in log.read_text().splitlines():
        pid, t0, t1, name = line.split(" ", 3)
        events.append((int(pid), float(t0), float(t1), name))
    by_pid = collections.defaultdict(list)
    for e in events:
        by_pid[e[0]].append(e)
    coordinator = next(p for p, _, _, n in events if n == "coordinator: run")
    chains = sorted(p for p in by_pid if p != coordinator
                    and any(n == "autograde" for _, _, _, n in by_pid[p]))
    wall = ended - started
    cpu = samples[-1][1] - samples[0][1] if len(samples) > 1 else 0.0
    print(f"run: {wall:.1f} s wall, {cpu:.1f} s CPU, {cpu / wall:.2f} cores busy of {cores}; "
          f"{len(chains)} grading processes")

    def phase_at(pid: int, t: float) -> str:
        inner_, span = None, None
        for _, t0, t1, name in by_pid[pid]:
            if t0 <= t < t1 and (span is None or t1 - t0 < span):
                inner_, span = name, t1 - t0
        if inner_ is not None:
            if inner_ == "autograde":
                return "autograde: other (nbgrader outside its conversions)"
            if inner_ == "convert one notebook (nbconvert)":
                return "convert one notebook: other (read, write, exporter)"
            if inner_ == "cells":
                return "cells (kernel runs learner code, self-checks)"
            return inner_
        jobs = [(t0, t1) for _, t0, t1, n in by_pid[pid] if n == "autograde"]
        if not jobs or t < jobs[0][0]:
            return "not started (coordinator start-up)"
        if t >= jobs[-1][1]:
            return "finished (waits for the other worker / coordinator end)"
        return "between submissions (answer, merge hand-off, next job)"

    idle = collections.Counter()
    idle_window = collections.Counter()
    first_start = max(min(t0 for _, t0, _, n in by_pid[p] if n == "autograde") for p in chains)
    first_end = min(max(t1 for _, _, t1, n in by_pid[p] if n == "autograde") for p in chains)
    for (ta, ua), (tb, ub) in zip(samples, samples[1:]):
        dt = tb - ta
        free = max(0.0, cores * dt - (ub - ua))
        mid = (ta + tb) / 2
        window = ("start (until every worker has its first submission)" if mid < first_start
                  else "end (after the first worker ran out of submissions)" if mid > first_end
                  else "steady (every worker grading)")
        idle_window[window] += free
        for p in chains:
            idle[phase_at(p, mid)] += free / len(chains)
    total_idle = sum(idle.values())
    print(f"\nidle core-seconds: {total_idle:.1f} of {cores * wall:.1f}")
    for window, value in idle_window.most_common():
        print(f"  {value:6.1f}  {window}")
    print("\nidle core-seconds by what each worker was doing (shared equally among workers):")
    for name, value in idle.most_common():
        print(f"  {value:6.1f}  {name}")
    print("\ntime per worker process, by phase (seconds, sum over its submissions):")
    for p in chains:
        totals = collections.Counter()
        counts = collections.Counter()
        for _, t0, t1, name in by_pid[p]:
            totals[name] += t1 - t0
            counts[name] += 1
        jobs = [(t0, t1) for _, t0, t1, n in by_pid[p] if n == "autograde"]
        print(f"  worker {p}: {len(jobs)} submissions, first at +{jobs[0][0] - started:.1f} s, "
              f"last done at +{jobs[-1][1] - started:.1f} s")
        for name, value in sorted(totals.items(), key=lambda kv: -kv[1]):
            print(f"    {value:7.2f}  {name} ({counts[name]}x)")
    print("\ncoordinator phases (seconds):")
    totals = collections.Counter()
    for _, t0, t1, name in by_pid[coordinator]:
        totals[name] += t1 - t0
    for name, value in sorted(totals.items(), key=lambda kv: -kv[1]):
        print(f"  {value:7.2f}  {name}")
    run_t0 = min(t0 for _, t0, _, n in by_pid[coordinator] if n == "coordinator: run")
    run_t1 = max(t1 for _, _, t1, n in by_pid[coordinator] if n == "coordinator: run")
    all_jobs = [(t0, t1) for p in chains for _, t0, t1, n in by_pid[p] if n == "autograde"]
    print(f"  start: process start -> first submission {min(a for a, _ in all_jobs) - started:.2f} s "
          f"(run() entered at +{run_t0 - started:.2f} s); end: last submission -> run() returned "
          f"{run_t1 - max(b for _, b in all_jobs):.2f} s; process end at +{wall:.2f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignment", nargs="?", default="01-git-hygiene")
    parser.add_argument("--size", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="build the class here (reused when present)")
    parser.add_argument("--inner", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    parser.add_argument("--grade-args", default="", help="more arguments for checkers grade")
    args = parser.parse_args()
    if args.inner is not None:
        return inner(args.inner)
    import classroom as bench

    os.environ["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), os.environ["PATH"]])
    with tempfile.TemporaryDirectory(prefix="grading-timeline-") as tmp:
        course = args.keep or Path(tmp) / "course"
        if not (course / "submitted").is_dir():
            bench.make_course(course, [args.assignment], args.size)
        import compileall

        compileall.compile_dir(str(bench.ROOT / "checkers"), quiet=1)
        log = Path(tmp) / "timeline.log"
        env = dict(os.environ, CHECKERS_TIMELINE=str(log))
        argv = [sys.executable, __file__, "--inner", args.assignment, "--workers",
                str(args.workers), "--no-feedback", "--force", *args.grade_args.split()]
        samples: list = []
        before = bench.load()
        started = time.monotonic()
        bench.run(course, argv, env=env, samples=samples)
        ended = time.monotonic()
        if not samples:
            raise SystemExit("no cpuacct cgroup (cgroup v1, as root) to sample")
        print(f"{args.assignment}, {args.size} submissions, checkers grade --workers {args.workers} "
              f"{args.grade_args} [{before} -> {bench.load()}]")
        analyse(log, samples, os.cpu_count() or 1, started, ended)
        print(bench.job_seconds(course))
    return 0


if __name__ == "__main__":
    sys.exit(main())
