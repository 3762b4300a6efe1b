"""How long does the pre-commit mode (`checkers repo . --no-history`) take on a large work tree?

Generates a repository of 3,500 tracked files (code, configs, docs, small fixtures) with 40
notebooks of 1-3 MiB each (base64 image outputs, the usual reason notebooks are large) and one
planted secret, commits it, then times the whole command as a process, best and median of
``--repeat`` runs. Goal (issue 12): under 3 s. Also prints the peak RSS of the checker.

    .venv/bin/python benchmarks/precommit_check.py [--files 3500] [--notebooks 40] [--repeat 3] [--keep DIR]
"""
from __future__ import annotations

import argparse
import base64
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1",
       "GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "b@example.com",
       "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "b@example.com"}


def notebook(rng: random.Random, size: int) -> str:
    png = base64.b64encode(rng.randbytes(size * 3 // 4)).decode()
    cells = [{"cell_type": "code", "execution_count": 1, "metadata": {}, "source": [
        "import pandas as pd\n", "df = pd.read_csv('data.csv')\n", "df.plot()\n"],
        "outputs": [{"output_type": "display_data", "metadata": {},
                     "data": {"image/png": png, "text/plain": ["<Figure>"]}}]}]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1)


def generate(repo: Path, files: int, notebooks: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    subprocess.run(["git", "init", "-q", str(repo)], check=True, env=ENV)
    folders = ["src/churn", "src/churn/features", "components/train", "pipelines", "tests",
               "docs", "infra", "config", "scripts", "tests/fixtures"]
    for i in range(files - notebooks):
        folder = folders[i % len(folders)]
        suffix = [".py", ".py", ".yaml", ".md", ".json"][i % 5]
        sep = ":" if suffix == ".yaml" else " ="
        body = "\n".join(f"value_{j}{sep} {rng.randint(0, 10**6)}  # {rng.random():.6f}"
                          for j in range(rng.randint(5, 80)))
        (repo / folder).mkdir(parents=True, exist_ok=True)
        (repo / folder / f"file_{i}{suffix}").write_text(body + "\n")
    (repo / "notebooks").mkdir()
    for i in range(notebooks):
        (repo / "notebooks" / f"analysis_{i}.ipynb").write_text(
            notebook(rng, rng.randint(1, 3) * 1024 * 1024))
    key = base64.b64encode(rng.randbytes(64)).decode()
    (repo / "src" / "churn" / "storage.py").write_text(
        'CONN = "DefaultEndpoints' f'Protocol=https;AccountName=x;Account' f'Key={key}"\n')
    (repo / ".gitignore").write_text("*.pkl\n.env\n")
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True, env=ENV)
    subprocess.run(["git", "commit", "-q", "-m", "project"], cwd=repo, check=True, env=ENV)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=3500)
    parser.add_argument("--notebooks", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", metavar="DIR", type=Path,
                        help="generate into DIR and keep it; reuse DIR if it already is a repository")
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="precommit-bench-"))
    try:
        repo = tmp / "repo" if args.keep is None else args.keep.resolve()
        start = time.perf_counter()
        if (repo / ".git").is_dir():
            print(f"reusing {repo}")
        else:
            generate(repo, args.files, args.notebooks)
            print(f"generated {args.files} files in {time.perf_counter() - start:.1f} s")
        files = [f for f in repo.rglob("*") if f.is_file() and ".git" not in f.parts]
        print(f"work tree: {len(files)} files, {sum(f.stat().st_size for f in files) / 2**20:.0f} MiB")
        times, cpu, code = [], [], None
        for _ in range(max(1, args.repeat)):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            proc = subprocess.run([sys.executable, "-m", "checkers", "repo", str(repo), "--no-history"],
                                  cwd=REPO_ROOT, capture_output=True, text=True)
            times.append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
            code = proc.returncode
        found = "secret-in-file" in proc.stdout
        best = min(times)
        print(f"checkers repo --no-history: best {best:.2f} s, median {statistics.median(times):.2f} s "
              f"(goal < 3 s: {'PASS' if best < 3 else 'MISS'}); exit {code}; planted secret "
              f"{'found' if found else 'MISSED'}")
        print(f"CPU time (user+sys, what a shared machine's load does not inflate): best "
              f"{min(cpu):.2f} s")
        kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"peak RSS of the checker process: {kids:.0f} MiB")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
