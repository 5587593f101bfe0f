"""A tied child (``app.processes.start_tied``) outlives the thread that asked for it,
and dies with its parent even when the parent is killed with no chance to clean up."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import psutil
import pytest

import app

PARENT = """
import threading, subprocess
from app import processes

children = []
asking = threading.Thread(target=lambda: children.append(processes.start_tied(["sleep", "60"])))
asking.start()
asking.join()  # the thread that asked is gone: the child must not be
print(children[0].pid, flush=True)
input()
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux's parent-death signal")
def test_a_tied_child_dies_with_its_parent_killed() -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": os.path.dirname(os.path.dirname(app.__file__))},
    )
    try:
        assert parent.stdout is not None
        child = psutil.Process(int(parent.stdout.readline()))
        assert child.ppid() == parent.pid and child.status() != psutil.STATUS_ZOMBIE
        parent.send_signal(signal.SIGKILL)  # no cleanup runs
        parent.wait(10)
        child.wait(timeout=10)  # gone (raises if it is still there)
    finally:
        parent.kill()
        parent.wait(10)
