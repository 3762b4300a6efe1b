"""How a grading process ends on SIGTERM: its sandboxes (kernels, checks) first, so that none
outlives it (``confine.end_sandboxes``), then the process itself."""
from __future__ import annotations

import os
import signal


def end_sandboxes_on_sigterm(exit_code: int | None = None) -> None:
    """From now on SIGTERM ends this process's sandboxes, then the process: at once with
    ``exit_code`` (``os._exit``: a worker with nothing to save), or, without one, the way
    SIGTERM's default would (whoever waits for it sees the signal)."""
    from .confine import end_sandboxes  # imported now: no import inside a signal handler

    def end(signum, _frame):
        end_sandboxes()
        if exit_code is not None:
            os._exit(exit_code)
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)

    signal.signal(signal.SIGTERM, end)
