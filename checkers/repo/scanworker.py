"""The secret scan of large inputs on a second core (``python -m checkers.repo.scanworker``).

Reading a long history from git and keeping the lines each version adds costs about as much
as running the secret patterns on those lines. A :class:`Pool` hands batches of text to one
worker process, which scans them while this process goes on reading; at the end, the batches
the worker has not started yet are scanned here. The worker is started only for the second
batch (a history with more than one batch of new lines: small repositories never pay for it),
and whatever goes wrong with it (it cannot start, it dies, it is slow) only means the batches
are scanned here: the findings are the same either way.

Protocol, over the worker's stdin and stdout: each request is an 8-byte length and a UTF-8
text; the worker says when it begins on one (``START``), then answers with an 8-byte length
and a JSON list of ``[kind, line, column, value, rule]``, in the order of the requests. The
worker reads nothing else and runs no git.
"""
from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from pathlib import Path

from .secretscan import SecretHit, scan_text

_PACKAGE_PARENT = str(Path(__file__).resolve().parent.parent.parent)
START = b"\xff" * 8  # "I have begun on the batch you sent": no answer is that long


def _encode(hits: list[SecretHit]) -> bytes:
    return json.dumps([[h.kind, h.line, h.column, h.value, h.rule, h.bare] for h in hits]).encode()


def _decode(data: bytes) -> list[SecretHit]:
    return [SecretHit(*fields) for fields in json.loads(data)]


def serve(stdin, stdout) -> None:
    while True:
        head = stdin.read(8)
        if len(head) < 8:
            return
        text = stdin.read(int.from_bytes(head, "little")).decode("utf-8", "surrogatepass")
        stdout.write(START)  # this batch is being scanned: the other process leaves it to us
        stdout.flush()
        answer = _encode(scan_text(text))
        stdout.write(len(answer).to_bytes(8, "little") + answer)
        stdout.flush()


class Pool:
    """``submit(lines)`` batches, then ``collect()``: ``{batch id: scan_text("\n".join(lines))}``.

    A batch is kept as its list of lines (the caller keeps that list anyway, to place the hits)
    and joined only on its way to the worker or to the scan here: the joined text of each batch
    in flight would otherwise add to the peak memory.

    With ``worker=False`` (or before ``start()``) every batch is scanned at once, here."""

    BACKLOG = 2

    def __init__(self, worker: bool = True):
        self.allowed = worker
        self.results: dict[int, list[SecretHit]] = {}
        self.texts: dict[int, list[str]] = {}  # submitted, no answer yet: their lines
        self.proc: subprocess.Popen | None = None
        self.outbox: queue.Queue = queue.Queue()   # (id, lines) not written to the worker yet
        self.sent: queue.Queue = queue.Queue()     # ids written, in order (None: no more)
        self.threads: list[threading.Thread] = []
        self.lock = threading.Lock()  # results and texts, shared with the reading thread
        self.answered = threading.Condition(self.lock)
        self.reader_done = False
        self.started: set[int] = set()  # batches the worker has begun to scan
        self.next_id = 0

    def start(self) -> None:
        if not self.allowed or self.proc is not None or not sys.executable:
            return
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (_PACKAGE_PARENT, env.get("PYTHONPATH")) if p)
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "checkers.repo.scanworker"], stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, cwd=_PACKAGE_PARENT)
        except OSError:
            self.allowed = False
            return
        self.threads = [threading.Thread(target=self._write, daemon=True),
                        threading.Thread(target=self._read, daemon=True)]
        for thread in self.threads:
            thread.start()

    def submit(self, text: list[str]) -> int:
        """Queue the lines ``text`` for the worker, or scan them here: before ``start()``, and while the
        worker still has ``BACKLOG`` batches to answer (both cores then stay busy, and the
        batches waiting in memory stay few)."""
        batch = self.next_id
        self.next_id += 1
        if self.proc is None or len(self.texts) >= self.BACKLOG:
            hits = scan_text("\n".join(text))
            with self.lock:
                self.results[batch] = hits
        else:
            with self.lock:
                self.texts[batch] = text
            self.outbox.put((batch, text))
        return batch

    def _write(self) -> None:
        stdin = self.proc.stdin
        try:
            while (item := self.outbox.get()) is not None:
                batch, text = item
                data = "\n".join(text).encode("utf-8", "surrogatepass")
                self.sent.put(batch)
                stdin.write(len(data).to_bytes(8, "little") + data)
                stdin.flush()
        except (OSError, ValueError):
            pass  # the worker is gone: collect() scans what it did not answer
        finally:
            self.sent.put(None)
            try:
                stdin.close()
            except OSError:
                pass

    def _read(self) -> None:
        stdout = self.proc.stdout
        try:
            while (batch := self.sent.get()) is not None:
                if stdout.read(8) != START:
                    return
                with self.lock:
                    self.started.add(batch)
                head = stdout.read(8)
                if len(head) < 8:
                    return
                answer = stdout.read(int.from_bytes(head, "little"))
                hits = _decode(answer)
                with self.lock:
                    self.results.setdefault(batch, hits)
                    self.texts.pop(batch, None)
                    self.answered.notify_all()
        except (OSError, ValueError):
            pass
        finally:
            with self.lock:
                self.reader_done = True
                self.answered.notify_all()

    def collect(self) -> dict[int, list[SecretHit]]:
        """Every batch's hits. The batches the worker has not begun are scanned here, newest
        first (the worker takes them oldest first), until the two meet; then the answers of
        the ones it has begun are awaited. A worker slow to start, or short of CPU, is not
        waited for."""
        if self.proc is not None:
            while True:  # what was never written to the worker
                try:
                    item = self.outbox.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    break
            self.outbox.put(None)
            while True:
                with self.lock:
                    left = [b for b in self.texts if b not in self.results and b not in self.started]
                    text = self.texts[max(left)] if left else None
                if text is None:
                    break
                hits = scan_text("\n".join(text))
                with self.lock:
                    self.results.setdefault(max(left), hits)
            with self.lock:  # the answers of the batches the worker has begun
                self.answered.wait_for(lambda: self.reader_done or all(
                    b in self.results for b in self.texts))
            self.close(kill=True)  # what it would scan next is answered already
            for batch, text in list(self.texts.items()):
                if batch not in self.results:  # the worker died on the way
                    self.results[batch] = scan_text("\n".join(text))
            self.texts.clear()
        return self.results

    def close(self, kill: bool = False) -> None:
        """Wait for the worker's last answers (``collect`` calls this), or stop it at once
        (``kill``: on the way out of an error)."""
        if self.proc is None:
            return
        if kill:
            self.proc.kill()
        self.outbox.put(None)
        for thread in self.threads:
            thread.join()
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass
        self.proc = None


if __name__ == "__main__":
    serve(sys.stdin.buffer, sys.stdout.buffer)
