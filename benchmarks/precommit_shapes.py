"""`checkers repo --no-history` (the pre-commit mode) on work trees shaped like the real
repositories where it was slow, next to an older commit's checkers.

``precommit_check.py`` times the issue's generated tree (small files and notebooks of base64
images); real checkouts were slower for other reasons (issue 12 audit: great_expectations, mlrun,
diffusers, metaflow 17-50 s; openai-python, torchtune 25-31 s; wandb 9 s). Each case here
reproduces one of those reasons:

- ``fixtures`` (great_expectations): test fixtures of JSON and CSV records, 40 MB, one-line and
  indented, among 1,200 Python files; a private-key fixture in a test; ``curl`` in CI files;
- ``notebooks`` (mlrun): notebooks whose outputs hold a 2 MB line of minified JavaScript (a
  plotly figure), among Python files that use ``"username"``;
- ``python`` (diffusers, openai-python): 2,500 Python files, 45 MB of code;
- ``vocab`` (torchtune): tokenizer files (a 1 MB one-line ``vocab.json``, ``merges.txt``) full
  of the characters RE2 and Python fold differently (dotless i, long s).

Each case is timed as a whole process (``python -m checkers repo DIR --no-history --format
json``), ``--repeat`` times; with ``--before COMMIT`` the checkers of that commit run in turn
with this checkout's (interleaved: a shared machine's load drifts), and the script says whether
both printed the same JSON. ``--repo DIR`` adds a clone of a real repository.

    .venv/bin/python benchmarks/precommit_shapes.py --keep /tmp/shapes --generate-only
    .venv/bin/python benchmarks/precommit_shapes.py --keep /tmp/shapes --before f6cdc53 [--repeat 3]
    .venv/bin/python benchmarks/precommit_shapes.py --keep /tmp/shapes --case python --repo ~/diffusers
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
import tarfile
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1",
       "GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "b@example.com",
       "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "b@example.com"}
NAMES = ["model", "token", "key", "api", "task", "mask", "config", "batch", "scheduler", "unet",
         "pipeline", "dataset", "client", "session", "response", "params", "hidden_states"]
CODE = ["import os", "from typing import Optional", "", "class {A}Pipeline:",
        "    def __init__(self, {a}: Optional[str] = None, api_key: str | None = None):",
        "        self.api_key = api_key or os.environ.get('{A}_API_KEY')",
        "        self.{a} = {b}.from_pretrained('org/{a}-{n}', subfolder='{b}')",
        "    def __call__(self, {a}, {b}=None, **kwargs):",
        "        # they mask the {a} so that the task sees only the {b}",
        "        {a}_{b} = torch.cat([{a}, {b}], dim=-1).to(self.device)",
        "        return self.client.post('/v1/{a}s', body={{'{b}': {b}}}, cast_to={A}Response)",
        "    >>> url = 'https://huggingface.co/docs/{a}/{b}#{n}'", "        raise ValueError(f'{a}={{{a}}}')"]


def code_file(rng: random.Random, lines: int) -> str:
    out = []
    for _ in range(lines):
        a, b = rng.sample(NAMES, 2)
        out.append(rng.choice(CODE).format(a=a, b=b, A=a.title().replace("_", ""), n=rng.randint(1, 99)))
    return "\n".join(out) + "\n"


def records(rng: random.Random, n: int) -> list[dict]:
    return [{"vendor_id": rng.randint(1, 2), "pickup_datetime": f"2019-05-{rng.randint(1, 28):02d} "
             f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00", "passenger_count": rng.randint(1, 6),
             "trip_distance": round(rng.random() * 20, 2), "payment_type": rng.randint(1, 4),
             "total_amount": round(rng.random() * 80, 2), "store_and_fwd_flag": rng.choice("NY")}
            for _ in range(n)]


def minified_js(rng: random.Random, size: int) -> str:
    """Minified JavaScript as a plotly figure embeds it: a keyword of some rule (``s.``,
    ``key``, ``api``) every 300 characters or so, as in mlrun's tutorials."""
    parts, total = [], 0
    while total < size:
        a, b, n = rng.choice("tenraoc"), rng.choice("iuflhd"), rng.randint(0, 999)
        part = rng.choice([f"function {a}{b}({a},{b}){{return {a}+{b}*{n}}}", f"var {a}={b}({n})",
                           f"if({a}<{n}){{{b}=[{a},{n}]}}", f'{a}["{b}{n}"]={b}.length'])
        if rng.random() < 0.1:
            part += rng.choice([f";s.{b}={a}", f";{a}.key={b}", f";{a}=t.api({n})"])
        parts.append(part)
        total += len(part) + 1
    return ";".join(parts)


def write(repo: Path, path: str, text: str) -> None:
    (repo / path).parent.mkdir(parents=True, exist_ok=True)
    (repo / path).write_text(text, encoding="utf-8")


def generate(repo: Path, case: str, seed: int = 12) -> None:
    rng = random.Random(seed)
    subprocess.run(["git", "init", "-q", str(repo)], check=True, env=ENV)
    write(repo, ".github/workflows/ci.yml", "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
          "    steps:\n      - run: |\n          curl -fsSL https://example.com/get.sh -o get.sh\n"
          "          bash get.sh -b -u -p /opt/tool\n")
    code_files = {"fixtures": 1200, "notebooks": 300, "python": 2500, "vocab": 800}[case]
    for i in range(code_files):
        write(repo, f"src/pkg{i % 20}/module_{i}.py", code_file(rng, rng.randint(40, 400)))
    if case == "fixtures":
        for i in range(12):
            data = records(rng, 20000)
            write(repo, f"tests/fixtures/trips_{i}.json",
                  json.dumps(data) if i % 2 else json.dumps(data, indent=2))
            write(repo, f"tests/fixtures/trips_{i}.csv", "\n".join(
                ",".join(str(v) for v in row.values()) for row in data) + "\n")
        key = "\n".join(base64.b64encode(rng.randbytes(48)).decode() for _ in range(12))
        write(repo, "tests/test_snowflake.py", f'KEY = b"""-----BEGIN RSA PRIVATE KEY-----\n{key}\n'
              '-----END RSA PRIVATE KEY-----"""\n')
    elif case == "notebooks":
        for i in range(8):
            cells = [{"cell_type": "code", "execution_count": 1, "metadata": {}, "source": [
                "import plotly.express as px\n", "fig = px.line(df)\n", "fig.show()\n"],
                "outputs": [{"output_type": "display_data", "metadata": {}, "data": {
                    "text/html": ["<script>\n", minified_js(rng, 2_000_000), "</script>\n"]}}]}]
            write(repo, f"docs/tutorials/{i:02d}-tutorial.ipynb", json.dumps(
                {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1))
        for i in range(40):
            write(repo, f"automation/release_{i}.py", 'user = match.groupdict()["username"]\n'
                  + code_file(rng, 50))
    elif case == "vocab":
        letters = "abcdefghijklmnopqrstuvwxyzıſĠ"
        vocab = {"".join(rng.choices(letters, k=rng.randint(2, 9))): i for i in range(80000)}
        write(repo, "tests/assets/vocab.json", json.dumps(vocab, ensure_ascii=False))
        write(repo, "tests/assets/merges.txt", "#version: 0.2\n" + "\n".join(
            f"{a} {b}" for a, b in zip(list(vocab)[::2], list(vocab)[1::2])) + "\n")
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True, env=ENV)
    subprocess.run(["git", "commit", "-q", "-m", case], cwd=repo, check=True, env=ENV)


def run(checkers_root: str, repo: Path) -> tuple[float, float, str]:
    """(wall, CPU of the process, its JSON output) of one `checkers repo --no-history`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "checkers", "repo", str(repo), "--no-history",
                           "--format", "json"], cwd=checkers_root, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"checkers repo {repo} failed ({proc.returncode}): {proc.stderr.strip()}")
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, proc.stdout


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--case", action="append", choices=["fixtures", "notebooks", "python", "vocab"],
                        help="the generated cases to time (default: all)")
    parser.add_argument("--repo", action="append", type=Path, default=[],
                        help="also time this work tree (a clone of a real repository)")
    parser.add_argument("--before", help="also time the checkers of this commit, interleaved")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="generate the cases under DIR, or reuse them")
    parser.add_argument("--generate-only", action="store_true")
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="precommit-shapes-"))
    try:
        base = (args.keep or tmp).resolve()
        trees = []
        for case in args.case or ([] if args.repo and not args.case else
                                  ["fixtures", "notebooks", "python", "vocab"]):
            repo = base / case
            if not (repo / ".git").is_dir():
                start = time.perf_counter()
                repo.mkdir(parents=True, exist_ok=True)
                generate(repo, case)
                print(f"generated {case} in {time.perf_counter() - start:.1f} s", flush=True)
            trees.append((case, repo))
        trees += [(repo.name, repo.resolve()) for repo in args.repo]
        if args.generate_only:
            return 0
        sides = {"this checkout": str(REPO_ROOT)}
        if args.before:
            archive = tmp / "before.tar"
            subprocess.run(["git", "-C", str(REPO_ROOT), "archive", "-o", str(archive), args.before,
                            "checkers"], check=True)
            with tarfile.open(archive) as tar:
                tar.extractall(tmp / "before")
            sides = {f"before ({args.before})": str(tmp / "before"), **sides}
        print(f"checkers repo DIR --no-history --format json, {args.repeat} runs each, medians; load "
              + " ".join(f"{x:.1f}" for x in os.getloadavg()) + f" on {os.cpu_count()} cores")
        for name, repo in trees:
            listed = subprocess.run(["git", "ls-files", "-z"], cwd=repo, capture_output=True,
                                    check=True).stdout.split(b"\0")
            files = [repo / os.fsdecode(p) for p in listed if p]
            size = sum(f.stat().st_size for f in files if f.is_file())
            rows = {side: [] for side in sides}
            for _ in range(max(1, args.repeat)):
                for side, root in sides.items():
                    rows[side].append(run(root, repo))
            outputs = {out for runs in rows.values() for _, _, out in runs}
            print(f"{name}: {len(files)} tracked files, {size / 2**20:.0f} MiB"
                  + ("" if len(sides) == 1 else "; same JSON on both sides" if len(outputs) == 1
                     else "; JSON DIFFERS between the sides"))
            for side, runs in rows.items():
                wall, cpu = [r[0] for r in runs], [r[1] for r in runs]
                print(f"  {side:<22} wall {statistics.median(wall):6.2f} s (best {min(wall):.2f})  "
                      f"CPU {statistics.median(cpu):6.2f} s")
        print("load " + " ".join(f"{x:.1f}" for x in os.getloadavg()))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
