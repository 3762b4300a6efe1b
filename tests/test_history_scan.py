"""The fast paths of the history's secret scan find exactly what the plain ways find.

Each shortcut (comparing a version with the previous one in bytes, a second process for the
patterns, keywords looked up among fragments, patterns tried only at their leading literal) is
checked against the straightforward computation it replaces, on inputs built to reach its edges.
"""
from __future__ import annotations

import base64
import random
import re
from collections import defaultdict

import pytest

from checkers.repo import history, scanworker, secretscan
from checkers.repo.context import decode_text
from checkers.repo.history import Blob, changed_lines, scan_new_lines
from checkers.repo.secretscan import scan_text

from .secret_samples.own import samples as own_samples
from .test_secretscan import SAMPLES, secret_recall

# Single-line secrets (a private key spans lines: its batch neighbours matter, see below).
ONE_LINE = [v for k, v in SAMPLES.items() if k != "Private key"]
WORDS = ["import os", "def train(df):", "    return df", "", "x = 1", "key = os.environ['K']",
         "# Kalibrierung: Größe", "token = get_token()", "}", "  ]", "print('done')"]


def versions(rng: random.Random, n: int = 60, lines: int = 5) -> list[tuple[Blob, bytes]]:
    """Versions of a few files, oldest first, each an edit of the last: lines inserted,
    deleted, replaced or repeated at the start, the middle or the end, secrets among them,
    a Latin-1 version, CRLF endings, no final newline, an empty file, a binary one."""
    words = [w + str(rng.randint(0, 9)) if w else w for w in rng.choices(WORDS, k=lines * 3)]
    files: dict[str, list[str]] = {f"src/f{i}.py": words[i * lines:(i + 1) * lines] for i in range(3)}
    out = []
    for i in range(n):
        path = rng.choice(sorted(files))
        lines = files[path]
        for _ in range(rng.randint(1, 4)):
            where = rng.choice([0, len(lines), rng.randint(0, len(lines))])
            what = rng.random()
            if what < 0.25 and lines:
                del lines[min(where, len(lines) - 1)]
            elif what < 0.45:
                lines.insert(where, f'SECRET_{i} = "{rng.choice(ONE_LINE)}"')
            elif what < 0.55:
                lines.insert(where, rng.choice(lines or WORDS))  # a line repeated
            else:
                lines.insert(where, rng.choice(WORDS) + ("\r" if rng.random() < 0.1 else ""))
        text = "\n".join(lines) + ("\n" if rng.random() < 0.8 else "")
        data = text.encode("latin-1", "replace") if rng.random() < 0.1 else text.encode()
        if rng.random() < 0.03:
            data = b""
        if rng.random() < 0.03:
            data = b"\x00binary" + data
        out.append((Blob(f"{i:040x}", len(data), path), data))
    return out


def plain(blobs) -> set[tuple]:
    """What the scan must find: each version's lines that its path never had before, each
    scanned at its first place in the version."""
    seen: dict[str, set[str]] = defaultdict(set)
    found = set()
    for blob, data in blobs:
        text = decode_text(data)
        if text is None:
            continue
        for number, line in enumerate(text.split("\n"), 1):
            if line in seen[blob.path]:
                continue
            seen[blob.path].add(line)
            for hit in scan_text(line):
                found.add((blob.sha, blob.path, number, hit.column, hit.kind, hit.value))
    return found


def as_set(found) -> set[tuple]:
    return {(b.sha, b.path, h.line, h.column, h.kind, h.value) for b, h in found}


@pytest.mark.parametrize("seed", range(12))
def test_only_new_lines_are_scanned_and_each_secret_is_found_where_it_was_added(seed):
    blobs = versions(random.Random(seed))
    expected = plain(blobs)
    assert expected, "the versions hold secrets"
    assert as_set(scan_new_lines(blobs, worker=False)) == expected
    # small batches through the worker process: the same findings, in the same order
    assert scan_new_lines(blobs, batch_chars=300) == scan_new_lines(blobs, worker=False)


@pytest.mark.parametrize("seed", range(8))
def test_long_files_edited_in_distant_places(seed):
    """Files of hundreds of lines and blank-line paragraphs: most versions take the path that
    splits only the paragraphs the previous version did not have."""
    blobs = versions(random.Random(seed), n=80, lines=600)
    assert as_set(scan_new_lines(blobs, worker=False)) == plain(blobs)


def test_new_lines_found_among_changed_paragraphs_are_all_of_them_at_their_first_place():
    rng = random.Random(3)
    used = 0
    for _ in range(300):
        old_lines = [rng.choice(WORDS) for _ in range(rng.randint(0, 80))]
        new_lines = list(old_lines)
        for _ in range(rng.randint(0, 3)):
            new_lines.insert(rng.randint(0, len(new_lines)), rng.choice(WORDS + ["new", "x = 2"]))
        old, new = "\n".join(old_lines).encode(), "\n".join(new_lines).encode()
        known = set(old.decode().split("\n"))
        found = history._few_new_lines(new, old, "utf-8", known)
        if found is None:
            continue
        used += 1
        lines = new.decode().split("\n")
        assert found == {line: lines.index(line) + 1 for line in set(lines) - known}
    assert used > 100


def test_the_worker_process_is_used_and_its_failure_changes_nothing(monkeypatch):
    blobs = versions(random.Random(99), n=120)
    expected = scan_new_lines(blobs, worker=False)
    started = []
    start = scanworker.Pool.start

    def spy(self):
        start(self)
        started.append(self.proc is not None)

    monkeypatch.setattr(scanworker.Pool, "start", spy)
    assert scan_new_lines(blobs, batch_chars=200) == expected
    assert started and all(started)
    # a worker that dies at once (or cannot start): every batch is scanned here instead
    monkeypatch.setattr(scanworker.sys, "executable", "/bin/false")
    assert scan_new_lines(blobs, batch_chars=200) == expected
    monkeypatch.setattr(scanworker.sys, "executable", "/nonexistent/python")
    assert scan_new_lines(blobs, batch_chars=200) == expected


def test_changed_lines_leaves_out_only_whole_lines_of_the_old_version():
    for seed in range(300):
        check_changed_lines(random.Random(seed))


def check_changed_lines(rng: random.Random) -> None:
    old_lines = [rng.choice(["a", "bb", "", "key = 1", "ccc" * rng.randint(1, 200)])
                 for _ in range(rng.randint(0, 60))]
    new_lines = list(old_lines)
    for _ in range(rng.randint(0, 3)):
        i = rng.randint(0, len(new_lines))
        if rng.random() < 0.5 and new_lines:
            del new_lines[min(i, len(new_lines) - 1)]
        else:
            new_lines.insert(i, rng.choice(["new", "", "a", "x" * rng.randint(1, 900)]))
    old = "\n".join(old_lines).encode() + rng.choice([b"", b"\n"])
    new = "\n".join(new_lines).encode() + rng.choice([b"", b"\n"])
    start, end = changed_lines(old, new, grain=rng.choice([1, 4, 256]))
    assert start == 0 or new[start - 1:start] == b"\n"
    assert end == len(new) or new[end:end + 1] == b"\n"
    outside = new[:start].split(b"\n")[:-1] + (new[end + 1:].split(b"\n") if end < len(new) else [])
    if end < start:
        outside = new.split(b"\n")
    assert set(outside) <= set(old.split(b"\n"))
    # and the lines between are exactly the rest
    middle = new[start:end].split(b"\n") if end >= start else []
    assert sorted(outside + middle) == sorted(new.split(b"\n"))


def corpus() -> list[str]:
    texts = [text for _, _, text in own_samples()]
    texts += [text for _, _, text in secret_recall.load(secret_recall.SAMPLES / "gitleaks.json")]
    return texts


def test_patterns_tried_at_their_leading_literal_find_what_finditer_finds():
    text = "\n".join(corpus())
    rules = [r.regex for r in secretscan.gitleaks.ruleset().rules] + [r.regex for r in secretscan.OWN_RULES]
    anchored = [rx for rx in rules if secretscan.anchors_of(rx)]
    assert len(anchored) > 40
    assert sum(len(secretscan.anchors_of(rx)[0]) > 1 for rx in anchored) >= 5  # choices too
    value = base64.b64encode(b"secretpassword123").decode()  # (no secret in this file)
    yaml = f"apiVersion: v1\nKIND: Secret\ndata:\n  password: {value}\n"
    # outside ASCII: text.lower() keeps offsets (é), or `re` matches a letter lower() does not
    # give (long s, dotless i, Kelvin sign), or lower() is longer (dotted capital I)
    odd = [yaml.replace("KIND", k) + "é ſecret ıd \u212aind: x\n" for k in ("KIND", "\u212aIND")]
    odd += ["\u0130" + yaml * 2, "Größe " + yaml, yaml.replace("KIND", "K\u0131ND"),
            "é\n-----BEG\u0131N RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7bq9qgXzbLh0mRz8\n"]
    for probe in (text, text + "\n" + text.upper(), "xcurl -u a:bbbbbbbbbbbbb curl -u a:bbbbbbbbbbbbbbb\n",
                  *odd, "é".join(corpus()[:200])):
        low = probe.lower()
        for rx in anchored:
            assert [m.span() for m in secretscan.finditer(rx, probe, low)] == \
                [m.span() for m in rx.finditer(probe)], rx.pattern
    assert secretscan.anchor_of(re.compile(r"(ab|cd)x")) is None
    assert secretscan.anchors_of(re.compile(r"(ab|cd)x")) == (("ab", "cd"), False)
    assert secretscan.anchors_of(re.compile(r"(ab|c)x")) is None
    assert secretscan.anchors_of(re.compile(r"(?:ab|[cd]e)x")) is None
    assert secretscan.anchor_of(re.compile(r"\bcurl\b.*")) == ("curl", False)
    assert secretscan.anchor_of(re.compile(r"(?i)(?P<v>-----BEGIN)")) == ("-----BEGIN", True)


@pytest.mark.parametrize("way", ["RE2 set", "fragments"])
def test_keywords_found_among_fragments_are_those_in_the_text(way, monkeypatch):
    if way == "fragments":
        monkeypatch.setattr(secretscan, "_keyword_set", lambda: None)
    elif secretscan._keyword_set() is None:
        pytest.skip("without RE2")
    words = secretscan.prefilter_words()
    rng = random.Random(5)
    pieces = [w.upper() if rng.random() < 0.3 else w for w in sorted(words)] + [
        "(", ")", '"', "'", ",", " ", "\n", "Größe", "\u212a", "\ud800", "é"]
    for _ in range(20):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(2000, 30000)))
        text = text * (65536 // len(text) + 1)  # long: the fragment path
        low = text.lower()
        assert secretscan._present_keywords(low) == {w for w in words if w in low}


def test_first_commits_of_a_few_blobs_are_what_the_whole_log_says(tmp_path, monkeypatch):
    """Up to FEW_SHAS blobs are looked for in the log by search, not by a pass over every line:
    the same oldest commit (and the same order of ages) and every path, on a history where a
    blob is copied, deleted, added again and added on a side branch."""
    from checkers.repo import gitcmd
    from checkers.repo.context import RepoContext

    from .conftest import commit_all, git, write

    git(tmp_path, "init", "-q", "-b", "main")
    write(tmp_path, {"models/m.pkl": b"\x80weights-1", "src/a.py": "x = 1\n"})
    commit_all(tmp_path, "model")
    first = git(tmp_path, "rev-parse", "HEAD").strip()
    write(tmp_path, {"backup/m.pkl": b"\x80weights-1", "src/a.py": "x = 2\n"})
    commit_all(tmp_path, "copy")
    (tmp_path / "models" / "m.pkl").unlink()
    (tmp_path / "backup" / "m.pkl").unlink()
    commit_all(tmp_path, "remove")
    git(tmp_path, "checkout", "-q", "-b", "side")
    write(tmp_path, {"data/d.csv": "a,b\n1,2\n"})
    commit_all(tmp_path, "data on a side branch")
    git(tmp_path, "checkout", "-q", "main")
    write(tmp_path, {"models/m.pkl": b"\x80weights-1", "src/a.py": "x = 3\n"})
    commit_all(tmp_path, "again")
    ctx = RepoContext(root=tmp_path)
    shas = {sha for sha, _, _ in history.list_blobs(ctx)}
    log = history._history_log(ctx)
    searched = history._first_commits(ctx, shas, log)
    monkeypatch.setattr(history, "FEW_SHAS", 0)
    assert history._first_commits(ctx, shas, log) == searched
    model = gitcmd.git(tmp_path, "hash-object", "models/m.pkl").decode().strip()
    assert searched[0][model][0] == first[:12]
    assert searched[1][model] == {"models/m.pkl", "backup/m.pkl"}


def test_a_background_git_runs_at_a_lower_priority():
    """The first-commit walk leaves the CPU to the work the scan waits for."""
    import os
    import subprocess
    import sys

    from checkers.repo import gitcmd

    if not hasattr(os, "getpriority"):
        pytest.skip("no process priorities here")
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        before = os.getpriority(os.PRIO_PROCESS, child.pid)
        gitcmd.lower_priority(child.pid)
        assert os.getpriority(os.PRIO_PROCESS, child.pid) == min(19, before + gitcmd.BACKGROUND_NICENESS)
    finally:
        child.kill()
        child.wait()
