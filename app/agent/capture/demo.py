"""The demo screen: a small desktop drawn in-process that reacts to the input it gets,
like an operating system would, so a session's round trip is visible without any real
display (tests, ``porthole demo``).

It is both a screen source and an input back-end: it receives the same presses,
releases, wheel notches and characters XTest would deliver, and turns them into what
a desktop does with them — a click or double click (by timing, like a real desktop),
a right-click menu, a drag that draws, a list that scrolls, Ctrl+wheel that zooms, a
text field that shows what is typed. Everything it understood is kept readable, so
tests check what the person at the viewer would see."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from app.agent.capture.base import Captured, RGBFrame
from app.agent.capture.changes import changed_box
from app.agent.clipboard.base import MemoryClipboard
from app.agent.inject.base import MODIFIER_KEYS, InputBackend
from app.protocol import Monitor
from app.protocol.clipboard import Clip, ClipKind

BACKGROUND = (32, 56, 88)
WINDOW = (236, 238, 242)
ACCENT = (40, 120, 220)
INK = (20, 20, 24)
MARK = (220, 40, 60)
LIST_ITEMS = [f"Document {n:02}" for n in range(1, 41)]
VISIBLE_ROWS = 10
DOUBLE_CLICK_S = 0.4  # what desktops use by default
DOUBLE_CLICK_PX = 6
ZOOM_STEP = 10  # percent per wheel notch with Ctrl held


@dataclass(frozen=True)
class Click:
    x: int
    y: int
    button: str
    count: int  # 2 for the second click of a double click
    mods: tuple[str, ...]


class DemoScreen(InputBackend):
    polls = False  # it knows when it changed; nothing to poll

    def __init__(self, width: int = 1280, height: int = 720) -> None:
        super().__init__()
        self.width, self.height = width, height
        self._last: RGBFrame | None = None  # the previous picture, to say where it changed
        # What the desktop understood, for tests and the demo.
        self.text = ""
        self.list_offset = 0
        self.zoom_percent = 100
        self.marks: list[tuple[int, int]] = []
        self.clicks: list[Click] = []
        self.keys: list[str] = []  # chords as pressed: "Return", "ctrl+c"
        self.opened = ""  # the list item opened by a double click
        self.menu_at: tuple[int, int] | None = None  # a right-click menu
        self.pointer = (0, 0)
        #: Ctrl+C copies the text field here; Ctrl+V pastes what is here into it.
        self.clipboard = MemoryClipboard()
        self._buttons_down: set[str] = set()
        self._modifiers_down: set[str] = set()
        self._last_click_at = 0.0
        self._dirty = True
        self._canvas_box = (
            int(width * 0.45),
            int(height * 0.2),
            int(width * 0.95),
            int(height * 0.9),
        )
        self._list_box = (int(width * 0.05), int(height * 0.32), int(width * 0.4))
        self._row_height = int(height * 0.055)
        # Pillow's own scalable font: readable text without depending on system fonts.
        self._font = ImageFont.load_default(size=max(10, height // 40))

    @property
    def current(self) -> Monitor:
        return Monitor(
            id="demo",
            name="Demo screen",
            x=0,
            y=0,
            width=self.width,
            height=self.height,
            primary=True,
        )

    def monitors(self) -> list[Monitor]:
        return [self.current]

    def select(self, monitor_id: str) -> None:
        if monitor_id != "demo":
            raise KeyError(monitor_id)
        self._dirty = True

    def reload(self) -> None:
        """The demo screen never changes size: nothing to read again."""

    def change_fd(self) -> int | None:
        return None

    def changes_pending(self) -> bool:
        return self._dirty

    # -- input primitives: what a desktop does with them ----------------------------------

    def move_to(self, x: int, y: int) -> None:
        moved = (x, y) != self.pointer
        self.pointer = (x, y)
        if moved and "left" in self._buttons_down and self._in_canvas(x, y):
            self.marks.append((x, y))  # a drag leaves a trail on the canvas
            self._dirty = True

    def set_button(self, button: str, down: bool) -> None:
        x, y = self.pointer
        if down:
            self._buttons_down.add(button)
            if button == "left" and self._in_canvas(x, y):
                self.marks.append((x, y))
            return
        if button not in self._buttons_down:
            return
        self._buttons_down.discard(button)
        self._clicked(x, y, button)

    def set_key(self, name: str, down: bool) -> bool:
        modifier = next((mod for mod, key in MODIFIER_KEYS.items() if key == name), None)
        if modifier is not None:
            (self._modifiers_down.add if down else self._modifiers_down.discard)(modifier)
            return True
        if not down:
            return True
        held = [mod for mod in MODIFIER_KEYS if mod in self._modifiers_down]
        self.keys.append("+".join([*held, name]))
        self._dirty = True
        pasted = self.clipboard.content
        if held == ["ctrl"] and name == "c":
            self.clipboard.copy(Clip.text(self.text))
        elif held == ["ctrl"] and name == "v" and pasted and pasted.kind == ClipKind.TEXT:
            self.text = (self.text + pasted.as_text())[-60:]
        if held and held != ["shift"]:
            return True  # a shortcut: recorded, nothing typed
        if name == "BackSpace":
            self.text = self.text[:-1]
        elif name == "Return":
            self.text = ""
        elif len(name) == 1:
            self.text = (self.text + (name.upper() if held else name))[-60:]
        elif name == "space":
            self.text = (self.text + " ")[-60:]
        return True

    def scroll(self, dx: int, dy: int) -> None:
        if "ctrl" in self._modifiers_down:
            self.zoom_percent = max(30, min(500, self.zoom_percent - dy * ZOOM_STEP))
        else:
            self.list_offset = max(0, min(len(LIST_ITEMS) - VISIBLE_ROWS, self.list_offset + dy))
        self._dirty = True

    def type_character(self, char: str) -> None:
        self.text = (self.text + char)[-60:]
        self._dirty = True

    def _clicked(self, x: int, y: int, button: str) -> None:
        now = time.monotonic()
        previous = self.clicks[-1] if self.clicks else None
        count = 1
        if (
            previous is not None
            and previous.button == button
            and now - self._last_click_at <= DOUBLE_CLICK_S
            and abs(previous.x - x) <= DOUBLE_CLICK_PX
            and abs(previous.y - y) <= DOUBLE_CLICK_PX
        ):
            count = min(3, previous.count + 1)
        self._last_click_at = now
        mods = tuple(mod for mod in MODIFIER_KEYS if mod in self._modifiers_down)
        self.clicks.append(Click(x, y, button, count, mods))
        if button == "right":
            self.menu_at = (x, y)
        else:
            self.menu_at = None
            item = self._list_item_at(x, y)
            if count == 2 and item is not None:
                self.opened = item
        self._dirty = True

    def _in_canvas(self, x: int, y: int) -> bool:
        left, top, right, bottom = self._canvas_box
        return left <= x < right and top <= y < bottom

    def _list_item_at(self, x: int, y: int) -> str | None:
        left, top, right = self._list_box
        row = (y - top) // self._row_height
        if not left <= x < right or not 0 <= row < VISIBLE_ROWS or y < top:
            return None
        return LIST_ITEMS[self.list_offset + row]

    # -- capture ------------------------------------------------------------------------

    def grab_if_changed(self) -> Captured | None:
        if not self._dirty:
            return None
        self._dirty = False
        image, previous = self._draw(), self._last
        self._last = image
        if previous is None:
            return Captured(image, time.time_ns() // 1000)
        box = changed_box(image, previous)
        if box is None:
            return None  # drawn again, the same
        return Captured(image, time.time_ns() // 1000, "rgb24", box)

    def render(self) -> Captured:
        """The current picture, changed or not (a keyframe was asked for)."""
        self._last = self._draw()
        return Captured(self._last, time.time_ns() // 1000)

    def _draw(self) -> RGBFrame:
        w, h = self.width, self.height
        image = Image.new("RGB", (w, h), BACKGROUND)
        draw = ImageDraw.Draw(image)
        draw.font = self._font
        draw.rectangle((int(w * 0.03), int(h * 0.05), int(w * 0.97), int(h * 0.95)), fill=WINDOW)
        draw.rectangle((int(w * 0.03), int(h * 0.05), int(w * 0.97), int(h * 0.12)), fill=ACCENT)
        title = f"Porthole demo desktop   zoom {self.zoom_percent}%"
        if self.opened:
            title += f"   opened: {self.opened}"
        draw.text((int(w * 0.05), int(h * 0.07)), title, fill=(255, 255, 255))
        # Text field.
        draw.rectangle(
            (int(w * 0.05), int(h * 0.2), int(w * 0.4), int(h * 0.27)),
            outline=INK,
            fill=(255, 255, 255),
        )
        draw.text((int(w * 0.06), int(h * 0.22)), self.text + "|", fill=INK)
        # Scrollable list.
        left, top, right = self._list_box
        for row, item in enumerate(LIST_ITEMS[self.list_offset : self.list_offset + VISIBLE_ROWS]):
            y = top + row * self._row_height
            draw.rectangle(
                (left, y, right, y + self._row_height - 2),
                fill=(250, 250, 252) if row % 2 else (226, 230, 238),
            )
            draw.text((int(w * 0.06), y + self._row_height // 5), item, fill=INK)
        # Canvas with marks.
        draw.rectangle(self._canvas_box, outline=INK, fill=(255, 255, 255))
        for x, y in self.marks[-500:]:
            draw.ellipse((x - 6, y - 6, x + 6, y + 6), fill=MARK)
        if self.menu_at is not None:  # a right-click menu, like any desktop's
            x, y = self.menu_at
            draw.rectangle((x, y, x + 140, y + 76), fill=(250, 250, 250), outline=INK)
            for row, label in enumerate(("Open", "Rename", "Delete")):
                draw.text((x + 10, y + 6 + row * 24), label, fill=INK)
        return np.asarray(image, dtype=np.uint8)

    def close(self) -> None:
        self.release_all()
