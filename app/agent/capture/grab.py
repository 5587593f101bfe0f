"""Grabbing a rectangle of the screen with ``mss`` (MIT-SHM on X11, GDI on Windows,
CoreGraphics on macOS), as RGB, and telling whether it changed since the last grab."""

from __future__ import annotations

import time

import mss
import numpy as np
import numpy.typing as npt

from app.agent.capture.base import Captured
from app.agent.capture.changes import as_bgra, changed_box
from app.protocol import Monitor


class RegionGrabber:
    def __init__(self, display_name: str | None = None) -> None:
        self.mss = mss.MSS(display=display_name) if display_name else mss.MSS()
        self._previous: bytes | bytearray | None = None
        self._region: dict[str, int] = {}
        self.width = self.height = 0

    def aim(self, monitor: Monitor) -> None:
        """Grab this monitor from now on (the next grab counts as a change)."""
        self._region = {
            "left": monitor.x,
            "top": monitor.y,
            "width": monitor.width,
            "height": monitor.height,
        }
        # H.264 wants even sizes: an odd last column or row is left out.
        self.width = monitor.width - monitor.width % 2
        self.height = monitor.height - monitor.height % 2
        self._previous = None

    def render(self) -> Captured:
        shot = self.mss.grab(self._region)
        captured_us = time.time_ns() // 1000
        return Captured(self._bgra(shot.raw, shot.width, shot.height), captured_us, "bgra")

    def grab_if_changed(self) -> Captured | None:
        shot = self.mss.grab(self._region)
        captured_us = time.time_ns() // 1000
        # mss copies each grab out of its shared memory into a fresh bytearray: kept as it
        # is (a second copy of a 1080p grab was 1.5-2 ms), and compared once, by
        # changed_box, which finds both whether and where it changed.
        raw = shot.raw
        previous, self._previous = self._previous, raw
        if previous is None:
            return Captured(self._bgra(raw, shot.width, shot.height), captured_us, "bgra")
        box = changed_box(as_bgra(raw, shot.width), as_bgra(previous, shot.width))
        if box is None:
            return None
        return Captured(self._bgra(raw, shot.width, shot.height), captured_us, "bgra", box)

    def _bgra(self, raw: bytes | bytearray, width: int, height: int) -> npt.NDArray[np.uint8]:
        """The grab as it came (no copy), less an odd last column or row."""
        bgra = np.frombuffer(raw, dtype=np.uint8).reshape(height, width, 4)
        if (width, height) == (self.width, self.height):
            return bgra
        return np.ascontiguousarray(bgra[: self.height, : self.width])

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
        self.mss.close()
