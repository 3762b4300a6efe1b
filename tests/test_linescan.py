"""The work tree's secret scan on a batch's kept lines (``checkers.repo.linescan``) reports
exactly what the scan of the whole batch reports.

Batches are built to reach the edges of the argument: every true and false sample of every
rule (gitleaks' and ours) among lines of code, private keys and ``curl`` commands over several
lines, a key's header in one file and a ``KEY-----`` in the next, ``kaggle.json`` and
Kubernetes secrets (rules whose matches have no bound), secrets on the first and last lines,
long lines around the keyword windows' edges, encoded runs, code in notebook JSON strings,
CRLF, non-ASCII text and the characters RE2 folds otherwise.
"""
from __future__ import annotations

import base64
import json
import random
import re

import pytest

from checkers.repo import linescan, prefilter, secretscan
from checkers.repo.secretscan import scan_text

from .test_history_scan import corpus

re2 = pytest.importorskip("re2")

CODE = ["import os", "def train(df):", "    return df", "", "x = 1", "key = os.environ['K']",
        "token = get_token()", "    self.api_key = api_key", "they asked for the task mask",
        "path = os.path.join(base, 's.json')", '        "username": "jdoe",', '  "key": "value",',
        "  curl -fsSL https://example.com/install.sh -o install.sh", "bash install.sh -b -u -p /opt",
        "kind: Secret", "data:", "  password: hunter2hunter2", "# Größe der Stichprobe", "}", "  ]",
        'headers = {"Authorization": f"Bearer {token}"}', "-----BEGIN CERTIFICATE-----"]
KEY_BODY = base64.b64encode(bytes(range(256)) * 2).decode()
SPREAD = [  # matches over several lines, and pieces of them
    "-----BEGIN RSA PRIVATE KEY-----\n" + "\n".join(KEY_BODY[i:i + 64] for i in range(0, 320, 64))  # pragma: allowlist secret
    + "\n-----END RSA PRIVATE KEY-----",
    "-----BEGIN OPENSSH PRIVATE KEY-----",  # pragma: allowlist secret
    "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\nEND KEY-----",
    'curl https://api.example.org/v1 \\\n  -X POST \\\n  -H "Authorization: Bearer 9f8e7d6c5b4a39281706f5e4d3c2b1a0"',  # pragma: allowlist secret
    "curl https://api.example.org \\\n  --user 'admin:Sup3rS3cr3tPassw0rd'",
    'curl -u "deploy:Zq8!vL2#rT9" https://ci.internal.example.com/api',
    '{\n  "username": "kaggleuser",\n  "key": "0123456789abcdef0123456789abcdef"\n}',
    '{"key": "fedcba9876543210fedcba9876543210",\n "username": "someone"}',  # pragma: allowlist secret
    "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ndata:\n  password: c3VwZXJzZWNyZXRwYXNzd29yZA==",  # pragma: allowlist secret
    '"clientSecret":\n  "Xk8~Qz7.Lm2_Vb9-Nc4tRw6yHj3"',
    "ZXlKaGJHY2lPaUpJVXpJMU5pSXNJblI1Y0NJNklrcFhWQ0o5\nLmV5SnpkV0lpT2lJeE1qTTBOVFkzT0Rrd0lpd2libUZ0WlNJNklrcHZhRzRnUkc5bElpd2lhV0YwSWpveE5URTJNak01TURJeWZR",  # pragma: allowlist secret
]


def long_line(rng: random.Random, sample: str) -> str:
    """A line of minified code 2-9 KB long with ``sample`` somewhere in it."""
    words = [w.strip() for w in CODE if "\n" not in w and w.strip()]
    parts = [rng.choice(words).replace(" ", "") for _ in range(rng.randint(100, 600))]
    parts.insert(rng.randint(0, len(parts)), sample.replace("\n", " "))
    return ";".join(parts)


PLAIN = ["import numpy as np", "def train(df):", "    return df", "", "x = 1", "}", "  ]",
         "# Größe der Stichprobe", "    for row in rows:", "        total += row.amount", "print('done')"]


def random_file(rng: random.Random, samples: list[str], tricky: float = 0.1) -> str:
    """Mostly plain lines; ``tricky`` of them look like secrets to some rule's keywords (code,
    samples, the multi-line cases, long lines, notebook JSON, encoded runs)."""
    lines = rng.choices(PLAIN, k=rng.randint(0, 80))
    for _ in range(rng.randint(0, max(1, int(len(lines) * tricky)))):
        what = rng.random()
        sample = rng.choice(samples)
        at = rng.randint(0, len(lines))
        if what < 0.3:
            lines.insert(at, rng.choice(CODE))
        elif what < 0.55:
            lines.insert(at, sample)
        elif what < 0.6:
            lines.insert(at, rng.choice(SPREAD))
        elif what < 0.7:
            lines.insert(at, long_line(rng, sample))
        elif what < 0.8:  # code inside a notebook's JSON string
            lines.insert(at, "    " + json.dumps(sample + "\n") + ",")
        elif what < 0.85:  # an image output: an encoded run the scan blanks
            run = base64.b64encode(rng.randbytes(rng.choice([900, 3200, 6000]))).decode()
            lines.insert(at, f'   "image/png": "{run}{sample[:40]}",')
        elif what < 0.9:
            lines = [line + "\r" for line in lines]
        else:
            lines.insert(rng.choice([0, len(lines)]), sample)  # first or last line
    text = "\n".join(lines)
    return text + "\n" if rng.random() < 0.8 else text


TRAPS = {"i": "\u0131", "I": "\u0130", "s": "\u017f", "k": "\u212a", "K": "\u212a"}


def trapped(rng: random.Random, text: str) -> str:
    """``text`` with some letters replaced by the four characters RE2 and ``re`` fold
    differently, in some of its lines."""
    lines = text.split("\n")
    for i in rng.sample(range(len(lines)), k=len(lines) // 4):
        lines[i] = "".join(TRAPS.get(c, c) if rng.random() < 0.2 else c for c in lines[i])
    return "\n".join(lines)


@pytest.fixture(autouse=True)
def every_batch_on_its_kept_lines(monkeypatch):
    """Small batches take the kept lines' way too, and each scan of kept lines is counted."""
    monkeypatch.setattr(linescan, "FAST_FROM", 0)
    shortened = []

    def counting(text, path=None):
        shortened.append(len(text))
        return scan_text(text, path)

    monkeypatch.setattr(linescan, "scan_text", counting)
    return shortened


@pytest.mark.parametrize("seed", range(40))
def test_kept_lines_report_what_the_whole_batch_reports(seed, every_batch_on_its_kept_lines):
    rng = random.Random(seed)
    samples = corpus()
    tricky = rng.choice([0.01, 0.05, 0.3])
    texts = [random_file(rng, samples, tricky) for _ in range(rng.randint(1, 40))]
    if seed % 4 == 3:  # characters RE2 folds otherwise than `re` (a BPE vocabulary has them)
        texts = [trapped(rng, text) for text in texts]
    whole = scan_text("\n".join(texts))
    assert linescan.scan_batch(texts) == whole


def test_most_batches_are_scanned_on_a_small_part_of_their_lines(every_batch_on_its_kept_lines):
    samples = corpus()
    shorter = 0
    for seed in range(20):
        rng = random.Random(seed)
        texts = [random_file(rng, samples, 0.02) for _ in range(30)]
        every_batch_on_its_kept_lines.clear()
        assert linescan.scan_batch(texts) == scan_text("\n".join(texts))
        shorter += every_batch_on_its_kept_lines[-1] < len("\n".join(texts)) / 2
    assert shorter >= 10


def test_every_sample_of_every_rule_among_lines_of_code():
    rng = random.Random(7)
    samples = corpus()
    texts = []
    for sample in samples:
        lines = rng.choices(CODE, k=8)
        lines.insert(rng.randint(0, 8), sample)
        texts.append("\n".join(lines))
    for start in range(0, len(texts), 300):  # batches of 300 files
        batch = texts[start:start + 300]
        assert linescan.scan_batch(batch) == scan_text("\n".join(batch))


def test_a_key_header_in_one_file_and_its_end_in_the_next():
    """The whole batch is one text: a private key's match may run from one file into the next,
    and a curl command's into the lines after it."""
    texts = ["x = 1\n" * 50 + "HEADER = '-----BEGIN RSA PRIVATE KEY-----'\n",  # pragma: allowlist secret
             KEY_BODY[:200] + "\nFOOTER = 'END RSA PRIVATE KEY-----'\n" + "y = 2\n" * 50,
             "run: curl https://example.org/upload \\",
             '  -H "X-Api-Key: 0a1b2c3d4e5f60718293a4b5c6d7e8f9" -o out.json\n' + "z = 3\n" * 40]  # pragma: allowlist secret
    found = linescan.scan_batch(texts)
    assert found == scan_text("\n".join(texts))
    assert {h.kind for h in found} >= {"Private Key"}


def test_without_re2_the_batch_is_scanned_whole(monkeypatch):
    monkeypatch.setattr(prefilter, "compiled", lambda: None)
    linescan.plan.cache_clear()
    try:
        rng = random.Random(3)
        texts = [random_file(rng, corpus()) for _ in range(20)]
        assert linescan.plan() is None
        assert linescan.scan_batch(texts) == scan_text("\n".join(texts))
    finally:
        linescan.plan.cache_clear()


def test_the_current_rules_take_the_kept_lines_way():
    plan = linescan.plan()
    assert plan is not None
    assert plan.windows, "curl -H and our private-key rule cross a bounded number of lines"
    assert len(plan.unbounded) >= 4  # gitleaks' private key, kaggle.json, Kubernetes, ...


@pytest.mark.parametrize("pattern, reach", [
    (r"ab", 0), (r"a\nb", 1), (r"a[^x]{0,3}b", 3), (r"a.{0,9}b", 0), (r"(?s:.){0,5}", 5),
    (r"a\s+b", None), (r"a(?=[^{}]*x)", None), (r"(?:\r?\n|x){1,2}y", 2), (r"(a)\1", None),
    (r"a[\s\S-]{64,}?b", None), (r"(?:x|\n\n)z", 2), (r"(?<=\n)a", 1), (r"\bcurl\b[ \t\n]", 1),
])
def test_line_reach(pattern, reach):
    assert linescan.line_reach(pattern) == reach


@pytest.mark.parametrize("pattern, keywords, holds", [
    (r"AccountKey=(?P<v>[A-Z]{20,})", ("accountkey=",), True),
    (r"DefaultEndpointsProtocol=https?;[^\s]*?AccountKey=x", ("accountkey=",), True),
    (r"(?i)\bcurl\b", ("curl",), True),
    (r"sig=|token=", ("sig=",), False),
    (r"[a-z]+=\d+", ("key",), False),
    (r"(?:ghp_|xoxb)-\d+", ("ghp_", "xoxb"), True),
    (r"(?:xoxb|xoxp)-\d+", ("xoxb", "xoxp"), False),  # read as `xox[bp]`: not shown, so not taken
])
def test_holds_keyword(pattern, keywords, holds):
    assert linescan.holds_keyword(pattern, keywords) is holds


def test_the_secret_rule_on_a_work_tree_reports_the_same_as_before(tmp_path, monkeypatch):
    """Through ``secret-in-file``: files joined into batches, hits mapped back to their files."""
    from checkers.repo import check_repo

    rng = random.Random(11)
    samples = corpus()
    for i in range(60):
        folder = tmp_path / ["src", "tests", "docs", "notebooks"][i % 4]
        folder.mkdir(exist_ok=True)
        (folder / f"f{i}.py").write_text(random_file(rng, samples), encoding="utf-8")
    fast = [repr(f) for f in check_repo(tmp_path, history=False, select=["secret-in-file"]).findings]
    monkeypatch.setattr(linescan, "FAST_FROM", 1 << 40)
    whole = [repr(f) for f in check_repo(tmp_path, history=False, select=["secret-in-file"]).findings]
    assert fast == whole
    assert len(whole) > 20


def plain_scan(monkeypatch, text: str):
    """``scan_text`` without RE2's help inside it: every window of every long line searched
    with ``re``, the keywords looked for among the text's fragments, encoded runs with ``re``."""
    with monkeypatch.context() as plain:
        plain.setattr(secretscan, "_line_search", lambda pattern: None)
        plain.setattr(secretscan, "_keyword_set", lambda: None)
        plain.setattr(secretscan, "_RUN_BYTES_FROM", float("inf"))
        return scan_text(text)


def minified(rng: random.Random, sample: str, size: int) -> str:
    """A line of minified JavaScript ``size`` characters long, a keyword of some rule every
    few hundred characters (``key``, ``s.``, ``api``, ``token``: its windows merge into one),
    ``sample`` somewhere in it."""
    parts, total = [], 0
    while total < size:
        a, b, n = rng.choice("tenraoc"), rng.choice("iuflhd"), rng.randint(0, 999)
        part = rng.choice([f"function {a}{b}({a},{b}){{return {a}+{b}*{n}}}", f"var {a}={b}({n})",
                           f"{a}.key={b}", f"s.{b}{a}=t.api({n})", f'{a}["token{n}"]={b}.length'])
        parts.append(part)
        total += len(part) + 1
    parts.insert(rng.randint(0, len(parts)), sample.replace("\n", " "))
    return ";".join(parts)


def test_every_sample_found_in_a_long_line_is_found_as_before(monkeypatch):
    """A line over 2000 characters is searched around each keyword, and only where the rule's
    loosened pattern (RE2) matches in the line and in the window: every sample of every rule,
    alone in such a line, minified code around it, gives what the search of every window gives
    (non-ASCII lines, and lines with the characters RE2 folds otherwise, too)."""
    rng = random.Random(21)
    samples = corpus()
    lines = []
    for i, sample in enumerate(samples):
        line = minified(rng, sample, rng.choice([2100, 2600]))
        if i % 7 == 3:
            line = "é" + line
        elif i % 7 == 5:
            line = trapped(rng, line)
        lines.append(line)
    found = 0
    for start in range(0, len(lines), 150):
        text = "\n".join(lines[start:start + 150])
        whole = plain_scan(monkeypatch, text)
        assert scan_text(text) == whole
        found += len(whole)
    assert found > len(samples) / 3


@pytest.mark.parametrize("seed", range(6))
def test_long_lines_give_what_their_every_window_gives(seed, monkeypatch):
    rng = random.Random(seed)
    samples = corpus()
    lines = rng.choices(CODE, k=rng.randint(5, 60))
    for _ in range(rng.randint(1, 12)):
        sample = rng.choice(samples)
        what = rng.random()
        line = (minified(rng, sample, rng.randint(1900, 12000)) if what < 0.5
                else long_line(rng, sample) if what < 0.8
                else "   " + json.dumps(minified(rng, sample, 3000)) + ",")
        lines.insert(rng.randint(0, len(lines)), line)
    text = "\n".join(lines)
    if seed % 4 == 3:
        text = trapped(rng, text)
    assert scan_text(text) == plain_scan(monkeypatch, text)
    texts = text.split("\n")  # the kept lines of a batch, too
    assert linescan.scan_batch(texts) == plain_scan(monkeypatch, "\n".join(texts))


def test_an_encoded_run_is_found_in_a_long_text_as_re_finds_it():
    run = base64.b64encode(bytes(range(256)) * 13).decode()
    for text in ["x" * 70000 + "\n" + run[:4095] + "\n" + run,  # (only the second one)
                 ("=" * 5000 + ";" + run[:999] + "\n" + run + "+") * 20,
                 ("é\ud800" + run + "\u0130" * 3 + run[:4096] + "\n") * 12,
                 "é" * 40000 + "\n" + run[:5000] + "é" + run[:4095],
                 ("a=1\n" + run[:4000] + "\n") * 30]:
        starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
        assert secretscan._has_huge_run(text, starts) == bool(secretscan._HUGE_RUN.search(text))
        assert secretscan.blank_runs(text) == secretscan._HUGE_RUN.sub(lambda m: " " * len(m.group()), text)
        data = text.encode("utf-8", "surrogatepass")
        for least in (1000, 4096):
            runs = re.compile(b"[A-Za-z0-9+/=]{%d,}" % least)
            assert list(secretscan.runs_in(data, least)) == [m.span() for m in runs.finditer(data)]
