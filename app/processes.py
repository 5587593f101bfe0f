"""Ending a child process: asked to stop (SIGTERM), then made to (SIGKILL) if it has not
within ``wait_s``; reaped either way, so nothing is left behind."""

from __future__ import annotations

import subprocess
from typing import Any


def stop(process: subprocess.Popen[Any], wait_s: float = 10) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(wait_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(wait_s)
