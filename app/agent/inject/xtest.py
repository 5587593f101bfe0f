"""Input on X11 through the XTest extension: real events, as if from a real mouse and
keyboard, seen by every application the same way.

Characters the keyboard map does not have (``é`` on a US map, ``✓`` anywhere) are typed
by binding them for a moment to a spare keycode, like ``xdotool`` does. Bindings are
reused least-recently-used across the spare keycodes, so an application that reads its
events late still finds the right symbol, and they are undone when the session ends."""

from __future__ import annotations

from collections import OrderedDict

from Xlib import XK, X, display
from Xlib.ext import xtest

from app.agent.inject.base import InputBackend

BUTTONS = {"left": 1, "middle": 2, "right": 3}
WHEEL_UP, WHEEL_DOWN, WHEEL_LEFT, WHEEL_RIGHT = 4, 5, 6, 7
SPECIAL_CHARACTERS = {"\n": "Return", "\r": "Return", "\t": "Tab", " ": "space"}


def keysym_of_character(char: str) -> int:
    """X keysyms: Latin-1 characters are their code point; others 0x01000000 + code point."""
    if char in SPECIAL_CHARACTERS:
        return int(XK.string_to_keysym(SPECIAL_CHARACTERS[char]))
    code = ord(char)
    return code if 0x20 <= code <= 0xFF else 0x01000000 + code


class XTestInput(InputBackend):
    def __init__(self, display_name: str | None = None) -> None:
        super().__init__()
        self._display = display.Display(display_name)
        self._shift = self._display.keysym_to_keycode(XK.XK_Shift_L)
        first = self._display.display.info.min_keycode
        count = self._display.display.info.max_keycode - first + 1
        mapping = self._display.get_keyboard_mapping(first, count)
        self._spare: list[int] = [
            first + index
            for index, symbols in enumerate(mapping)
            if not any(symbols) and first + index != 255  # 255 is often taken by tools
        ]
        self._bound: OrderedDict[int, int] = OrderedDict()  # keysym → spare keycode

    def close(self) -> None:
        super().close()
        for keycode in self._bound.values():
            self._display.change_keyboard_mapping(keycode, [(X.NoSymbol,)])
        self._display.sync()
        self._display.close()

    def move_to(self, x: int, y: int) -> None:
        xtest.fake_input(self._display, X.MotionNotify, x=x, y=y)

    def set_button(self, button: str, down: bool) -> None:
        event = X.ButtonPress if down else X.ButtonRelease
        xtest.fake_input(self._display, event, BUTTONS[button])

    def set_key(self, name: str, down: bool) -> bool:
        keysym = XK.string_to_keysym(name)
        if not keysym:
            return False
        keycode: int = self._display.keysym_to_keycode(keysym) or self._bind(keysym)
        if not keycode:
            return False
        xtest.fake_input(self._display, X.KeyPress if down else X.KeyRelease, keycode)
        return True

    def scroll(self, dx: int, dy: int) -> None:
        for count, positive, negative in (
            (dy, WHEEL_DOWN, WHEEL_UP),
            (dx, WHEEL_RIGHT, WHEEL_LEFT),
        ):
            button = positive if count > 0 else negative
            for _ in range(abs(count)):
                xtest.fake_input(self._display, X.ButtonPress, button)
                xtest.fake_input(self._display, X.ButtonRelease, button)

    def type_character(self, char: str) -> None:
        keysym = keysym_of_character(char)
        keycode = self._display.keysym_to_keycode(keysym)
        level = self._level(keycode, keysym) if keycode else None
        if level is None:  # not on this keyboard, or behind AltGr: bind it for a moment
            keycode, level = self._bind(keysym), 0
            if not keycode:
                return
        if level == 1:
            xtest.fake_input(self._display, X.KeyPress, self._shift)
        xtest.fake_input(self._display, X.KeyPress, keycode)
        xtest.fake_input(self._display, X.KeyRelease, keycode)
        if level == 1:
            xtest.fake_input(self._display, X.KeyRelease, self._shift)

    def flush(self) -> None:
        self._display.sync()

    def _level(self, keycode: int, keysym: int) -> int | None:
        for level in (0, 1):
            if self._display.keycode_to_keysym(keycode, level) == keysym:
                return level
        return None

    def _bind(self, keysym: int) -> int:
        if keysym in self._bound:
            self._bound.move_to_end(keysym)
            return self._bound[keysym]
        keycode: int
        if len(self._bound) < len(self._spare):
            keycode = self._spare[len(self._bound)]
        elif self._bound:
            _, keycode = self._bound.popitem(last=False)  # least recently used
        else:
            return 0  # a keyboard map with no spare keycode at all
        self._bound[keysym] = keycode
        self._display.change_keyboard_mapping(keycode, [(keysym, keysym)])
        self._display.sync()
        return keycode
