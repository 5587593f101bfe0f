"""``porthole --smoke-test``: the viewer's window is shown, then the process quits by
itself with ``smoke ok`` (what tests/test_build.py runs in the bundle)."""

from __future__ import annotations

import os
import subprocess
import sys


def porthole(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_smoke_run_shows_the_window_and_quits() -> None:
    done = porthole("--smoke-test")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("smoke ok: 'Porthole'"), done.stdout
    assert "on offscreen" in done.stdout, done.stdout


def test_the_smoke_run_is_for_the_viewer_only() -> None:
    done = porthole("--smoke-test", "demo")
    assert done.returncode == 2
    assert "--smoke-test checks the viewer" in done.stderr
