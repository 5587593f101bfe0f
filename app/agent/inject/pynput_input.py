"""Input through ``pynput``: the back-end for Windows and macOS (and any X11 without
XTest). pynput types Unicode text natively on each system."""

from __future__ import annotations

from typing import Any

from app.agent.inject.base import InputBackend


class PynputInput(InputBackend):
    def __init__(self) -> None:
        super().__init__()
        # Imported here: pynput connects to the display when imported on Linux.
        from pynput import keyboard, mouse

        self._keyboard_module = keyboard
        self._mouse = mouse.Controller()
        self._keyboard = keyboard.Controller()
        self._buttons = {
            "left": mouse.Button.left,
            "middle": mouse.Button.middle,
            "right": mouse.Button.right,
        }

    def move_to(self, x: int, y: int) -> None:
        self._mouse.position = (x, y)

    def set_button(self, button: str, down: bool) -> None:
        if down:
            self._mouse.press(self._buttons[button])
        else:
            self._mouse.release(self._buttons[button])

    def set_key(self, name: str, down: bool) -> bool:
        key = self._key(name)
        if key is None:
            return False
        if down:
            self._keyboard.press(key)
        else:
            self._keyboard.release(key)
        return True

    def scroll(self, dx: int, dy: int) -> None:
        # pynput: positive dy scrolls up; the protocol's positive dy scrolls down.
        self._mouse.scroll(dx, -dy)

    def type_character(self, char: str) -> None:
        self._keyboard.type(char)

    def _key(self, name: str) -> Any:
        """An X keysym name as pynput's key: single characters as themselves, the rest
        through pynput's own names (Return → enter, Control_L → ctrl_l...)."""
        if len(name) == 1:
            return name
        Key = self._keyboard_module.Key
        return getattr(Key, PYNPUT_NAMES.get(name, name.lower()), None)


PYNPUT_NAMES = {
    "Return": "enter",
    "BackSpace": "backspace",
    "Escape": "esc",
    "Prior": "page_up",
    "Next": "page_down",
    "Control_L": "ctrl_l",
    "Control_R": "ctrl_r",
    "Alt_L": "alt_l",
    "Alt_R": "alt_r",
    "Shift_L": "shift_l",
    "Shift_R": "shift_r",
    "Super_L": "cmd_l",
    "Super_R": "cmd_r",
    "Caps_Lock": "caps_lock",
    "Num_Lock": "num_lock",
    "Scroll_Lock": "scroll_lock",
    "Print": "print_screen",
}
