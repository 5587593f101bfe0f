"""An agent that fitted a monitor to a viewer and died without giving it back."""

from __future__ import annotations

import select
import signal
import subprocess
import sys
from pathlib import Path

FIT_AND_WAIT = """
import sys, time
from pathlib import Path
from app.agent.capture.resolution import X11Resolution
from app.agent.capture.x11 import list_monitors
display, state_dir = sys.argv[1], Path(sys.argv[2])
width, height = int(sys.argv[3]), int(sys.argv[4])
[monitor] = list_monitors(display)
X11Resolution(display, state_dir).fit(monitor, width, height)
print("fitted", flush=True)
time.sleep(60)  # killed long before
"""


def killed_while_fitted(display_name: str, state_dir: Path, width: int, height: int) -> None:
    """An agent process fits the monitor, then dies by SIGKILL (nothing of its own runs)."""
    agent = subprocess.Popen(
        [sys.executable, "-c", FIT_AND_WAIT, display_name, str(state_dir), str(width), str(height)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert agent.stdout is not None
        ready, _, _ = select.select([agent.stdout], [], [], 30)
        assert ready and agent.stdout.readline().strip() == "fitted"
    finally:
        agent.send_signal(signal.SIGKILL)
        agent.wait(10)
        if agent.stdout is not None:
            agent.stdout.close()
