"""The X11 screen: captured with MIT-SHM (through ``mss``), the whole screen or one
monitor, and driven with XTest (real input events, as if from a real mouse and keyboard).

Changes come from outside the agent, so the session polls (up to 60 times a second); a
grab costs well under a millisecond and an unchanged screen sends nothing."""

from __future__ import annotations

import time
from typing import Any

import mss
import numpy as np
from Xlib import XK, X, display
from Xlib.ext import xtest

from app.agent.capture.base import Captured

WHEEL_UP, WHEEL_DOWN = 4, 5
BUTTONS = {"left": 1, "middle": 2, "right": 3}


def list_monitors(display_name: str | None = None) -> list[dict[str, Any]]:
    with mss.MSS(display=display_name) as grabber:
        return [
            {
                "id": str(index),
                "width": m["width"],
                "height": m["height"],
                "x": m["left"],
                "y": m["top"],
                "primary": index == 1,
            }
            for index, m in enumerate(grabber.monitors[1:], start=1)
        ]


class X11Desktop:
    polls = True

    def __init__(self, display_name: str | None = None, monitor: int = 1) -> None:
        self._grabber = mss.MSS(display=display_name)
        self._monitor = self._grabber.monitors[monitor]
        self.width = int(self._monitor["width"]) - int(self._monitor["width"]) % 2
        self.height = int(self._monitor["height"]) - int(self._monitor["height"]) % 2
        self._display = display.Display(display_name)
        self._previous: bytes | None = None
        self._held_buttons: set[int] = set()

    def close(self) -> None:
        self.release_all()
        self._grabber.close()
        self._display.close()

    # -- capture -----------------------------------------------------------------------

    def render(self) -> np.ndarray:
        shot = self._grabber.grab(self._monitor)
        bgra = np.frombuffer(shot.raw, dtype=np.uint8).reshape(shot.height, shot.width, 4)
        return np.ascontiguousarray(bgra[: self.height, : self.width, 2::-1])

    def grab_if_changed(self) -> Captured | None:
        shot = self._grabber.grab(self._monitor)
        captured_us = time.time_ns() // 1000
        raw = bytes(shot.raw)
        if raw == self._previous:
            return None
        self._previous = raw
        bgra = np.frombuffer(raw, dtype=np.uint8).reshape(shot.height, shot.width, 4)
        return Captured(np.ascontiguousarray(bgra[: self.height, : self.width, 2::-1]), captured_us)

    # -- input (screen pixels within the monitor) ---------------------------------------

    def _move(self, x: int, y: int) -> None:
        xtest.fake_input(
            self._display,
            X.MotionNotify,
            x=int(self._monitor["left"]) + x,
            y=int(self._monitor["top"]) + y,
        )

    def click(self, x: int, y: int, button: str = "left", count: int = 1) -> None:
        self._move(x, y)
        code = BUTTONS[button]
        for _ in range(count):
            xtest.fake_input(self._display, X.ButtonPress, code)
            xtest.fake_input(self._display, X.ButtonRelease, code)
        self._display.sync()

    def press(self, x: int, y: int, button: str = "left") -> None:
        self._move(x, y)
        code = BUTTONS[button]
        xtest.fake_input(self._display, X.ButtonPress, code)
        self._held_buttons.add(code)
        self._display.sync()

    def move(self, x: int, y: int) -> None:
        self._move(x, y)
        self._display.sync()

    def release(self, x: int, y: int, button: str = "left") -> None:
        self._move(x, y)
        code = BUTTONS[button]
        xtest.fake_input(self._display, X.ButtonRelease, code)
        self._held_buttons.discard(code)
        self._display.sync()

    def wheel(self, dy: float) -> None:
        code = WHEEL_DOWN if dy > 0 else WHEEL_UP
        for _ in range(min(50, max(1, round(abs(dy))))):
            xtest.fake_input(self._display, X.ButtonPress, code)
            xtest.fake_input(self._display, X.ButtonRelease, code)
        self._display.sync()

    def key(self, name: str) -> None:
        keysym = XK.string_to_keysym(name)
        if keysym:
            self._tap(keysym)
            self._display.sync()

    def type_text(self, text: str) -> None:
        for char in text:
            keysym = XK.string_to_keysym(char) or _keysym_of(char)
            self._tap(keysym)
        self._display.sync()

    def _tap(self, keysym: int) -> None:
        keycode = self._display.keysym_to_keycode(keysym)
        if not keycode:
            return
        # Shifted characters (capitals, symbols) are the keycode's second level.
        shifted = self._display.keycode_to_keysym(keycode, 0) != keysym
        shift = self._display.keysym_to_keycode(XK.XK_Shift_L)
        if shifted:
            xtest.fake_input(self._display, X.KeyPress, shift)
        xtest.fake_input(self._display, X.KeyPress, keycode)
        xtest.fake_input(self._display, X.KeyRelease, keycode)
        if shifted:
            xtest.fake_input(self._display, X.KeyRelease, shift)

    def release_all(self) -> None:
        """Nothing stays pressed when a session ends or drops."""
        for code in self._held_buttons:
            xtest.fake_input(self._display, X.ButtonRelease, code)
        self._held_buttons.clear()
        self._display.sync()


def _keysym_of(char: str) -> int:
    # X keysyms: Latin-1 characters are their code point; others are 0x01000000 + code point.
    return ord(char) if ord(char) < 0x100 else 0x01000000 + ord(char)
