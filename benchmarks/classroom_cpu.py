"""Where a submission's CPU goes: the class of benchmarks/classroom.py graded under process accounting.

    .venv/bin/python benchmarks/classroom_cpu.py [ASSIGNMENT] [--size 8]     (as root, Linux)

Grades the class twice, with plain `nbgrader autograde` and with `checkers grade --workers 1
--no-feedback`, each under Linux process accounting (acct(2): one record per ended process,
with its own CPU time, its parent and its name), and prints the CPU seconds of each part:

- the grading processes: nbgrader's own (plain), or the coordinator and the worker;
- per sandbox (bubblewrap): the kernel (ipykernel start-up, the notebook's cells), the processes
  its cells start (self-check processes and what they run: git, shells), the confined grader
  process (`checkers.course.grade --batch`) and what it starts.

A kernel is told from a grader process by what it starts at start-up (`uname`, which ipykernel
runs; a grader process never does). Accounting counts in 10 ms steps, so a short process (most
git commands) counts as 0: the total of a cpuacct cgroup (printed where one can be made) shows
what that leaves out. The default class (8) holds each kind of submission once and the endless
loop, whose kernel spins until the cell timeout.
"""
from __future__ import annotations

import argparse
import collections
import ctypes
import os
import shutil
import struct
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import classroom as bench  # noqa: E402 (benchmarks/classroom.py: the class and the timed run)

RECORD = struct.Struct("<BBHIIIIIIf8H16s")  # struct acct_v3 (linux/acct.h), 64 bytes
AHZ = 100


def _comp(value: int) -> int:
    """comp_t: 13-bit mantissa, 3-bit base-8 exponent."""
    return (value & 0x1FFF) << (3 * (value >> 13))


def read_records(path: Path) -> list[dict]:
    data = path.read_bytes()
    out = []
    for offset in range(0, len(data) - RECORD.size + 1, RECORD.size):
        (flag, _ver, _tty, _exit, _uid, _gid, pid, ppid, _btime, _etime, utime, stime,
         *_rest, comm) = RECORD.unpack_from(data, offset)
        out.append({"pid": pid, "ppid": ppid, "forked": bool(flag & 1),
                    "cpu": (_comp(utime) + _comp(stime)) / AHZ,
                    "comm": comm.rstrip(b"\0").decode(errors="replace")})
    return out


def _reattach(records: list[dict]) -> None:
    """bubblewrap's inner process (forked, not exec'd) outlives the outer one when a sandbox is
    killed, and is then recorded with another parent: give it back to the bubblewrap before it."""
    import bisect

    outer = sorted(r["pid"] for r in records if r["comm"] == "bwrap" and not r["forked"])
    pids = {r["pid"] for r in records}
    for r in records:
        if r["comm"] == "bwrap" and r["forked"] and r["ppid"] not in pids:
            i = bisect.bisect_left(outer, r["pid"]) - 1
            if i >= 0:
                r["ppid"] = outer[i]


def breakdown(records: list[dict], root: int, top: str) -> tuple[dict, dict]:
    """({part: CPU seconds}, {part: processes}) of the tree under ``root``."""
    _reattach(records)
    by = {r["pid"]: r for r in records}
    kids = collections.defaultdict(list)
    for r in records:
        kids[r["ppid"]].append(r["pid"])
    cpu: dict = collections.Counter()
    count: dict = collections.Counter()

    def part_of(parent_part: str, pid: int) -> str:
        comm = by[pid]["comm"]
        if parent_part in (top, "worker"):
            if comm == "bwrap":
                return "sandbox"
            return "worker" if comm.startswith("python") and parent_part == top else "unconfined helpers"
        if parent_part == "sandbox":
            if comm == "bwrap":
                return "sandbox"
            if comm.startswith("python"):
                kernel = any(by[k]["comm"] == "uname" for k in kids.get(pid, []) if k in by)
                return "kernel" if kernel else "grader process"
            return "sandbox probes"
        if parent_part == "kernel":
            return "kernel: self-check processes" if comm.startswith("python") else "kernel: git, shells"
        if parent_part == "grader process":
            return "grader: what it runs"
        return parent_part

    def walk(pid: int, part: str) -> None:
        cpu[part] += by[pid]["cpu"]
        count[part] += 1
        for k in kids.get(pid, []):
            if k in by:
                walk(k, part_of(part, k))

    if root in by:
        walk(root, top)
    return cpu, count


def _acct(path: str | None) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.acct(path.encode() if path else None) != 0:
        raise OSError(ctypes.get_errno(), f"acct({path}): {os.strerror(ctypes.get_errno())} "
                      "(process accounting needs root: CAP_SYS_PACCT)")


def accounted(course: Path, argv: list[str], pacct: Path) -> tuple[float, float | None, int]:
    """Run one grading under process accounting: (wall s, cgroup CPU s or None, its pid)."""
    started: list[int] = []
    pacct.touch()
    _acct(str(pacct))
    try:
        took, cpu = bench.run(course, argv, started)
    finally:
        _acct(None)
    return took, cpu, started[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignment", nargs="?", default="01-git-hygiene")
    parser.add_argument("--size", type=int, default=8)
    args = parser.parse_args()
    os.environ["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), os.environ["PATH"]])
    import compileall

    compileall.compile_dir(str(bench.ROOT / "checkers"), quiet=1)  # as benchmarks/classroom.py
    with tempfile.TemporaryDirectory(prefix="classroom-cpu-") as tmp:
        base = bench.make_course(Path(tmp) / "base", [args.assignment], args.size)
        runs = [("plain nbgrader", "nbgrader", [sys.executable, "-m", "nbgrader", "autograde",
                                                 args.assignment, "--force"]),
                ("checkers grade --workers 1", "coordinator",
                 [sys.executable, "-m", "checkers", "grade", args.assignment, "--workers", "1",
                  "--no-feedback"])]
        for label, top, argv in runs:
            course = Path(shutil.copytree(base, Path(tmp) / top))
            before = bench.load()
            took, total, pid = accounted(course, argv, Path(tmp) / f"{top}.pacct")
            cpu, count = breakdown(read_records(Path(tmp) / f"{top}.pacct"), pid, top)
            counted = sum(cpu.values())
            print(f"{args.assignment}, {args.size} submissions, {label}: {took:.1f} s; CPU "
                  f"{counted:.1f} s in process records"
                  + (f", {total:.1f} s in its cgroup" if total is not None else "")
                  + f" [{before} -> {bench.load()}]")
            for part, seconds in sorted(cpu.items(), key=lambda kv: -kv[1]):
                print(f"  {part:<30} {seconds:7.2f} s  {seconds / args.size:6.3f} s per submission"
                      f"  ({count[part]} processes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
