"""Input on Wayland through the XDG desktop portal's RemoteDesktop session, the one the
screen is shared by (``app.agent.xdg_portal``): the pointer in the shared monitor's
pixels, buttons and keys as evdev codes (what a real keyboard sends, so shortcuts mean
what they mean on the host's layout), text as keysyms (any character, whatever the
layout: the compositor finds or makes a key for it)."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from typing import Any

from Xlib import XK

from app.agent.capture.base import DesktopUnavailable
from app.agent.inject.base import InputBackend
from app.agent.inject.xtest import keysym_of_character
from app.agent.xdg_portal import PortalSession

BUTTONS = {"left": 0x110, "right": 0x111, "middle": 0x112}  # BTN_LEFT, BTN_RIGHT, BTN_MIDDLE
VERTICAL, HORIZONTAL = 0, 1
KEY_LEFTSHIFT = 42
#: A release (a button's or a key's) now and then stays queued in GNOME 43's mutter until
#: more input comes: about 2 % of clicks on a loaded computer, measured with
#: weston-eventdemo, where the release showed only with the next click, seconds later,
#: the button held meanwhile. Each release is sent again this much later.
RELEASE_AGAIN_S = 0.03
#: Named keys (X keysym names, as the protocol sends them) → Linux evdev key codes. Names
#: not here go as keysyms.
EVDEV_KEYS = {
    "Escape": 1,
    "BackSpace": 14,
    "Tab": 15,
    "Return": 28,
    "Control_L": 29,
    "Shift_L": 42,
    "Shift_R": 54,
    "KP_Multiply": 55,
    "Alt_L": 56,
    "space": 57,
    "Caps_Lock": 58,
    **{f"F{n}": 58 + n for n in range(1, 11)},
    "Num_Lock": 69,
    "Scroll_Lock": 70,
    "KP_7": 71,
    "KP_8": 72,
    "KP_9": 73,
    "KP_Subtract": 74,
    "KP_4": 75,
    "KP_5": 76,
    "KP_6": 77,
    "KP_Add": 78,
    "KP_1": 79,
    "KP_2": 80,
    "KP_3": 81,
    "KP_0": 82,
    "KP_Decimal": 83,
    "F11": 87,
    "F12": 88,
    "KP_Enter": 96,
    "Control_R": 97,
    "KP_Divide": 98,
    "Print": 99,
    "Alt_R": 100,
    "Home": 102,
    "Up": 103,
    "Prior": 104,
    "Left": 105,
    "Right": 106,
    "End": 107,
    "Down": 108,
    "Next": 109,
    "Insert": 110,
    "Delete": 111,
    "XF86AudioMute": 113,
    "XF86AudioLowerVolume": 114,
    "XF86AudioRaiseVolume": 115,
    "KP_Equal": 117,
    "Pause": 119,
    "Super_L": 125,
    "Meta_L": 125,
    "Super_R": 126,
    "Meta_R": 126,
    "Menu": 127,
    "XF86Copy": 133,
    "XF86Paste": 135,
    "XF86Cut": 137,
    "XF86Back": 158,
    "XF86Forward": 159,
    "XF86AudioNext": 163,
    "XF86AudioPlay": 164,
    "XF86AudioPrev": 165,
    "XF86AudioStop": 166,
    **{f"F{n}": 170 + n for n in range(13, 25)},
    "XF86MonBrightnessDown": 224,
    "XF86MonBrightnessUp": 225,
}


class InputSender:
    """Sends the session's input events in order, and each release (of a button or a key)
    once more ``after_s`` later, on a thread of its own (the session's loop is not held
    up). A release again is harmless: the compositor ignores a button or key let go that
    is not down. A new press of the same button or key takes the second release back, so
    it never lands after that press; pointer motion does not (it is what usually follows
    a click)."""

    def __init__(self, notify: Callable[..., None], after_s: float) -> None:
        self._notify, self._after_s = notify, after_s
        self._changed = threading.Condition()
        # (method, button or key) -> (when, the release) still to be sent again
        self._owed: dict[tuple[Any, Any], tuple[float, tuple[Any, ...]]] = {}
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="portal-input", daemon=True)
        self._thread.start()

    @property
    def owed(self) -> list[tuple[Any, ...]]:
        """The releases still to be sent again."""
        with self._changed:
            return [release for _, release in self._owed.values()]

    def send(self, *event: Any, press: bool = False, release: bool = False) -> None:
        """``event``: a ``Notify…`` method, its signature, then (for a button or key) which
        one and whether it is down."""
        with self._changed:
            if press or release:
                self._owed.pop((event[0], event[2]), None)
            self._notify(*event)
            if release:
                self._owed[(event[0], event[2])] = (time.monotonic() + self._after_s, event)
                self._changed.notify()

    def close(self) -> None:
        with self._changed:
            self._closed = True
            self._changed.notify()
        if self._thread is not threading.current_thread():
            self._thread.join(1.0)

    def _run(self) -> None:
        with self._changed:
            while not self._closed:
                now = time.monotonic()
                due = [key for key, (when, _) in self._owed.items() if when <= now]
                for key in due:
                    _, release = self._owed.pop(key)
                    with contextlib.suppress(OSError):  # the bus closed: nothing is held
                        self._notify(*release)
                soonest = min((when for when, _ in self._owed.values()), default=now + 1.0)
                self._changed.wait(max(0.001, soonest - time.monotonic()))


class PortalInput(InputBackend):
    """Input through a started RemoteDesktop session; closing it releases what is held
    (the session itself is closed with the screen, which shares it)."""

    def __init__(self, session: PortalSession) -> None:
        super().__init__()
        if not session.interactive:
            raise DesktopUnavailable(
                "view_only", "This computer shares its screen only: input is not allowed."
            )
        stream = session.streams[0]
        self._stream, self._origin = stream.node, (stream.x, stream.y)
        self._sender = InputSender(session.notify, RELEASE_AGAIN_S)
        # The first key and the first pointer event of a new session are lost on GNOME 43
        # (its virtual devices are made with them): harmless ones go first.
        self._keycode(KEY_LEFTSHIFT, True)
        self._keycode(KEY_LEFTSHIFT, False)
        self._sender.send("NotifyPointerMotion", "dd", 0.0, 0.0)

    def close(self) -> None:
        try:
            super().close()  # what is held let go
        finally:
            self._sender.close()

    def move_to(self, x: int, y: int) -> None:
        # Desktop pixels in, the stream's own (its monitor's) out.
        self._sender.send(
            "NotifyPointerMotionAbsolute",
            "udd",
            self._stream,
            float(x - self._origin[0]),
            float(y - self._origin[1]),
        )

    def set_button(self, button: str, down: bool) -> None:
        self._sender.send(
            "NotifyPointerButton", "iu", BUTTONS[button], int(down), press=down, release=not down
        )

    def set_key(self, name: str, down: bool) -> bool:
        code = EVDEV_KEYS.get(name)
        if code is not None:
            self._keycode(code, down)
            return True
        keysym = XK.string_to_keysym(name)
        if not keysym:
            return False
        self._sender.send(
            "NotifyKeyboardKeysym", "iu", keysym, int(down), press=down, release=not down
        )
        return True

    def scroll(self, dx: int, dy: int) -> None:
        for axis, steps in ((VERTICAL, dy), (HORIZONTAL, dx)):
            if steps:  # positive: down, right (as a wheel turned towards you)
                self._sender.send("NotifyPointerAxisDiscrete", "ui", axis, steps)

    def type_character(self, char: str) -> None:
        keysym = keysym_of_character(char)
        self._sender.send("NotifyKeyboardKeysym", "iu", keysym, 1, press=True)
        self._sender.send("NotifyKeyboardKeysym", "iu", keysym, 0, release=True)

    def _keycode(self, code: int, down: bool) -> None:
        self._sender.send(
            "NotifyKeyboardKeycode", "iu", code, int(down), press=down, release=not down
        )
