"""How many secrets does the scan find, and how many false alarms does it raise?

Two sample sets; neither is stored as literal secrets in this repository:

* ``tests/secret_samples/gitleaks.json``: the literal true- and false-positive samples that
  gitleaks keeps next to each rule (``cmd/generate/config/rules/*.go``, MIT), extracted by
  ``--extract /path/to/gitleaks-checkout`` (a git directory or work tree).
* ``tests/secret_samples/own.py``: samples written for this course (random values, assembled at
  run time), in shapes gitleaks' rules never saw (notebook JSON, YAML configs, .env files, Azure
  ML and MLflow scripts, kaggle.json, DVC files ...).

Prints found/total per group and overall, for every rule and for the kinds ML repositories leak
(cloud keys, Hugging Face, OpenAI and other model APIs, Kaggle, Git hosting tokens, private keys,
JWTs, connection strings). Goal: >= 95% found and <= 2% false on those kinds.

    .venv/bin/python benchmarks/secret_recall.py [--verbose]
    .venv/bin/python benchmarks/secret_recall.py --extract /work/.mirror/gitleaks+gitleaks/repo
"""
from __future__ import annotations

import argparse
import base64
import codecs
import json
import re
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
SAMPLES = REPO_ROOT / "tests" / "secret_samples"

# gitleaks rule ids (prefixes) of the kinds ML repositories leak.
ML_KINDS = ("aws-", "azure-", "gcp-", "huggingface-", "openai-", "anthropic-", "cohere-",
            "perplexity-", "github-", "gitlab-", "bitbucket-", "private-key", "jwt", "databricks-",
            "kaggle", "generic-api-key", "slack-", "pypi-", "npm-", "privateai-")


def is_ml_kind(rule: str) -> bool:
    return rule.startswith(ML_KINDS)


# ------------------------------------------------------------------------------ extraction
_TOKEN = re.compile(r'`[^`]*`|"(?:\\.|[^"\\\n])*"|//[^\n]*|/\*.*?\*/|[(){}\[\],]|[^\s(){}\[\],"`/]+|/',
                    re.S)
_START = re.compile(r"\b(tps|fps)\s*(?::=\s*\[\]string\{|=\s*append\(\s*(?:tps|fps)\s*,)")


def _literal(token: str) -> str | None:
    if token.startswith("`"):
        return token[1:-1]
    if token.startswith('"'):
        return codecs.decode(token[1:-1].encode("latin-1", "backslashreplace"), "unicode_escape")
    return None


def extract(source: str) -> list[tuple[str, str, str]]:
    """(rule id, "tp"|"fp", sample) for every sample that is a single string literal."""
    out = []
    rule_at = [(m.start(), m.group(1)) for m in re.finditer(r'RuleID:\s*"([^"]+)"', source)]
    for start in _START.finditer(source):
        kind = "tp" if start.group(1) == "tps" else "fp"
        rule = next((r for pos, r in reversed(rule_at) if pos < start.start()), "?")
        depth, element = 1, []
        for tok in _TOKEN.finditer(source, start.end()):
            t = tok.group(0)
            if t.startswith(("//", "/*")):
                continue
            if t in "({[" and len(t) == 1:
                depth += 1
            elif t in ")}]" and len(t) == 1:
                depth -= 1
                if depth == 0:
                    break
            if depth == 1 and t == ",":
                if len(element) == 1 and _literal(element[0]) is not None:
                    out.append((rule, kind, _literal(element[0])))
                element = []
                continue
            element.append(t)
        if len(element) == 1 and _literal(element[0]) is not None:
            out.append((rule, kind, _literal(element[0])))
    return out


def extract_repo(path: str) -> list[tuple[str, str, str]]:
    git = ["git", "--git-dir", path] if not (Path(path) / ".git").exists() else ["git", "-C", path]
    names = subprocess.run([*git, "ls-tree", "--name-only", "HEAD", "cmd/generate/config/rules/"],
                           capture_output=True, text=True, check=True).stdout.split()
    samples = []
    for name in names:
        if name.endswith(".go") and not name.endswith("_test.go"):
            source = subprocess.run([*git, "show", f"HEAD:{name}"], capture_output=True,
                                    text=True, check=True).stdout
            samples.extend(extract(source))
    return samples


def save(path: Path, samples, note: str) -> None:
    data = {"note": note, "samples": [
        {"rule": r, "kind": k, "b64": base64.b64encode(s.encode()).decode()} for r, k, s in samples]}
    path.write_text(json.dumps(data, indent=0) + "\n")


def load(path: Path) -> list[tuple[str, str, str]]:
    data = json.loads(path.read_text())
    return [(s["rule"], s["kind"], base64.b64decode(s["b64"]).decode()) for s in data["samples"]]


# ------------------------------------------------------------------------------ measuring
def measure(samples, only=None):
    from checkers.repo.secretscan import scan_text

    rows = {}
    for rule, kind, text in samples:
        if only and not only(rule):
            continue
        hits = scan_text(text, path=_path_for(rule))
        if kind == "fp":
            # gitleaks checks a rule's false samples against that rule alone: a sample that
            # another of its rules reports is what gitleaks itself reports, not our false alarm.
            hits = [h for h in hits if not h.rule or h.rule == rule]
        found = bool(hits)
        r = rows.setdefault(rule, {"tp": [0, 0], "fp": [0, 0]})
        r[kind][1] += 1
        r[kind][0] += found
    return rows


def _path_for(rule: str) -> str | None:
    # A few gitleaks rules apply only to some files (Terraform, NuGet, Kubernetes YAML, PHP).
    return {"hashicorp-tf-password": "main.tf", "nuget-config-password": "nuget.config",
            "kubernetes-secret-yaml": "secret.yaml", "freemius-secret-key": "config.php"}.get(rule)


def totals(rows):
    tp = [sum(r["tp"][i] for r in rows.values()) for i in (0, 1)]
    fp = [sum(r["fp"][i] for r in rows.values()) for i in (0, 1)]
    return tp, fp


def report(name, rows, verbose):
    (tf, tt), (ff, ft) = totals(rows)
    print(f"{name:38} found {tf:4}/{tt:<4} ({100 * tf / max(tt, 1):5.1f}%)   "
          f"false {ff:4}/{ft:<4} ({100 * ff / max(ft, 1):4.1f}%)")
    if verbose:
        for rule, r in sorted(rows.items()):
            if r["tp"][0] < r["tp"][1] or r["fp"][0]:
                print(f"    {rule:40} tp {r['tp'][0]}/{r['tp'][1]}  fp {r['fp'][0]}/{r['fp'][1]}")
    return tf / max(tt, 1), ff / max(ft, 1)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--extract", metavar="GITLEAKS", help="re-extract gitleaks' samples")
    parser.add_argument("--verbose", action="store_true", help="list the rules with misses")
    args = parser.parse_args(argv)
    if args.extract:
        samples = extract_repo(args.extract)
        save(SAMPLES / "gitleaks.json", samples,
             "Literal samples from gitleaks' cmd/generate/config/rules/*.go (MIT, Copyright (c) "
             "2019 Zachary Rice), base64-encoded; regenerate with benchmarks/secret_recall.py --extract")
        print(f"extracted {len(samples)} samples")
    from tests.secret_samples.own import samples

    gl = load(SAMPLES / "gitleaks.json")
    own = samples()
    report("gitleaks samples, every rule", measure(gl), args.verbose)
    report("gitleaks samples, ML kinds", measure(gl, is_ml_kind), args.verbose)
    report("own samples (never seen by gitleaks)", measure(own), args.verbose)
    return 0


if __name__ == "__main__":
    sys.exit(main())
