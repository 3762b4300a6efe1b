"""`checkers workflow` on real public workflows: finding counts per severity, rule and repository.

    .venv/bin/python benchmarks/real_workflows.py MIRROR... [--out DIR] [--show error]

Each MIRROR is a bare git repository (for example a snapshot in /work/.mirror/OWNER+NAME/repo, or
`git clone --bare https://github.com/OWNER/NAME`). The script copies the workflow files of its
HEAD (`.github/workflows/*.yml`; for actions/starter-workflows the templates under `ci/`,
`deployments/`, `automation/`, `pages/`, `code-scanning/`) into DIR (a temporary folder by
default; nothing is written into this repository), runs `python -m checkers workflow --format
json` on each repository's files, and prints the counts. `--show error` lists every error.
It exits 0 whatever it finds: it is a measurement, not a test.
"""
from __future__ import annotations

import argparse
import collections
import io
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_DIRS = ("ci/", "deployments/", "automation/", "pages/", "code-scanning/")


def workflow_paths(git_dir: Path) -> list[str]:
    names = subprocess.run(["git", "--git-dir", str(git_dir), "ls-tree", "-r", "--name-only",
                            "HEAD"], capture_output=True, text=True, check=True).stdout.split("\n")
    starter = "starter-workflows" in str(git_dir)
    return [n for n in names if n.endswith((".yml", ".yaml")) and (
        (n.startswith(".github/workflows/") and n.count("/") == 2)
        or (starter and n.startswith(TEMPLATE_DIRS) and n.count("/") == 1))]


def extract(git_dir: Path, dest: Path) -> list[Path]:
    paths = workflow_paths(git_dir)
    if not paths:
        return []
    data = subprocess.run(["git", "--git-dir", str(git_dir), "archive", "HEAD", *paths],
                          capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(dest, filter="data")
    return [dest / p for p in paths]


def name_of(git_dir: Path) -> str:
    parts = git_dir.resolve().parts
    return parts[-2] if parts[-1] in ("repo", ".git") else parts[-1].removesuffix(".git")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mirrors", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, help="where to copy the workflows (default: temporary)")
    parser.add_argument("--show", choices=("error", "warning", "info"), action="append", default=[])
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="real-workflows-"))
    totals, by_rule, by_repo, files_total = collections.Counter(), collections.Counter(), {}, 0
    shown = []
    for git_dir in args.mirrors:
        name = name_of(git_dir)
        files = extract(git_dir, out / name)
        if not files:
            print(f"{name}: no workflow files")
            continue
        files_total += len(files)
        proc = subprocess.run([sys.executable, "-m", "checkers", "workflow", "--format", "json",
                               *map(str, files)], capture_output=True, text=True, cwd=ROOT)
        try:
            findings = json.loads(proc.stdout)["findings"]
        except (json.JSONDecodeError, KeyError):
            print(f"{name}: checker failed (exit {proc.returncode}): {proc.stderr.strip()[:300]}")
            continue
        counts = collections.Counter(f["severity"] for f in findings)
        by_repo[name] = (len(files), counts)
        totals.update(counts)
        by_rule.update((f["rule"], f["severity"]) for f in findings)
        shown.extend((name, f) for f in findings if f["severity"] in args.show)
    print(f"{files_total} workflow files copied to {out}\n")
    print(f"{'repository':32}{'files':>6}{'error':>7}{'warning':>9}{'info':>6}")
    for name, (n, c) in by_repo.items():
        print(f"{name:32}{n:6}{c['error']:7}{c['warning']:9}{c['info']:6}")
    print(f"{'total':32}{files_total:6}{totals['error']:7}{totals['warning']:9}{totals['info']:6}\n")
    for (rule, severity), n in sorted(by_rule.items()):
        print(f"{rule:34}{severity:8}{n:6}")
    for name, f in shown:
        where = f"{Path(f['path']).relative_to(out) if Path(f['path']).is_absolute() else f['path']}"
        print(f"\n{f['severity']}: {where}:{f['line']}:{f['column']} [{f['rule']}] {f['message']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
