"""The demo screen: a small desktop drawn in-process that reacts to the input it gets, so
a session's round trip is visible without any real display (tests, ``porthole demo``).

It has a title bar, a text field that shows what is typed, a scrollable list, and a
drawing canvas where clicks and drags leave marks."""

from __future__ import annotations

import time

import numpy as np
from PIL import Image, ImageDraw

from app.agent.capture.base import Captured

BACKGROUND = (32, 56, 88)
WINDOW = (236, 238, 242)
ACCENT = (40, 120, 220)
INK = (20, 20, 24)
LIST_ITEMS = [f"Document {n:02}" for n in range(1, 41)]


class DemoScreen:
    polls = False  # it knows when it changed; nothing to poll

    def __init__(self, width: int = 1280, height: int = 720) -> None:
        self.width, self.height = width, height
        self.text = ""
        self.scroll = 0
        self.marks: list[tuple[int, int]] = []
        self.clicks = 0
        self._dragging = False
        self._dirty = True
        self._canvas_box = (
            int(width * 0.45),
            int(height * 0.2),
            int(width * 0.95),
            int(height * 0.9),
        )

    # -- input, in screen pixels --------------------------------------------------------

    def click(self, x: int, y: int, button: str = "left", count: int = 1) -> None:
        self.clicks += 1
        left, top, right, bottom = self._canvas_box
        if left <= x < right and top <= y < bottom:
            self.marks.append((x, y))
        self._dirty = True

    def press(self, x: int, y: int, button: str = "left") -> None:
        self._dragging = True
        self.click(x, y, button)

    def move(self, x: int, y: int) -> None:
        if self._dragging:
            self.click(x, y)  # a drag leaves a trail on the canvas

    def release(self, x: int, y: int, button: str = "left") -> None:
        self._dragging = False

    def type_text(self, text: str) -> None:
        self.text = (self.text + text)[-60:]
        self._dirty = True

    def key(self, name: str) -> None:
        if name == "BackSpace":
            self.text = self.text[:-1]
        elif name == "Return":
            self.text = ""
        self._dirty = True

    def wheel(self, dy: float) -> None:
        self.scroll = int(max(0, min(len(LIST_ITEMS) - 10, self.scroll + round(dy))))
        self._dirty = True

    # -- capture ------------------------------------------------------------------------

    def grab_if_changed(self) -> Captured | None:
        if not self._dirty:
            return None
        self._dirty = False
        return Captured(self._draw(), time.time_ns() // 1000)

    def render(self) -> np.ndarray:
        """The current picture, changed or not (a keyframe was asked for)."""
        return self._draw()

    def _draw(self) -> np.ndarray:
        w, h = self.width, self.height
        image = Image.new("RGB", (w, h), BACKGROUND)
        draw = ImageDraw.Draw(image)
        draw.rectangle((int(w * 0.03), int(h * 0.05), int(w * 0.97), int(h * 0.95)), fill=WINDOW)
        draw.rectangle((int(w * 0.03), int(h * 0.05), int(w * 0.97), int(h * 0.12)), fill=ACCENT)
        draw.text((int(w * 0.05), int(h * 0.07)), "Porthole demo desktop", fill=(255, 255, 255))
        # Text field.
        draw.rectangle(
            (int(w * 0.05), int(h * 0.2), int(w * 0.4), int(h * 0.27)),
            outline=INK,
            fill=(255, 255, 255),
        )
        draw.text((int(w * 0.06), int(h * 0.22)), self.text + "|", fill=INK)
        # Scrollable list.
        top = int(h * 0.32)
        for row, item in enumerate(LIST_ITEMS[self.scroll : self.scroll + 10]):
            y = top + row * int(h * 0.055)
            draw.rectangle(
                (int(w * 0.05), y, int(w * 0.4), y + int(h * 0.05)),
                fill=(250, 250, 252) if row % 2 else (226, 230, 238),
            )
            draw.text((int(w * 0.06), y + 6), item, fill=INK)
        # Canvas with marks.
        draw.rectangle(self._canvas_box, outline=INK, fill=(255, 255, 255))
        for x, y in self.marks[-500:]:
            draw.ellipse((x - 6, y - 6, x + 6, y + 6), fill=(220, 40, 60))
        return np.asarray(image, dtype=np.uint8)

    def close(self) -> None:
        pass
