"""How fast is the history scan, next to git's own object walk?

Generates a large repository with ``git fast-import`` (thousands of commits and files, feature
branches merged back, models, data and experiment logs added and later deleted, one large blob,
one connection string committed and later removed, paths with a space and with non-UTF-8 bytes),
then times on that same repository:

  (a) git's own pipeline   ``git rev-list --objects --all | git cat-file --batch-check``
  (b) our path/size pass   iterating ``checkers.repo.history.list_blobs(ctx)``
  (c) the full scan        ``checkers.repo.history.scan(ctx)`` on a fresh context (it also reads
                           every text version for secrets and finds the commit that added each finding)
  (d) the whole check      ``checkers.check_repo(path)`` (every repository rule), for context

and prints each time and the ratio ours/git. Goal (the issue): ratio <= 2.0, i.e. at least half
of git's own rate. It also checks that the planted findings are found and attributed to the
commit that added them. It is a benchmark, not a test: it exits 0 whatever the figures are
(1 only when the repository cannot be generated).

    cd /work/main && .venv/bin/python benchmarks/history_scan.py
    .venv/bin/python benchmarks/history_scan.py --commits 10000 --files 8000 --keep /tmp/big-repo
"""
from __future__ import annotations

import argparse
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
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

# A reproducible git: no user or system configuration, fixed identities and dates. Set on the
# process so that the checkers' own git calls see the same environment as the baseline.
GIT_ENV = {
    "GIT_CONFIG_GLOBAL": "/dev/null",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "Bench Author",
    "GIT_AUTHOR_EMAIL": "author@example.com",
    "GIT_AUTHOR_DATE": "2023-01-01T00:00:00+00:00",
    "GIT_COMMITTER_NAME": "Bench Committer",
    "GIT_COMMITTER_EMAIL": "committer@example.com",
    "GIT_COMMITTER_DATE": "2023-01-01T00:00:00+00:00",
    "GIT_TERMINAL_PROMPT": "0",
    "LC_ALL": "C",
}
os.environ.update(GIT_ENV)

GOAL = 2.0
PLANTED_FILE = "bench-planted.json"
START_TIME = 1672531200  # 2023-01-01T00:00:00Z; every commit is one hour after the previous one
IDENT = "Bench Author <author@example.com>"

# Paths that exercise the parsers: a space, and bytes that are not UTF-8 (latin-1 e-acute).
SPACE_DOC = b"docs/user guide.md"
LATIN1_DOC = b"docs/r\xe9sum\xe9.md"


def fake_connection_string(rng: random.Random) -> bytes:
    """An Azure storage connection string that looks real; built from pieces at run time so
    that this file itself holds nothing a secret scanner would report."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    key = "".join(rng.choice(alphabet) for _ in range(86)) + "=" * 2
    parts = ["DefaultEndpoints" + "Protocol=https", "AccountName=churnstore",
             "Account" + "Key=" + key, "EndpointSuffix=core.windows.net"]
    return ";".join(parts).encode()


# --------------------------------------------------------------------------------------------
# Repository generation
# --------------------------------------------------------------------------------------------

WORDS = ("churn customer feature label score train predict model metric batch tenure contract "
         "payment invoice region segment cohort window rolling target encode scale split fold "
         "report drift monitor deploy endpoint registry dataset asset pipeline component").split()
FOLDERS = (  # (share of the files, top folder, how many sub-folders, file suffixes)
    (0.36, "src", 24, (".py",)),
    (0.18, "components", 40, (".py", ".yaml")),
    (0.16, "tests", 20, (".py",)),
    (0.14, "docs", 16, (".md",)),
    (0.08, "pipelines", 12, (".yaml", ".yml")),
    (0.05, "notebooks", 8, (".ipynb",)),
    (0.03, "infra", 6, (".bicep", ".json")),
)


def make_paths(n: int, rng: random.Random) -> list[bytes]:
    paths: list[bytes] = [b"README.md", b".gitignore", b"pyproject.toml", b".env.example",
                          b".github/workflows/train-on-push.yml", SPACE_DOC, LATIN1_DOC]
    seen = set(paths)
    for share, top, nsub, suffixes in FOLDERS:
        subs = [f"{rng.choice(WORDS)}_{i}" for i in range(nsub)]
        count = max(1, round(n * share))
        made = 0
        while made < count:
            sub = rng.choice(subs)
            stem = "_".join(rng.sample(WORDS, 2))
            suffix = rng.choice(suffixes)
            if top == "tests":
                stem = "test_" + stem
            elif top == "components" and suffix == ".yaml":
                stem = "component"
            path = f"{top}/{sub}/{stem}{suffix}".encode()
            if path not in seen:
                seen.add(path)
                paths.append(path)
                made += 1
    return paths[:max(n, 7)]


GITIGNORE = b"""__pycache__/
.venv/
.env
.env.*
!.env.example
*.pem
*.key
data/
*.csv
*.parquet
*.feather
*.pkl
*.pt
*.pth
*.joblib
*.onnx
*.h5
*.safetensors
*.ckpt
models/
outputs/
mlruns/
mlartifacts/
wandb/
"""


def text_blob(path: bytes, version: int, rng: random.Random) -> bytes:
    """A plausible source file: ~1-3 KiB of code, YAML, Markdown or notebook JSON.

    Many mention ``key``/``token`` the way real code does (``sort_values(key=``, a run token read
    from the environment): about 60% of the old versions pass the secret scanner's cheap
    pre-filter, as do 60% of the ``.py`` files in a typical ``site-packages``.
    """
    words = [rng.choice(WORDS) for _ in range(12)]
    lines = []
    name = path.decode("latin-1")
    if name == ".gitignore":
        return GITIGNORE + f"# revision {version}\n".encode()
    if name.endswith(".py"):
        lines += ['"""' + " ".join(words[:6]) + '."""', "from __future__ import annotations", "",
                  "import os", "import pandas as pd", ""]
        for f in range(rng.randint(4, 12)):
            fn = f"{words[f % 12]}_{words[(f + 3) % 12]}_{f}"
            lines += [f"def {fn}(df: pd.DataFrame, n: int = {rng.randint(1, 99)}) -> pd.DataFrame:",
                      f'    """{" ".join(rng.sample(WORDS, 5))}."""',
                      f"    out = df.groupby('{words[f % 12]}').agg({{'{words[(f + 1) % 12]}': 'mean'}})"]
            if rng.random() < 0.3:
                lines.append("    out = out.sort_values(by=list(out.columns), key=abs)")
            if rng.random() < 0.1:
                lines.append("    token = os.environ.get('AZUREML_RUN_TOKEN')")
            lines += [f"    return out.head(n * {f + 1})", ""]
    elif name.endswith((".yaml", ".yml")):
        lines += ["$schema: https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json",
                  f"name: {words[0]}_{words[1]}", f"version: {version}", "inputs:"]
        inputs = rng.sample(WORDS, 6)
        for w in inputs:
            lines += [f"  {w}:", "    type: uri_folder"]
        lines += ["command: >-", f"  python {words[8]}.py --input ${{{{inputs.{inputs[0]}}}}}",
                  "environment: azureml:training-env@latest"]
    elif name.endswith(".ipynb"):
        cells = []
        for c in range(rng.randint(6, 20)):
            src = ", ".join(f'"{w} = load_{w}({c})\\n"' for w in rng.sample(WORDS, 4))
            cells.append('  {"cell_type": "code", "execution_count": null, "metadata": {}, '
                         f'"outputs": [], "source": [{src}]}}')
        return ('{\n "cells": [\n' + ",\n".join(cells) + '\n ],\n "metadata": {"kernelspec": '
                '{"name": "python3"}},\n "nbformat": 4,\n "nbformat_minor": 5\n}\n').encode()
    else:
        lines += [f"# {' '.join(words[:4]).title()}", ""]
        for p in range(rng.randint(5, 15)):
            lines.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 20))) + ".")
            lines.append("")
    lines.append(f"# revision {version}")
    return ("\n".join(lines) + "\n").encode()


class FastImport:
    """Writes a ``git fast-import`` stream straight into the process."""

    def __init__(self, repo: Path):
        self.marks_file = repo / ".git" / "bench-marks"
        self.proc = subprocess.Popen(
            ["git", "fast-import", "--quiet", "--done", f"--export-marks={self.marks_file}"],
            cwd=repo, stdin=subprocess.PIPE)
        self.out = self.proc.stdin
        self.mark = 0
        self.commits = 0

    def blob(self, data: bytes) -> int:
        self.mark += 1
        self.out.write(b"blob\nmark :%d\ndata %d\n%s\n" % (self.mark, len(data), data))
        return self.mark

    def commit(self, ref: str, message: str, changes: list[tuple[bytes, int | None]],
               parent: int | None = None, merge: int | None = None) -> int:
        self.mark += 1
        when = START_TIME + 3600 * self.commits
        self.commits += 1
        msg = message.encode()
        head = b"commit %s\nmark :%d\nauthor %s %d +0000\ncommitter %s %d +0000\ndata %d\n%s\n" % (
            ref.encode(), self.mark, IDENT.encode(), when, IDENT.encode(), when, len(msg), msg)
        if parent is not None:
            head += b"from :%d\n" % parent
        if merge is not None:
            head += b"merge :%d\n" % merge
        body = []
        for path, mark in changes:
            quoted = quote(path)
            body.append(b"D %s\n" % quoted if mark is None else b"M 100644 :%d %s\n" % (mark, quoted))
        self.out.write(head + b"".join(body) + b"\n")
        return self.mark

    def raw(self, data: bytes):
        self.out.write(data)

    def close(self) -> dict[int, str]:
        self.out.write(b"done\n")
        self.out.close()
        if self.proc.wait() != 0:
            raise RuntimeError("git fast-import failed")
        marks = {}
        for line in self.marks_file.read_text().splitlines():
            mark, sha = line.split()
            marks[int(mark[1:])] = sha
        self.marks_file.unlink()
        return marks


def quote(path: bytes) -> bytes:
    """fast-import's C-style quoting, so that any byte is safe in a path."""
    out = bytearray(b'"')
    for byte in path:
        if byte in (0x22, 0x5C):
            out += b"\\" + bytes([byte])
        elif byte < 0x20 or byte >= 0x7F:
            out += b"\\%03o" % byte
        else:
            out.append(byte)
    return bytes(out + b'"')


def generate(repo: Path, commits: int, files: int, seed: int = 1) -> dict:
    """Build the repository; returns what was planted (path, blob mark, commit mark) per finding."""
    rng = random.Random(seed)
    repo.mkdir(parents=True, exist_ok=True)
    run(["git", "init", "-q", "-b", "main", str(repo)])
    fi = FastImport(repo)
    paths = make_paths(files, rng)
    rest = paths[7:]
    rng.shuffle(rest)
    paths[7:] = rest
    # Commits touch files unevenly, as in real projects: a few hot files change all the time.
    weights: list[float] = []
    live: list[bytes] = []
    versions: dict[bytes, int] = {}
    next_new = 0
    planted: dict[str, dict] = {}

    def at(fraction: float) -> int:
        return max(1, int(commits * fraction))

    def binary(size: int) -> bytes:
        return b"\x80\x02\x00" + rng.randbytes(size)

    csv = ("customer_id,tenure,contract,monthly_charges,churn\n" + "".join(
        f"{i},{i % 72},{('monthly', 'yearly')[i % 2]},{20 + i % 97}.5,{i % 5 == 0}\n"
        for i in range(6000))).encode()
    # path -> (added at, deleted at, content, kind); the kinds the history rules should report.
    plan = {
        b"models/churn-model.pkl": (0.10, 0.30, binary(200_000), "model weights"),
        b"data/raw/customers 2023.csv": (0.15, 0.40, csv, "datasets"),
        b"models/mod\xe8le-final.pt": (0.35, 0.50, binary(100_000), "model weights"),
        b"mlruns/0/3f2a9c/meta.yaml": (0.45, 0.55, b"artifact_uri: ./mlruns/0/3f2a9c\n", "experiment logs"),
        b".env": (0.05, 0.07, b"DEBUG=1\nREGION=westeurope\n", "secrets"),
        b"assets/demo-recording.bin": (0.20, 0.25, rng.randbytes(6 * 1024 * 1024), "large"),
    }
    secret_path = b"src/churn_storage/storage_client.py"
    # Committed, then edited with the value still in it (a typical fix-up commit), then removed.
    secret_at, secret_edit, secret_gone = at(0.60), at(0.62), at(0.65)
    secret = fake_connection_string(rng)
    events: dict[int, list[tuple[bytes, bytes | None, str]]] = {}
    for path, (add, delete, content, kind) in plan.items():
        events.setdefault(at(add), []).append((path, content, kind))
        events.setdefault(at(delete), []).append((path, None, kind))

    main = None
    feature = None  # [ref, last commit mark, {path: blob mark or None}] while a branch is open
    n = 0  # iterations: one non-merge commit each (merges are extra, counted in fi.commits)
    while fi.commits < commits:
        changes: list[tuple[bytes, int | None]] = []
        added: list[str] = []
        # New files arrive steadily; the first commit brings a tenth of them.
        due = files // 10 if n == 0 else round(files * (fi.commits + 1) / commits) - next_new
        new = paths[next_new:next_new + max(0, due)]
        next_new += len(new)
        for path in new:
            live.append(path)
            weights.append(0.5 if path in paths[:7] else 1.0 if rng.random() < 0.1 else 0.05)
            versions[path] = 0
        touched = set(new)
        if n:
            touched.update(rng.choices(live, weights=weights, k=rng.randint(1, 5)))
        for path in sorted(touched):
            versions[path] += 1
            changes.append((path, fi.blob(text_blob(path, versions[path], rng))))
        # Now and then a file is deleted (its old versions stay in the history).
        if n and rng.random() < 0.03 and len(live) > 50:
            i = rng.randrange(7, len(live))
            victim = live.pop(i)
            weights.pop(i)
            changes = [c for c in changes if c[0] != victim] + [(victim, None)]
        for path, content, kind in events.get(n, []):
            if content is None:
                changes.append((path, None))
            else:
                mark = fi.blob(content)
                name = path.decode("utf-8", "surrogateescape")
                planted[name] = {"kind": kind, "blob": mark}
                added.append(name)
                changes.append((path, mark))
        if n in (secret_at, secret_edit, secret_gone):
            body = (b'"""Client for the churn feature store."""\nimport os\n\nfrom azure.storage.blob '
                    b"import BlobServiceClient\n\n")
            if n == secret_gone:
                body += b'CONNECTION = os.environ["AZURE_STORAGE_CONNECTION_STRING"]\n'
            else:
                body += b'CONNECTION = "' + secret + b'"\n'
            body += b"\n\ndef client():\n    return BlobServiceClient.from_connection_string(CONNECTION)\n"
            if n == secret_edit:
                body += b"\n\ndef container(name):\n    return client().get_container_client(name)\n"
            mark = fi.blob(body)
            changes.append((secret_path, mark))
            if n == secret_at:
                planted[secret_path.decode()] = {"kind": "secret", "blob": mark}
                added.append(secret_path.decode())
        message = f"{rng.choice(WORDS)}: {' '.join(rng.sample(WORDS, 4))} (#{n})"
        # Every ~40 commits a feature branch of four commits is merged back into main.
        if feature is None and main is not None and n % 40 == 10:
            feature = [f"refs/heads/feature/{n}", main, {}]
        if feature is not None:
            commit = feature[1] = fi.commit(feature[0], message, changes, parent=feature[1])
            feature[2].update(changes)
        else:
            commit = main = fi.commit("refs/heads/main", message, changes, parent=main)
        for name in added:
            planted[name]["commit"] = commit
        if feature is not None and n % 40 == 13:  # merge: main's tree becomes the feature's tree
            main = fi.commit("refs/heads/main", f"Merge branch '{feature[0][11:]}'",
                             sorted(feature[2].items()), parent=main, merge=feature[1])
            feature = None
        n += 1
    if feature is not None:
        main = fi.commit("refs/heads/main", f"Merge branch '{feature[0][11:]}'",
                         sorted(feature[2].items()), parent=main, merge=feature[1])
    # An abandoned experiment branch holds a model that never reached main, and a tag.
    mark = fi.blob(binary(50_000))
    planted["models/experiment.h5"] = {"kind": "model weights", "blob": mark}
    side = fi.commit("refs/heads/experiment/keras", "try keras", [(b"models/experiment.h5", mark)],
                     parent=main)
    planted["models/experiment.h5"]["commit"] = side
    fi.raw(b"reset refs/tags/v1.0\nfrom :%d\n\n" % main)
    marks = fi.close()
    run(["git", "-C", str(repo), "reset", "-q", "--hard", "main"])
    for info in planted.values():
        info["blob"] = marks[info["blob"]]
        info["commit"] = marks[info["commit"]]
    # Kept inside .git so that a repository reused with --keep is still checked.
    (repo / ".git" / PLANTED_FILE).write_text(json.dumps(planted, indent=1))
    return planted


# --------------------------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------------------------

def run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=True, stdout=subprocess.PIPE, **kwargs)


CHECK_FORMAT = "%(objectname) %(objecttype) %(objectsize) %(rest)"


def git_pipeline(repo: Path) -> None:
    """``git rev-list --objects --all | git cat-file --batch-check`` through a real OS pipe."""
    rev_list = subprocess.Popen(["git", "rev-list", "--objects", "--all"], cwd=repo,
                                stdout=subprocess.PIPE)
    # (without %(rest) in the format, cat-file takes the whole line, path and all, for the
    # object's name, and answers "missing" for every tree and blob)
    cat = subprocess.Popen(["git", "cat-file", f"--batch-check={CHECK_FORMAT}"], cwd=repo,
                           stdin=rev_list.stdout, stdout=subprocess.DEVNULL)
    rev_list.stdout.close()
    if cat.wait() != 0 or rev_list.wait() != 0:
        raise RuntimeError("git pipeline failed")


def blobs_scan_reads(repo: Path, RepoContext, list_blobs) -> tuple[list[str], int]:
    """The blobs whose content the full scan reads (every text version up to the blob limit)."""
    from checkers.repo import artifacts
    from checkers.repo.history import BINARY_SUFFIXES

    ctx = RepoContext(root=repo)
    picked = [(sha, size) for sha, size, path in list_blobs(ctx)
              if artifacts.classify(path, size) is None and size <= ctx.max_blob_size
              and not path.lower().endswith(BINARY_SUFFIXES)]
    return [sha for sha, _ in picked], sum(size for _, size in picked)


def git_read_every_blob(repo: Path) -> int:
    """The issue's first baseline: git hands over every blob of the history (``cat-file --batch``).
    Returns how many blobs it read (a baseline that read none would flatter nothing but us)."""
    rev_list = subprocess.Popen(["git", "rev-list", "--objects", "--all"], cwd=repo,
                                stdout=subprocess.PIPE)
    # %(rest): the path after the name (without it, every named object is "missing")
    check = subprocess.Popen(["git", "cat-file", "--batch-check=%(objecttype) %(objectname) %(rest)"],
                             cwd=repo, stdin=rev_list.stdout, stdout=subprocess.PIPE)
    rev_list.stdout.close()
    shas = [line.split()[1] + b"\n" for line in check.stdout if line.startswith(b"blob ")]
    check.wait()
    rev_list.wait()
    if not shas:
        raise RuntimeError("git listed no blob: the baseline would read nothing")
    subprocess.run(["git", "cat-file", "--batch"], cwd=repo, input=b"".join(shas),
                   stdout=subprocess.DEVNULL, check=True)
    return len(shas)


def git_log_patch(repo: Path) -> None:
    """The issue's second baseline: ``git log -p --all`` (every change of every commit)."""
    subprocess.run(["git", "log", "-p", "--all"], cwd=repo, stdout=subprocess.DEVNULL, check=True)


def git_read(repo: Path, shas: list[str]) -> None:
    request = "".join(sha + "\n" for sha in shas).encode()
    subprocess.run(["git", "cat-file", "--batch"], cwd=repo, input=request,
                   stdout=subprocess.DEVNULL, check=True)


def repo_stats(repo: Path) -> dict:
    out = subprocess.run(
        "git rev-list --objects --all | git cat-file --batch-check='%(objecttype) %(rest)'",
        shell=True, cwd=repo, check=True, stdout=subprocess.PIPE).stdout
    kinds: dict[bytes, int] = {}
    paths = set()
    for line in out.splitlines():
        kind, _, path = line.partition(b" ")
        kinds[kind] = kinds.get(kind, 0) + 1
        if kind == b"blob":
            paths.add(path)
    size = sum(f.stat().st_size for f in (repo / ".git" / "objects").rglob("*") if f.is_file())
    return {"commits": kinds.get(b"commit", 0), "trees": kinds.get(b"tree", 0),
            "blobs": kinds.get(b"blob", 0), "objects": sum(kinds.values()),
            "unique paths": len(paths), "pack size": f"{size / 2**20:.1f} MiB"}


def cpu_time(fn) -> float:
    """CPU seconds (user+sys) of this process and its git children while ``fn`` runs."""
    def now():
        a, b = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime
    start = now()
    fn()
    return now() - start


def timed(fn, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--commits", type=int, default=3000, help="commits to generate (3000)")
    parser.add_argument("--files", type=int, default=3000, help="distinct file paths (3000)")
    parser.add_argument("--keep", metavar="DIR", type=Path,
                        help="generate into DIR and keep it; reuse DIR if it already is a repository")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (3); best and median shown")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the generator (1)")
    parser.add_argument("--no-check-repo", action="store_true", help="skip timing the whole check_repo")
    args = parser.parse_args(argv)
    args.repeat = max(1, args.repeat)

    from checkers import check_repo
    from checkers.repo.context import RepoContext
    from checkers.repo.history import list_blobs, scan

    tmp = None
    planted: dict | None = None
    if args.keep is not None and (args.keep / ".git").is_dir():
        repo = args.keep.resolve()
        print(f"reusing {repo}")
        try:
            planted = json.loads((repo / ".git" / PLANTED_FILE).read_text())
        except (OSError, ValueError):
            print("(not generated by this script: planted findings not checked)")
    else:
        if args.keep is not None:
            repo = args.keep.resolve()
        else:
            tmp = tempfile.mkdtemp(prefix="history-bench-")
            repo = Path(tmp) / "repo"
        start = time.perf_counter()
        try:
            planted = generate(repo, args.commits, args.files, args.seed)
        except (OSError, RuntimeError, subprocess.CalledProcessError) as exc:
            print(f"generating the repository failed: {exc}", file=sys.stderr)
            if tmp:
                shutil.rmtree(tmp, ignore_errors=True)
            return 1
        print(f"generated {repo} in {time.perf_counter() - start:.1f} s")
    try:
        report(repo, args, planted, RepoContext, list_blobs, scan, check_repo)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


def report(repo, args, planted, RepoContext, list_blobs, scan, check_repo) -> None:
    stats = repo_stats(repo)
    print("repository: " + ", ".join(f"{v} {k}" for k, v in stats.items()))

    def path_pass():
        for _ in list_blobs(RepoContext(root=repo)):
            pass

    results = {}

    def full_scan():
        results["scan"] = scan(RepoContext(root=repo))

    def whole_check():
        results["check"] = check_repo(repo)

    shas, nbytes = blobs_scan_reads(repo, RepoContext, list_blobs)
    rows = [("(a) git rev-list --objects --all | git cat-file --batch-check",
             timed(lambda: git_pipeline(repo), args.repeat), "base"),
            ("(b) list_blobs(ctx): paths and sizes", timed(path_pass, args.repeat), "goal"),
            ("(c) scan(ctx): full history scan", timed(full_scan, args.repeat), "goal"),
            (f"    for context, git cat-file --batch of the {len(shas)} text blobs (c) reads "
             f"({nbytes / 2**20:.1f} MiB)", timed(lambda: git_read(repo, shas), args.repeat), "ctx")]
    if not args.no_check_repo:
        rows.append(("(d) check_repo(path): every repository rule", timed(whole_check, args.repeat), "ctx"))
    every_blob = timed(lambda: git_read_every_blob(repo), args.repeat)
    log_patch = timed(lambda: git_log_patch(repo), args.repeat)
    rows.append(("(e) git cat-file --batch of every blob of the history", every_blob, "ctx"))
    rows.append(("(f) git log -p --all", log_patch, "ctx"))
    base = min(rows[0][1])
    width = max(len(r[0]) for r in rows)
    print(f"\n{'best of %d runs' % args.repeat:<{width}}  {'best':>8}  {'median':>8}  {'ours/git':>8}")
    for label, times, role in rows:
        best = min(times)
        line = f"{label:<{width}}  {best:>7.3f}s  {statistics.median(times):>7.3f}s"
        if role == "goal":
            line += f"  {best / base:>8.2f}  {'PASS' if best / base <= GOAL else 'MISS'}"
        elif role == "ctx":
            line += f"  {best / base:>8.2f}"
        print(line)
    print(f"goal: ours/git <= {GOAL} (at least half of git's rate) for (b) and (c)")
    scan_best = min(rows[2][1])
    r1, r2 = scan_best / min(every_blob), scan_best / min(log_patch)
    cpu_scan = cpu_time(full_scan)
    cpu_blobs = cpu_time(lambda: git_read_every_blob(repo))
    cpu_log = cpu_time(lambda: git_log_patch(repo))
    print(f"CPU time (user+sys, ours and git's; a loaded machine inflates wall time, not this): "
          f"scan {cpu_scan:.2f} s, every blob {cpu_blobs:.2f} s, log -p {cpu_log:.2f} s; "
          f"ratios {cpu_scan / cpu_blobs:.2f} and {cpu_scan / cpu_log:.2f}")
    print(f"issue ratio 1: full scan (c) / git reading every blob (e) = {r1:.2f}  "
          f"(goal <= 2.0: {'PASS' if r1 <= 2.0 else 'MISS'})")
    print(f"issue ratio 2: full scan (c) / git log -p --all (f)       = {r2:.2f}  "
          f"(goal <= 1.0: {'PASS' if r2 <= 1.0 else 'MISS'})")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak RSS: this process {own:.0f} MiB, largest child (git, or the scan worker) {kids:.0f} MiB")

    result = results["scan"]
    print(f"\nscan found: {sum(len(v) for v in result.artifacts.values())} artifact blobs at "
          f"{len(result.artifacts)} paths, {len(result.large)} large blobs, {len(result.secrets)} "
          f"secret hits, {len(result.first_commit)} first commits")
    if "check" in results:
        by_rule: dict[str, int] = {}
        for f in results["check"].findings:
            by_rule[f.rule] = by_rule.get(f.rule, 0) + 1
        print("check_repo findings: " + (", ".join(f"{k} {v}" for k, v in sorted(by_rule.items())) or "none"))
    if planted:
        check_planted(result, planted)


def check_planted(result, planted: dict) -> None:
    """Is each planted finding reported, and attributed to the commit that added it?

    The blob a rule names is the one it reports: the biggest per path for artifacts and large
    files, the oldest hit per path for secrets (``history-secret`` names the oldest commit of each value).
    """
    print("\nplanted findings (reported / commit the finding names):")
    shown_blob = {path: max(blobs, key=lambda b: b.size) for path, blobs in result.artifacts.items()}
    shown_blob.update(result.large)
    def age(blob):
        return result.first_commit.get(blob.sha, ("", -1))[1]

    for blob, _ in result.secrets:  # history-secret names the oldest commit holding the value
        if blob.path not in shown_blob or age(blob) > age(shown_blob[blob.path]):
            shown_blob[blob.path] = blob
    problems = 0
    for path, info in sorted(planted.items()):
        blob = shown_blob.get(path)
        got = result.first_commit.get(blob.sha, (None,))[0] if blob else None
        if not got:
            attributed = "no commit"
        elif info["commit"].startswith(got):
            attributed = f"{got} ok"
        else:
            attributed = f"{got} WRONG: added in {info['commit'][:len(got)]}"
        problems += blob is None or not attributed.endswith(" ok")
        shown = path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        print(f"  {shown:<38} {info['kind']:<16} {'found' if blob else 'MISSED':<7} {attributed}")
    for extra in sorted(set(shown_blob) - set(planted)):
        print(f"  unexpected: {extra}")
    print("  all planted findings reported and attributed" if not problems
          else f"  {problems} planted finding(s) missed or misattributed")

if __name__ == "__main__":
    sys.exit(main())
