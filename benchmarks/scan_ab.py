"""The history scan (or ``--no-history``) of this checkout next to an older commit's, on a shared machine.

On a machine shared with other work, timings drift by 2-3x within minutes; comparing a run
made now with one made an hour ago says little. This script interleaves the runs: one scan
with the checkers of commit ``--before`` (extracted with ``git archive``), one with this
checkout's, then git's own baselines, ``--runs`` times, each scan a fresh process. It prints
medians (and the minimum) of wall and CPU time (the scan process and its children: git, the
scan worker), both issue-12 ratios (scan / ``git cat-file --batch`` of every blob, scan /
``git log -p --all``), the peak RSS, the load average, and whether both found the same.

    .venv/bin/python benchmarks/scan_ab.py --repo /tmp/hb-repo --before ee025ed --runs 5
    .venv/bin/python benchmarks/scan_ab.py --repo /tmp/precommit-repo --no-history --before ee025ed

``--repo`` is any repository (``history_scan.py --keep DIR`` and ``precommit_check.py --keep DIR``
generate the issue's; a clone of keras is the keras-sized one). It is a benchmark, not a test.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "LC_ALL": "C"}

# One scan in a fresh process, with the checkers found first on sys.path.
SCAN = r'''
import json, resource, sys, time
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from checkers.repo.context import RepoContext
start = time.perf_counter()
if sys.argv[3] == "history":
    from checkers.repo.history import scan
    found = scan(RepoContext(root=Path(sys.argv[2])))
    found = sorted((b.path, h.line, h.column, h.kind, h.value) for b, h in found.secrets)
else:
    from checkers import check_repo
    found = [repr(f) for f in check_repo(sys.argv[2], history=False).findings]
wall = time.perf_counter() - start
me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall": wall, "cpu": me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime,
                  "rss": max(me.ru_maxrss, kids.ru_maxrss) / 1024, "found": repr(found)}))
'''


def timed(cmd: str, repo: Path) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, shell=True, cwd=repo, env=ENV, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


# %(rest) takes the path off each line: without it, cat-file looks the whole line up as a name
# and reads nothing ("missing"), which is how this baseline measured only the listing before
EVERY_BLOB = ("git rev-list --objects --all | git cat-file --batch-check='%(objecttype) %(objectname) %(rest)'"
              " | sed -n 's/^blob \\([0-9a-f]*\\) .*/\\1/p' | git cat-file --batch")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repo", type=Path, required=True)
    parser.add_argument("--before", default="HEAD", help="commit whose checkers are compared (HEAD)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-history", action="store_true", help="time check_repo(history=False)")
    args = parser.parse_args(argv)
    repo = args.repo.resolve()
    mode = "no-history" if args.no_history else "history"
    with tempfile.TemporaryDirectory(prefix="scan-ab-") as tmp:
        archive = Path(tmp) / "before.tar"
        subprocess.run(["git", "-C", str(HERE), "archive", "-o", str(archive), args.before, "checkers"],
                       check=True)
        with tarfile.open(archive) as tar:
            tar.extractall(tmp)
        sides = {f"before ({args.before})": tmp, "this checkout": str(HERE)}
        rows: dict[str, list[dict]] = {side: [] for side in sides}
        blobs, log = [], []
        for _ in range(max(1, args.runs)):
            for side, root in sides.items():
                out = subprocess.run([sys.executable, "-c", SCAN, root, str(repo), mode], env=ENV,
                                     check=True, capture_output=True, text=True).stdout
                rows[side].append(json.loads(out))
            if mode == "history":
                blobs.append(timed(EVERY_BLOB, repo))
                log.append(timed("git log -p --all", repo))
    med = statistics.median
    print(f"{repo} ({mode}), {args.runs} interleaved runs; load average now "
          + " ".join(f"{x:.1f}" for x in os.getloadavg()) + f" on {os.cpu_count()} cores")
    if blobs:
        print(f"git cat-file --batch of every blob: median {med(blobs):.3f} s;  "
              f"git log -p --all: median {med(log):.3f} s")
    for side, runs in rows.items():
        wall, cpu = [r["wall"] for r in runs], [r["cpu"] for r in runs]
        line = (f"{side:<22} wall median {med(wall):7.3f} s (min {min(wall):.3f})  CPU median "
                f"{med(cpu):7.3f} s  peak RSS {max(r['rss'] for r in runs):.0f} MiB")
        if blobs:
            line += (f"  ratio 1 (/ every blob) {med(wall) / med(blobs):.2f}  ratio 2 (/ log -p) "
                     f"{med(wall) / med(log):.2f}")
        print(line)
    same = len({r["found"] for runs in rows.values() for r in runs}) == 1
    print("both found the same" if same else "FINDINGS DIFFER between the two")
    return 0


if __name__ == "__main__":
    sys.exit(main())
