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


class Desktop(Protocol):
    """A screen to capture and the input that drives it (pixel coordinates)."""

    width: int
    height: int
    polls: bool  # True: changes come from outside, so grab at the frame rate

    def grab_if_changed(self) -> Captured | None:
        """The screen if it changed since the last grab (always, the first time)."""
        ...

    def render(self) -> RGBFrame:
        """The screen now, changed or not (for a keyframe on request)."""
        ...

    def click(self, x: int, y: int, button: str = "left", count: int = 1) -> None: ...

    def press(self, x: int, y: int, button: str = "left") -> None: ...

    def move(self, x: int, y: int) -> None: ...

    def release(self, x: int, y: int, button: str = "left") -> None: ...

    def type_text(self, text: str) -> None: ...

    def key(self, name: str) -> None: ...

    def wheel(self, dy: float) -> None: ...

    def close(self) -> None:
        """Release whatever is held (keys, buttons) and the display."""
        ...


def open_desktop(source: str, display_name: str | None = None) -> Desktop:
    if source == "x11":
        from app.agent.capture.x11 import X11Desktop

        return X11Desktop(display_name)
    if source == "demo":
        from app.agent.capture.demo import DemoScreen

        return DemoScreen()
    raise ValueError(f"unknown screen source {source!r}: use x11 or demo")


def default_source() -> str:
    import os

    return "x11" if os.environ.get("DISPLAY") else "demo"
