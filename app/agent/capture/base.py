"""What every screen source offers the session: a frame when something changed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

RGBFrame = npt.NDArray[np.uint8]  # height, width, 3 (RGB)


@dataclass(frozen=True)
class Captured:
    image: RGBFrame
    capture_us: int  # wall clock, µs: the viewer measures latency against it after clock sync


class ScreenSource(Protocol):
    width: int
    height: int

    def grab_if_changed(self) -> Captured | None:
        """The screen if it changed since the last grab (always, the first time)."""
        ...
