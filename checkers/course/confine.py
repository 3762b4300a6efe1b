"""OS-level confinement for autograding: bubblewrap around everything a submission runs.

During ``nbgrader autograde`` a learner's code runs in two places: the notebook's kernel, and the
shell scripts that :mod:`checkers.course.regrade` runs again to grade them. Both run inside
`bubblewrap <https://github.com/containers/bubblewrap>`_ (``bwrap``), which needs no daemon:

- the whole file system is read-only;
- the course folder (solutions, gradebook, other submissions), the checkout the ``checkers``
  package comes from, and the home folder are hidden; only the Python environment and the
  ``checkers`` package are shown again, read-only;
- the kernel also does not see the grader-only answer keys (``checkers/course/keys``);
- writable: the submission's own working folder (the kernel only) and a private temporary folder
  (``TMPDIR`` and ``HOME`` point there; ``/tmp`` is empty and read-only);
- no network, no other processes, no shared memory with the grader.

The kernel talks to nbgrader over Jupyter's ``ipc`` transport (Unix sockets in the private
folder): in a separate network namespace the TCP ports on localhost are not the grader's.

Where no sandbox can be set up (``bwrap`` missing, user namespaces blocked), grading refuses,
unless the instructor accepts the risk explicitly:
``nbgrader autograde ASSIGNMENT --GradingSandbox.allow_unsandboxed=True``.
"""
from __future__ import annotations

import contextlib
import functools
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbgrader.preprocessors import Execute
from traitlets import Bool, Int, Unicode, default
from traitlets.config import Configurable

from .stopping import end_sandboxes_on_sigterm

PACKAGE = Path(__file__).resolve().parent.parent  # .../checkers
KEYS = PACKAGE / "course" / "keys"  # grader-only answer keys: never visible to the kernel
FLAG = "--GradingSandbox.allow_unsandboxed=True"


class GradingSandbox(Configurable):
    """How autograding confines submissions (set in nbgrader_config.py or on the command line)."""

    allow_unsandboxed = Bool(
        False, help="Grade even where no sandbox can be set up. A submission can then change the "
        "course's files, the gradebook and other submissions' grades: accept that risk only for "
        "submissions you trust.").tag(config=True)
    bwrap = Unicode("bwrap", help="The bubblewrap program.").tag(config=True)

    def usable(self) -> bool:
        """True when submissions run confined; False when the instructor accepted running them bare."""
        problem = why_unavailable(self.bwrap)
        if problem is None:
            return True
        if self.allow_unsandboxed:
            return False
        raise Unconfinable(problem)


class Unconfinable(RuntimeError):
    pass


MiB = 1024 * 1024


class GradingLimits(Configurable):
    """What one confined process tree (a submission's kernel, or the grader's check of its
    answers) may use; set in nbgrader_config.py (``c.GradingLimits.memory_mb = ...``). 0 turns a
    limit off. A submission that reaches a limit gets an error in the cell that did (``MemoryError``,
    ``OSError: File too large``, ``BlockingIOError`` for a fork), and scores what its answers
    earn; the rest of the class is graded as usual."""

    memory_mb = Int(2048, help="Memory of each process (RLIMIT_AS), and of the whole sandbox "
                    "where a memory cgroup can be made.").tag(config=True)
    file_size_mb = Int(64, help="Largest file a sandboxed process may write (RLIMIT_FSIZE): "
                       "a write beyond fails, the process goes on.").tag(config=True)
    scratch_mb = Int(256, help="Size of the private HOME and TMPDIR (a tmpfs, in memory) of "
                     "each sandbox.").tag(config=True)
    output_kb = Int(1024, help="Output one cell keeps (printed text, displays); beyond it the "
                    "grader keeps a note instead, and what decides the grade (the cell's first "
                    "error, first stderr text, first result) shortened: a submission that prints "
                    "without end cannot fill the grader's memory, the graded notebook or the "
                    "feedback.").tag(config=True)
    processes = Int(128, help="Processes and threads of one sandbox at a time (a pids cgroup; "
                    "Linux counts per user with RLIMIT_NPROC and never limits root, so where no "
                    "cgroup can be made this limit is not enforced and grading says so).").tag(config=True)


def _cgroup_roots() -> list[Path]:
    """Writable cgroup folders (this process's own) of the pids and memory controllers."""
    roots = []
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return roots
    for line in lines:
        _, controllers, path = line.split(":", 2)
        for name in ("pids", "memory"):
            if name in controllers.split(","):  # cgroup v1: one hierarchy per controller
                folder = Path("/sys/fs/cgroup", name) / path.lstrip("/")
                if (folder / "cgroup.procs").is_file() and os.access(folder, os.W_OK):
                    roots.append(folder)
    return roots


class Cgroups:
    """A cgroup per sandbox (pids.max, memory limit); removed once its processes ended."""

    def __init__(self, name: str):
        self.name = name
        self.folders: list[Path] = []
        self.procs: list[str] = []

    def make(self, limits: "GradingLimits") -> "Cgroups":
        for root in _cgroup_roots():
            folder = root / self.name
            # listed before it exists: a stop in between still finds it to remove
            self.folders.append(folder)
            try:
                folder.mkdir()
                if (folder / "pids.max").exists():
                    used = bool(limits.processes)
                    if used:
                        (folder / "pids.max").write_text(str(limits.processes))
                else:
                    used = bool(limits.memory_mb)
                    if used:
                        (folder / "memory.limit_in_bytes").write_text(str(limits.memory_mb * MiB))
                        with contextlib.suppress(OSError):
                            (folder / "memory.memsw.limit_in_bytes").write_text(
                                str(limits.memory_mb * MiB))
            except OSError:
                used = False
            if not used:
                with contextlib.suppress(OSError):
                    folder.rmdir()
                self.folders.remove(folder)
        self.procs = [str(f / "cgroup.procs") for f in self.folders]
        return self

    @property
    def limits_processes(self) -> bool:
        return any((f / "pids.max").exists() for f in self.folders)

    def remove(self) -> None:
        for folder in self.folders:
            for _ in range(50):  # the last processes may still be exiting
                try:
                    folder.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    if (folder / "cgroup.procs").is_file():
                        for pid in (folder / "cgroup.procs").read_text().split():
                            with contextlib.suppress(OSError):
                                os.kill(int(pid), signal.SIGKILL)
                    time.sleep(0.02)
        self.folders = []


_warned: set = set()


def _preexec(limits: "GradingLimits | None", cgroups: "Cgroups | None" = None):
    """What a sandboxed process gets in the child, before bubblewrap starts: SIGKILL when the
    grader ends (bubblewrap's --die-with-parent only starts once bubblewrap runs: a grader
    killed in between would leave it behind), its cgroups, its limits, and SIGXFSZ ignored (a
    too large write fails; the process is not killed)."""
    import resource

    parent = os.getpid()
    prctl = None
    if sys.platform.startswith("linux"):
        import ctypes

        prctl = ctypes.CDLL(None).prctl
    procs = list(cgroups.procs) if cgroups else []
    settings = []
    if limits is not None and limits.memory_mb:
        settings.append((resource.RLIMIT_AS, limits.memory_mb * MiB))
    if limits is not None and limits.file_size_mb:
        settings.append((resource.RLIMIT_FSIZE, limits.file_size_mb * MiB))

    def apply():
        if prctl is not None:
            prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
            if os.getppid() != parent:
                os._exit(1)
        pid = str(os.getpid()).encode()
        for path in procs:
            try:
                fd = os.open(path, os.O_WRONLY)
                try:
                    os.write(fd, pid)
                finally:
                    os.close(fd)
            except OSError:
                pass
        for what, value in settings:
            resource.setrlimit(what, (value, value))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

    return apply


def sandbox_limits(limits: "GradingLimits | None", private: Path) -> "Cgroups | None":
    """The cgroups of one sandbox (named after its private folder), or None."""
    if limits is None:
        return None
    groups = _live[private] = Cgroups(f"checkers-{private.name}")
    groups.make(limits)
    if limits.processes and not groups.limits_processes and "processes" not in _warned:
        _warned.add("processes")
        print(f"grading: no writable pids cgroup here: GradingLimits.processes="
              f"{limits.processes} is not enforced (a fork bomb slows the machine until the "
              "cell timeout ends it)", file=sys.stderr, flush=True)
    return groups


def release(private: "Path | None", cgroups: "Cgroups | None" = None) -> None:
    # forgotten only once gone: a stop meanwhile (end_sandboxes) removes what is left
    if cgroups is not None:
        cgroups.remove()
    if private is not None:
        shutil.rmtree(private, ignore_errors=True)
        _live.pop(private, None)


# the private folders (and their cgroups) of this process's sandboxes not yet released
_live: "dict[Path, Cgroups | None]" = {}


def end_sandboxes() -> None:
    """End every process this one started, theirs too, then remove its sandboxes' folders and
    cgroups: what a grading process does when it is told to stop.

    Parent-death signals alone leave sandboxes behind: bubblewrap arms ``--die-with-parent``
    only after it started (in the outer process, and again in the sandbox's first process once
    its mounts are done), so a parent that ends in between leaves a sandbox running with no
    parent. Every descendant is stopped first (a stopped process cannot fork, nor be
    re-parented by a kill), then all of them are killed: killing the first process of a
    sandbox's pid namespace ends everything inside.
    """
    stopped: set[int] = set()
    for _ in range(100):  # a fork bomb's children appear as we go; each round stops a generation
        new = _descendants(os.getpid()) - stopped
        if not new:
            break
        for pid in new:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGSTOP)
        stopped |= new
    for pid in stopped:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    for private, cgroups in list(_live.items()):
        release(private, cgroups)


def _end_sandboxes_on_sigterm() -> None:
    """In a grading process that left SIGTERM to Python's default (plain ``nbgrader autograde``
    stopped by a job scheduler), end its sandboxes first, then end as the default would."""
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL \
            and threading.current_thread() is threading.main_thread():
        end_sandboxes_on_sigterm()


def _descendants(root: int) -> set[int]:
    """Process ids of ``root``'s children, their children, and so on (Linux ``/proc``)."""
    children: dict[int, list[int]] = {}
    try:
        names = os.listdir("/proc")
    except OSError:
        return set()
    for name in names:
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat", "rb") as f:
                    stat = f.read()
                ppid = int(stat.rsplit(b")", 1)[1].split()[1])  # the name may hold spaces and ')'
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(name))
    found: set[int] = set()
    todo = [root]
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


@functools.lru_cache(maxsize=None)
def why_unavailable(bwrap: str = "bwrap") -> str | None:
    """None when a confined process can start here, else a one-line reason."""
    found = shutil.which(bwrap)
    if not found:
        return (f"cannot sandbox submissions: bubblewrap ({bwrap}) is not installed "
                "(Debian/Ubuntu: apt-get install bubblewrap)")
    try:
        proc = subprocess.run(command(["true"], bwrap=found), capture_output=True, text=True,
                              timeout=30, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"cannot sandbox submissions: {bwrap} did not start ({exc})"
    if proc.returncode:
        said = (proc.stderr.strip().splitlines() or [f"exit status {proc.returncode}"])[-1]
        return (f"cannot sandbox submissions: {said} (user namespaces blocked? on Ubuntu, "
                "AppArmor's kernel.apparmor_restrict_unprivileged_userns)")
    return None


def _hidden() -> list[Path]:
    """Folders a submission must not read: the course, this checkout, the home folder."""
    paths = {Path.cwd().resolve(), PACKAGE.parent, Path.home().resolve()}
    return sorted((p for p in paths if p != Path("/") and p.is_dir()), key=lambda p: len(p.parts))


def _shown(hidden: list[Path]) -> list[Path]:
    """What the Python environment needs, shown again read-only inside hidden folders."""
    wanted = {Path(sys.prefix), Path(sys.base_prefix), Path(sys.exec_prefix), PACKAGE,
              *(Path(p) for p in sys.path if p)}
    shown = []
    for path in wanted:
        try:
            path = path.resolve()
        except OSError:
            continue
        inside_hidden = any(h in path.parents for h in hidden)
        hides_something = any(path == h or path in h.parents for h in hidden)
        if path.is_dir() and inside_hidden and not hides_something:
            shown.append(path)
    # a shown folder inside another one is already visible
    shown = [p for p in shown if not any(q in p.parents for q in shown)]
    return sorted(shown, key=lambda p: len(p.parts))


def command(argv: list[str], *, writable: list[Path] = (), private: Path | None = None,
            hide_keys: bool = True, bwrap: str = "bwrap",
            limits: "GradingLimits | None" = None) -> list[str]:
    """``argv`` wrapped in bubblewrap: read-only, hidden course, only ``writable`` writable."""
    cmd = [bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp",
           "--unshare-all", "--die-with-parent"]
    hidden = _hidden()
    for path in hidden:
        cmd += ["--tmpfs", str(path)]
    for path in _shown(hidden):
        cmd += ["--ro-bind", str(path), str(path)]
    for path in [*writable, *([private] if private else [])]:
        cmd += ["--bind", str(path), str(path)]
    if hide_keys and KEYS.is_dir():
        cmd += ["--tmpfs", str(KEYS), "--remount-ro", str(KEYS)]
    # the empty folders that hide things are read-only too (the binds inside them stay writable)
    for path in [Path("/tmp"), *hidden]:
        cmd += ["--remount-ro", str(path)]
    if private:
        scratch = private
        if limits is not None and limits.scratch_mb and _sized_tmpfs(bwrap):
            # HOME and TMPDIR in a tmpfs of a fixed size: a submission cannot fill the disk there
            scratch = private / "scratch"
            cmd += ["--size", str(limits.scratch_mb * MiB), "--tmpfs", str(scratch),
                    "--dir", str(scratch / "home"), "--dir", str(scratch / "tmp")]
        cmd += ["--setenv", "HOME", str(scratch / "home"), "--setenv", "TMPDIR", str(scratch / "tmp")]
    # ipykernel exits when its parent's pid changes; in a pid namespace it always looks changed.
    # --die-with-parent does that job here.
    cmd += ["--unsetenv", "JPY_PARENT_PID"]
    return [*cmd, "--", *argv]


@functools.lru_cache(maxsize=None)
def _sized_tmpfs(bwrap: str) -> bool:
    """Whether this bubblewrap sizes a tmpfs (``--size``, bubblewrap 0.7 and later)."""
    try:
        ok = subprocess.run([bwrap, "--ro-bind", "/", "/", "--size", str(MiB), "--tmpfs", "/tmp",
                             "--", "true"], capture_output=True, timeout=30,
                            stdin=subprocess.DEVNULL).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        ok = False
    if not ok:
        print(f"grading: {bwrap} cannot size a tmpfs (bubblewrap older than 0.7): "
              "GradingLimits.scratch_mb is not enforced", file=sys.stderr, flush=True)
    return ok


def private_folder() -> Path:
    """A fresh temporary folder for one confined process (short path: Unix sockets live there)."""
    # CHECKERS_GRADING_TMP: a test's own parent folder (several courses grade at once on a
    # shared machine, and each must find only its own leftovers); keep it short
    parent = os.environ.get("CHECKERS_GRADING_TMP") or ("/tmp" if os.path.isdir("/tmp") else None)
    while True:
        # named and listed before it exists (mkdtemp would make it first): a stop in between
        # still finds it to remove
        base = Path(parent or tempfile.gettempdir()) / f"grade-{os.urandom(6).hex()}"
        _live[base] = None
        try:
            base.mkdir(mode=0o700)
            break
        except FileExistsError:
            _live.pop(base, None)
    for sub in ("home", "tmp", "scratch"):
        (base / sub).mkdir()
    return base


class ConfinedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel runs in bubblewrap (``Execute.kernel_manager_class``).

    The kernel may write only in its working folder (the submission's autograded folder) and in
    a private temporary folder, which also holds the connection file and the ``ipc`` sockets.
    """

    _private: Path | None = None
    _workdir: Path | None = None
    _confined = False
    _limits: "GradingLimits | None" = None
    _cgroups: "Cgroups | None" = None

    async def start_kernel(self, **kw):
        # nbgrader sets NBGRADER_EXECUTION=autograde while it grades; `nbgrader validate` and
        # learners' own runs (no bubblewrap on macOS or Windows) get a plain kernel
        grading = os.environ.get("NBGRADER_EXECUTION") == "autograde"
        self._confined = grading and GradingSandbox(parent=self).usable()
        if self._confined:
            self._workdir = Path(kw.get("cwd") or os.getcwd()).resolve()
            self._private = private_folder()
            self.transport = "ipc"
            self.connection_file = str(self._private / "kernel.json")
            self.ip = str(self._private / "k")
            kw["cwd"] = str(self._workdir)
            self._limits = GradingLimits(parent=self)
            self._cgroups = sandbox_limits(self._limits, self._private)
            kw["preexec_fn"] = _preexec(self._limits, self._cgroups)
            _end_sandboxes_on_sigterm()
            # A signal to the process group would hit bubblewrap itself and end the sandbox;
            # ipykernel interrupts itself on an interrupt_request message instead.
            self.kernel_spec.interrupt_mode = "message"
        return await super().start_kernel(**kw)

    def format_kernel_cmd(self, extra_arguments=None):
        cmd = super().format_kernel_cmd(extra_arguments)
        if not self._confined:
            return cmd
        return command(cmd, writable=[self._workdir], private=self._private,
                       bwrap=GradingSandbox(parent=self).bwrap, limits=self._limits)

    async def cleanup_resources(self, restart: bool = False):
        # called on every shutdown, and by nbclient also after a kernel died (os._exit)
        try:
            await super().cleanup_resources(restart=restart)
        finally:
            if self._private is not None and not restart:
                release(self._private, self._cgroups)
                self._private = self._cgroups = None


def run_confined(argv: list[str], *, input: str, timeout: float, confined: bool,
                 bwrap: str = "bwrap", limits: "GradingLimits | None" = None) -> subprocess.CompletedProcess:
    """Run a grader subprocess (it runs learner scripts) confined, in a private folder.

    On timeout the whole process group is killed: a learner's endless loop must not outlive it.
    """
    private = private_folder()
    cgroups = sandbox_limits(limits, private) if confined else None
    try:
        cmd = (command(argv, private=private, hide_keys=False, bwrap=bwrap, limits=limits)
               if confined else argv)
        env = dict(os.environ, HOME=str(private / "home"), TMPDIR=str(private / "tmp"))
        with subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, cwd=private, env=env,
                              start_new_session=True,
                              preexec_fn=_preexec(limits, cgroups) if confined else None) as proc:
            try:
                out, err = proc.communicate(input, timeout=timeout)
            except subprocess.TimeoutExpired:
                if hasattr(os, "killpg"):
                    os.killpg(proc.pid, signal.SIGKILL)
                else:
                    proc.kill()
                proc.communicate()
                raise
        return subprocess.CompletedProcess(cmd, proc.returncode, out, err)
    finally:
        release(private, cgroups)


class Batch:
    """One confined grader process (``python -I -m checkers.course.grade --batch``) for many
    answers: each answer gets ``timeout`` seconds of its own, as a process of its own would. A
    process that runs over its time, or dies, is replaced by a fresh one for the answers left.
    Answers: ``(status, verdict, error)``; status ``None`` means it ran out of time.
    """

    def __init__(self, argv: list[str], *, timeout: float, bwrap: str = "bwrap",
                 limits: "GradingLimits | None" = None):
        self.argv, self.timeout, self.bwrap, self.limits = argv, timeout, bwrap, limits
        self.proc: subprocess.Popen | None = None
        self.private: Path | None = None
        self.cgroups: Cgroups | None = None

    def _start(self) -> None:
        self.private = private_folder()
        self.cgroups = sandbox_limits(self.limits, self.private)
        cmd = command(self.argv, private=self.private, hide_keys=False, bwrap=self.bwrap,
                      limits=self.limits)
        env = dict(os.environ, HOME=str(self.private / "home"), TMPDIR=str(self.private / "tmp"),
                   CHECKERS_GRADE_SANDBOXED="1")
        self._err = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self._err, cwd=self.private, env=env,
                                     start_new_session=True, preexec_fn=_preexec(self.limits, self.cgroups))

    def _stop(self) -> None:
        if self.proc is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
            for stream in (self.proc.stdin, self.proc.stdout):
                with contextlib.suppress(OSError):
                    stream.close()
            self._err.close()
            self.proc = None
        release(self.private, self.cgroups)
        self.private = self.cgroups = None

    def _last_error(self) -> str:
        self._err.seek(0)
        lines = self._err.read().decode(errors="replace").strip().splitlines()
        return lines[-1] if lines else f"exit status {self.proc.poll()}"

    def grade(self, item: dict) -> tuple[int | None, dict | None, str]:
        if self.proc is None:
            self._start()
        try:
            self.proc.stdin.write((json.dumps(item) + "\n").encode())
            self.proc.stdin.flush()
        except OSError:
            pass  # died: read() below sees the end
        line = _readline(self.proc.stdout, self.timeout)
        if line is None:  # out of time: this process and what it started end here
            self._stop()
            return None, None, ""
        if not line:
            self.proc.wait()
            said = self._last_error()
            self._stop()
            return 2, None, said
        try:
            answer = json.loads(line.splitlines()[-1])
            return answer["status"], answer["verdict"], answer["error"]
        except (ValueError, KeyError, TypeError, IndexError):
            self._stop()
            return 2, None, "the grader's answer could not be read"

    def close(self) -> None:
        if self.proc is not None:
            with contextlib.suppress(OSError):
                self.proc.stdin.close()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        self._stop()

    def __enter__(self) -> "Batch":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _readline(stream, timeout: float) -> bytes | None:
    """One line from a pipe, or None after ``timeout`` seconds (b"" at its end)."""
    deadline = time.monotonic() + timeout
    data = b""
    fd = stream.fileno()
    while not data.endswith(b"\n"):
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            return None
        chunk = os.read(fd, 65536)
        if not chunk:
            return data if data.endswith(b"\n") else b""
        data += chunk
    return data


def drop_links(folder: Path) -> list[Path]:
    """Remove symbolic links and special files (FIFOs, sockets) a submission left in its folder.

    The kernel cannot read the course, but it can *name* it: a link it plants in its own folder
    (``gradebook.txt -> ../../../gradebook.db``) is followed later by nbgrader's unconfined
    steps, and ``generate_feedback`` copies every other file of the folder into the feedback
    that goes back to the learner: the gradebook, the solutions, the instructor's files. A FIFO
    would make that copy fail. Called once the kernel and everything it started have
    ended (bubblewrap's pid namespace ends with the kernel).
    """
    dropped = []
    for dirpath, dirnames, filenames in os.walk(folder):  # never follows links
        for name in [*dirnames, *filenames]:
            path = Path(dirpath) / name
            if path.is_symlink() or not (path.is_file() or path.is_dir()):
                path.unlink()
                dropped.append(path)
        dirnames[:] = [d for d in dirnames if (Path(dirpath) / d).is_dir()]  # links are gone
    return dropped


def _not_run(message: str, ename: str = "KernelExited"):
    from nbformat.v4 import new_output

    return new_output("error", ename=ename, evalue=message, traceback=[f"{ename}: {message}"])


class ExecuteToTheEnd(Execute):
    """nbgrader's ``Execute``, but a kernel that exits (``os._exit``, a crash) costs only the cells
    from there on: they get an error (score 0) instead of the whole submission failing; output
    that is still on its way once a cell ended (a large print, a busy machine) is waited for as
    long as the cell itself could run, and output that does not arrive even then costs only that
    cell; and a cell keeps at most ``GradingLimits.output_kb`` of output (:meth:`output`)."""

    @default("iopub_timeout")
    def _output_wait(self):
        # nbclient's default, 4 s after the cell's reply, is what a large print takes to arrive on
        # a loaded machine; nbgrader makes running out of it fail the whole submission
        return max(int(self.timeout or 0), 4)

    _gone = False
    _budget = 0
    _kept = 0
    _decisive: set = set()
    _noted = False

    def preprocess(self, nb, resources=None, km=None):
        self._gone = False
        self._budget = GradingLimits(parent=self).output_kb * 1024
        try:
            return super().preprocess(nb, resources, km)
        finally:
            folder = ((resources or {}).get("metadata") or {}).get("path")
            if folder:
                for dropped in drop_links(Path(folder)):
                    self.log.warning("removed %s: the submission made it, and it is not a "
                                     "plain file or folder", dropped)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        if self._gone:
            cell.outputs = [_not_run("not run: the kernel had exited in an earlier cell")]
            return cell, resources
        self._kept, self._decisive, self._noted = 0, set(), False
        try:
            return super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            self._gone = True
            cell.outputs.append(_not_run("the kernel exited while running this cell"))
            return cell, resources
        except CellTimeoutError:
            cell.outputs.append(_not_run(
                f"the cell's output had not all arrived {self.iopub_timeout} s after it ended",
                ename="CellTimeoutError"))
            return cell, resources

    def output(self, outs, msg, display_id, cell_index):
        """nbclient's output handling within a budget. Over it, printed text and displays are
        dropped (one note says so); what nbgrader grades a cell by is kept, shortened: its first
        error (no credit), first stderr text (no credit), first result (partial credit), so a
        cell scores what it would have with all its output."""
        budget = self._budget
        size = _content_size(msg.get("content") or {})
        kind = msg.get("msg_type")
        decisive = {"error": "error", "execute_result": "result"}.get(kind)
        if kind == "stream" and (msg.get("content") or {}).get("name") == "stderr":
            decisive = "stderr"
        if not budget or self._kept + size <= budget:
            self._kept += size
            if decisive:
                self._decisive.add(decisive)
            return super().output(outs, msg, display_id, cell_index)
        if decisive and decisive not in self._decisive:
            self._decisive.add(decisive)
            out = super().output(outs, msg, display_id, cell_index)
            if out is not None:
                _shorten(out, 2000)
            return out
        if not self._noted:
            self._noted = True
            from nbformat.v4 import new_output

            outs.append(new_output("stream", name="stdout", text=(
                f"\n[grader] output beyond {budget // 1024} KiB in this cell was dropped\n")))
        return None


def _content_size(content: dict) -> int:
    """Characters of a message's text, data and traceback (what a notebook would keep)."""
    size = len(content.get("text") or "") + len(content.get("evalue") or "")
    size += sum(len(line) for line in content.get("traceback") or [])
    for value in (content.get("data") or {}).values():
        size += len(value) if isinstance(value, str) else len(json.dumps(value))
    return size


def _shorten(out, limit: int) -> None:
    """Cut a kept output's text to about ``limit`` characters, in place."""
    def cut(text):
        return text if len(text) <= limit else text[:limit] + "\n[grader] ... shortened"

    if isinstance(out.get("text"), str):
        out["text"] = cut(out["text"])
    if isinstance(out.get("evalue"), str):
        out["evalue"] = cut(out["evalue"])
    if out.get("traceback"):
        out["traceback"] = [cut(line) for line in out["traceback"][-20:]]
    for mime, value in list((out.get("data") or {}).items()):
        if isinstance(value, str):
            out["data"][mime] = cut(value)


def main() -> int:
    """``python -m checkers.course.confine``: can submissions be sandboxed on this machine?"""
    problem = why_unavailable()
    print(problem or "sandbox ready: autograding confines every submission (bubblewrap)")
    return 1 if problem else 0


if __name__ == "__main__":
    sys.exit(main())
