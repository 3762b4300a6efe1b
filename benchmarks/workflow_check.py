"""Whole-process time of `checkers workflow` next to zizmor alone: one file, and a batch.

    .venv/bin/python benchmarks/workflow_check.py [--repeat 15] [--batch DIR_OR_FILE ...]
                                                  [--before REV]

Two measurements, each printing the ratio ours / zizmor (goals from issue #9):

* one file: sample_repo's train-on-push.yml. Goal: ratio <= 2.0.
* a batch: every workflow given with --batch (files or folders), or by default the fixed batch
  of 80 distinct workflows listed in benchmarks/workflow_batch.txt (each pinned by its git blob,
  so that figures from different sessions measure the same files). Goal: ratio <= 1.5.

With ``--before REV`` (a commit, e.g. ``main``), the checkers package as it was at REV
(extracted with ``git archive`` to a folder it is run from, so that it is imported first) runs alternately with the
other two: a before/after comparison under the same load. When the measured Python has the
editable install's import finder (``course.py setup``), the same command also runs, alternately,
under a Python without it (a throwaway venv that sees this one's site-packages as a plain path,
as a regular ``pip install .`` would): the line "without the import finder" is what a user who
installed the package normally would see.

The commands are run alternately, so that load from other processes on the machine falls on
both alike; the ratio is taken of the medians and of the best runs, and of the median CPU
times (user + system, of each process and its children). `checkers workflow` runs
zizmor itself (started first, in the background, while Python imports and checks), so its time
includes zizmor's. The environment is the user's, without GitHub tokens (zizmor would go online)
and without PYTHONDONTWRITEBYTECODE (without cached bytecode every run would recompile the
checkers package; a normal installation has it). The first lines say how the measured Python
finds the checkers package (`course.py setup` makes an editable install, whose import finder
costs a few milliseconds at start-up that `pip install .` does not) and how many workflows of
the batch the secret scanner had to read. Prints figures and exits 0: a benchmark, not a test.

The goals are for wall time on a quiet machine, where zizmor and our Python part run side by
side on two cores. On a loaded machine the two processes of ours compete for the same cores
as everything else and the wall-time ratio drifts towards the CPU ratio; the CPU lines show
Python's own part, which does not depend on the load as much.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SINGLE = ROOT / "sample_repo/.github/workflows/train-on-push.yml"
# Workflows GitHub runs (a batch of real workflows has few files that GitHub would refuse, and
# only those pay for jsonschema's explanations), pinned by blob: the corpus they come from grows
# and changes, and a batch drawn from it made figures of different sessions incomparable.
MANIFEST = ROOT / "benchmarks/workflow_batch.txt"


def env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items()
            if k not in {"GH_TOKEN", "GITHUB_TOKEN", "PYTHONDONTWRITEBYTECODE"}}


def run(cmd: list[str], where: str | None = None) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process and its children), run in ``where`` (by
    default the checkout: ``python -m`` imports from the current folder first)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env(),
                   cwd=where or ROOT)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def compare(name: str, zcmd: list[str], ours: list[str], repeat: int, goal: float,
            others: list[tuple[str, list[str], str | None]] = ()) -> None:
    """``others``: (label, command, folder to run it in) timed alternately with the two, each
    printed with its ratio to zizmor: the checkers package at another commit, the same Python
    without the editable install's import finder."""
    run(ours), run(zcmd)  # warm the file cache and Python's bytecode cache
    for _, cmd, where in others:
        run(cmd, where)
    z, o, b = [], [], [[] for _ in others]
    # (times, command, folder) in the order of a round; every other round in reverse, so that
    # a fixed order cannot favour one command (on a loaded machine the fixed order and
    # reversed rounds gave the before/after comparison different signs)
    slots = [(z, zcmd, None), (o, ours, None), *((t, cmd, where) for t, (_, cmd, where)
                                                  in zip(b, others))]
    for i in range(repeat):
        for times, cmd, where in (slots if i % 2 == 0 else slots[::-1]):
            times.append(run(cmd, where))
    zw, ow = [w for w, _ in z], [w for w, _ in o]
    zc, oc = statistics.median(c for _, c in z), statistics.median(c for _, c in o)
    median = statistics.median(ow) / statistics.median(zw)
    best = min(ow) / min(zw)
    print(f"\n{name}")
    print(f"  {'':32}{'best':>9}{'median':>9}{'cpu':>9}")
    print(f"  {'zizmor --offline alone':32}{min(zw):8.3f}s{statistics.median(zw):8.3f}s{zc:8.3f}s")
    print(f"  {'python -m checkers workflow':32}{min(ow):8.3f}s{statistics.median(ow):8.3f}s{oc:8.3f}s")
    for times, (label, _, _) in zip(b, others):
        bw, bc = [w for w, _ in times], statistics.median(c for _, c in times)
        print(f"  {'  ' + label:32}{min(bw):8.3f}s{statistics.median(bw):8.3f}s"
              f"{bc:8.3f}s  (ratio median {statistics.median(bw) / statistics.median(zw):.2f}, "
              f"best {min(bw) / min(zw):.2f}; Python's part of the CPU {bc - zc:.3f}s)")
    print(f"  ratio ours/zizmor: median {median:.2f}, best {best:.2f}  (goal <= {goal:.1f}: "
          f"{'PASS' if min(median, best) <= goal else 'MISS'})")
    # CPU time does not depend on what else the machine runs; ours includes zizmor's, so the
    # difference is what Python (start-up, imports, our rules) costs.
    print(f"  cpu ratio ours/zizmor: {oc / zc:.2f}  (goal <= {goal:.1f}: "
          f"{'PASS' if oc / zc <= goal else 'MISS'}); Python's part: {oc - zc:.3f}s")


def without_finder(where: Path, zizmor: str) -> str:
    """A Python like this one without setuptools' editable-install finder (which `course.py
    setup` installs and `pip install .` does not): a venv whose site-packages holds this one's
    as a plain path entry (so the .pth files there, the finder's among them, do not run), with
    zizmor beside it. ``python -m checkers`` imports the package from the checkout either way."""
    import sysconfig
    import venv

    venv.EnvBuilder(with_pip=False, symlinks=True).create(where)
    python = where / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()"
                           "['purelib'])"], capture_output=True, text=True, check=True).stdout
    paths = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    (Path(site.strip()) / "plain-path.pth").write_text("\n".join(paths) + "\n")
    (where / "bin" / "zizmor").symlink_to(zizmor)
    return str(python)


INSTALL_PROBE = """
import json, sys
import checkers
try:
    from importlib.metadata import distribution
    url = json.loads(distribution("git-cicd-ml-checkers").read_text("direct_url.json") or "{}")
except Exception:
    url = {}
finders = [getattr(f, "__name__", type(f).__name__) for f in sys.meta_path]
print(json.dumps({"file": checkers.__file__, "editable": url.get("dir_info", {}).get("editable"),
                  "finder": any("Editable" in f for f in finders)}))
"""


def install_mode() -> str:
    """How this Python imports the checkers package: the setup the figures were measured with."""
    import json

    out = subprocess.run([sys.executable, "-c", INSTALL_PROBE], capture_output=True, text=True,
                         env=env(), cwd=tempfile.gettempdir()).stdout
    try:
        info = json.loads(out)
    except ValueError:
        return "unknown (the probe failed)"
    where = str(Path(info["file"]).parent)
    if info["finder"]:
        return f"editable install with setuptools' import finder (course.py setup), {where}"
    if info["editable"]:
        return f"editable install through a path entry, {where}"
    return f"regular install, {where}"


def scanned(files: list[str]) -> int:
    """How many of the files the secret scanner reads (the others cannot hold a finding)."""
    from checkers.workflow.secret_prefilter import could_hold_secret

    return sum(could_hold_secret(Path(f).read_text(encoding="utf-8", errors="replace"))
               for f in files)


def extract(rev: str, where: Path) -> str:
    """The checkers package as it was at ``rev``, in ``where`` (run from there)."""
    import io
    import tarfile

    archive = subprocess.run(["git", "archive", rev, "checkers"], cwd=ROOT, capture_output=True,
                             check=True).stdout
    where.mkdir()
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(where, filter="data")
    return str(where)


def batch_files(args: list[Path], where: Path) -> list[str]:
    if args:
        files = []
        for arg in args:
            files.extend(sorted(arg.glob("*.y*ml")) if arg.is_dir() else [arg])
        return [str(f) for f in files]
    files = []
    for i, (blob, path) in enumerate(manifest()):
        target = where / f"wf{i:02d}-{Path(path).name}"
        target.write_bytes(pinned(blob, path))
        files.append(str(target))
    return files


def manifest() -> list[tuple[str, str]]:
    """(blob, path) of each workflow of the fixed batch."""
    lines = MANIFEST.read_text(encoding="utf-8").splitlines()
    return [tuple(line.split(maxsplit=1)) for line in lines if line and not line.startswith("#")]


def pinned(blob: str, path: str) -> bytes:
    """The batch's version of ``path``: its blob from git, or the file itself while it is
    unchanged (a clone without that history)."""
    got = subprocess.run(["git", "cat-file", "blob", blob], cwd=ROOT, capture_output=True)
    if got.returncode == 0:
        return got.stdout
    current = subprocess.run(["git", "hash-object", path], cwd=ROOT, capture_output=True,
                             text=True).stdout.strip()
    if current != blob:
        sys.exit(f"{MANIFEST.name}: {path} at blob {blob} is not in this clone and the file "
                 "has changed since; fetch the history or give the files with --batch")
    return (ROOT / path).read_bytes()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", nargs="*", type=Path, default=[],
                        help="workflow files or folders for the batch (default: the 80 of "
                             f"{MANIFEST.relative_to(ROOT)})")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--before", metavar="REV",
                        help="also time the checkers package as it was at this commit")
    args = parser.parse_args()
    zizmor = shutil.which("zizmor", path=os.pathsep.join([os.path.dirname(sys.executable),
                                                          os.environ.get("PATH", "")]))
    if not zizmor:
        print("zizmor is not installed; nothing to compare with")
        return 0
    config = ROOT / "checkers/workflow/zizmor.yml"
    zizmor_cmd = [zizmor, "--offline", *(["--config", str(config)] if config.exists() else [])]
    ours_cmd = [sys.executable, "-m", "checkers", "workflow"]
    with tempfile.TemporaryDirectory(prefix="workflow-bench-") as tmp:
        files = batch_files(args.batch, Path(tmp))
        mode = install_mode()
        print(f"checkers: {mode}")
        print(f"one file: {SINGLE.relative_to(ROOT)}; batch: {len(files)} workflows, "
              f"{scanned(files)} of them read by the secret scanner")
        others = []  # (label, the command without its files, where to run it)
        if args.before:
            others.append((f"the same at {args.before}", ours_cmd,
                           extract(args.before, Path(tmp) / "before")))
        if "import finder" in mode:
            plain = without_finder(Path(tmp) / "plain", zizmor)
            others.append(("without the import finder", [plain, *ours_cmd[1:]], None))
        for name, files_, repeat, goal in (("one file", [str(SINGLE)], args.repeat, 2.0),
                                           (f"batch of {len(files)}", files,
                                            max(3, args.repeat // 3), 1.5)):
            compare(name, [*zizmor_cmd, *files_], [*ours_cmd, *files_], repeat, goal,
                    [(label, [*cmd, *files_], where) for label, cmd, where in others])
    return 0


if __name__ == "__main__":
    sys.exit(main())
