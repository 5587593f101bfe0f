"""Per-frame buffers are served from memory that stays mapped: no page faults once warm."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

# In a process of its own: the setting is process-wide and the question is what a fresh
# program gets. Faults are counted for the allocating thread only.
PROBE = """
import resource
import numpy as np
from app.video_memory import keep_frame_memory_mapped

assert keep_frame_memory_mapped() and keep_frame_memory_mapped()  # once, then a no-op
np.ones((1080, 1920, 4), np.uint8)  # warm: the heap grows once
before = resource.getrusage(resource.RUSAGE_THREAD).ru_minflt
for _ in range(20):
    np.ones((1080, 1920, 4), np.uint8)  # 8 MB, written, freed: one frame's worth
print(resource.getrusage(resource.RUSAGE_THREAD).ru_minflt - before)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator")
def test_frame_sized_buffers_reuse_mapped_memory() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=Path(__file__).resolve().parents[1],  # this checkout's ``app``
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    # 0 here; glibc's own policy unmaps some of the 2025 pages of each and faults them in
    # again (about 500 faults in this loop, thousands a frame in the agent's threads).
    assert int(done.stdout) < 200, done.stdout
