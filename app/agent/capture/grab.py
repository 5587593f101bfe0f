"""Grabbing a rectangle of the screen with ``mss`` (MIT-SHM on X11, GDI on Windows,
CoreGraphics on macOS), as RGB, and telling whether it changed since the last grab."""

from __future__ import annotations

import time
from dataclasses import dataclass

import mss
import numpy as np
import numpy.typing as npt

from app.agent.capture.base import Captured
from app.agent.capture.changes import Raw, as_bgra, changed_box
from app.agent.capture.shm_ring import ShmRing
from app.protocol import Monitor


@dataclass(frozen=True)
class _Region:
    left: int
    top: int
    width: int
    height: int


class RegionGrabber:
    """Grabs on the capture thread while the session may aim it elsewhere (another
    monitor) on the loop: each grab reads the region once and keeps it with its pixels,
    so a grab and a comparison never mix two sizes."""

    def __init__(self, display_name: str | None = None) -> None:
        self.mss = mss.MSS(display=display_name) if display_name else mss.MSS()
        self._ring = ShmRing.open(self.mss)
        self._previous: tuple[Raw, _Region] | None = None
        self._region = _Region(0, 0, 0, 0)
        self.width = self.height = 0

    def aim(self, monitor: Monitor) -> None:
        """Grab this monitor from now on (the next grab counts as a change)."""
        self._region = _Region(monitor.x, monitor.y, monitor.width, monitor.height)
        # H.264 wants even sizes: an odd last column or row is left out.
        self.width = monitor.width - monitor.width % 2
        self.height = monitor.height - monitor.height % 2

    def render(self) -> Captured:
        raw, captured_us, region = self._grab()
        return Captured(_bgra(raw, region), captured_us, "bgra")

    def grab_if_changed(self) -> Captured | None:
        raw, captured_us, region = self._grab()
        # Kept as it came (a copy of a 1080p grab is 1.5-2 ms), and compared once, by
        # changed_box, which finds both whether and where it changed.
        previous, self._previous = self._previous, (raw, region)
        if previous is None or previous[1] != region:
            return Captured(_bgra(raw, region), captured_us, "bgra")
        box = changed_box(as_bgra(raw, region.width), as_bgra(previous[0], region.width))
        if box is None:
            return None
        return Captured(_bgra(raw, region), captured_us, "bgra", box)

    def _grab(self) -> tuple[Raw, int, _Region]:
        """The region's pixels (BGRA), the instant they were read, and the region: in a
        shared-memory slot where one is free, else copied out by mss."""
        region = self._region
        raw: Raw | None = None
        if self._ring is not None:
            raw = self._ring.grab(region.left, region.top, region.width, region.height)
        if raw is None:
            box = {
                "left": region.left,
                "top": region.top,
                "width": region.width,
                "height": region.height,
            }
            raw = self.mss.grab(box).raw
        return raw, time.time_ns() // 1000, region

    def mss_monitors(self) -> list[Monitor]:
        """The monitors ``mss`` sees (index 0 is all of them together: skipped)."""
        return [
            Monitor(
                id=str(index),
                name=f"Screen {index}",
                x=int(m["left"]),
                y=int(m["top"]),
                width=int(m["width"]),
                height=int(m["height"]),
                primary=index == 1,
            )
            for index, m in enumerate(self.mss.monitors[1:], start=1)
        ]

    def close(self) -> None:
        if self._ring is not None:
            self._ring.close()
        self.mss.close()


def _bgra(raw: Raw, region: _Region) -> npt.NDArray[np.uint8]:
    """The grab as it came (no copy), less an odd last column or row."""
    width, height = region.width, region.height
    bgra = np.frombuffer(memoryview(raw), dtype=np.uint8).reshape(height, width, 4)
    even_width, even_height = width - width % 2, height - height % 2
    if (width, height) == (even_width, even_height):
        return bgra
    return np.ascontiguousarray(bgra[:even_height, :even_width])
