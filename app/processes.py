"""Child processes: one that dies with this process however it ends (``start_tied``),
and ending one (``stop``): asked to stop (SIGTERM), then made to (SIGKILL) if it has not
within ``wait_s``; reaped either way, so nothing is left behind."""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

PR_SET_PDEATHSIG = 1
#: Starts the tied children. Linux sends a child its parent-death signal when the
#: *thread* that started it ends, not the process: a worker thread that asked (the
#: session's, a test's pool) may end long before the child should. This one lasts as
#: long as the process (its one thread starts with the first child).
_spawner = ThreadPoolExecutor(1, thread_name_prefix="tied-children")
#: util-linux's setpriv asks for the parent-death signal and execs the command: no
#: Python runs in the child between fork and exec, where a lock another thread held at
#: the fork (the dynamic loader's, an import's) would hang it for good — and with it
#: every later start (seen once in the suite: a PipeWire reader never started).
_SETPRIV = shutil.which("setpriv") if sys.platform.startswith("linux") else None
# Where it is missing (Linux only): prctl looked up here, never in a child between the
# fork and the exec.
_prctl = (
    ctypes.CDLL(None, use_errno=True).prctl
    if _SETPRIV is None and sys.platform.startswith("linux")
    else None
)


def start_tied(argv: Sequence[str], **options: Any) -> subprocess.Popen[bytes]:
    """``subprocess.Popen(argv, **options)`` that the kernel kills (SIGKILL) when this
    process ends, even killed itself with no chance to clean up (Linux; elsewhere a plain
    child)."""
    prctl, parent = _prctl, os.getpid()

    def die_with_parent() -> None:  # in the child, between fork and exec
        assert prctl is not None
        prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL))
        if os.getppid() != parent:  # the parent ended before the prctl
            os.kill(os.getpid(), signal.SIGKILL)

    if _SETPRIV is not None:
        command, preexec = [_SETPRIV, "--pdeathsig", "KILL", "--", *argv], None
    elif prctl is not None:
        command, preexec = list(argv), die_with_parent
    else:
        return subprocess.Popen(argv, **options)
    return _spawner.submit(
        lambda: subprocess.Popen(command, preexec_fn=preexec, **options)
    ).result()


def stop(process: subprocess.Popen[Any], wait_s: float = 10) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(wait_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(wait_s)
