"""What every input back-end shares: clicks and chords as presses and releases,
fractional wheel deltas carried between events, and a record of what is held so that
nothing stays pressed when a session ends or drops."""

from __future__ import annotations

import contextlib
import math
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator

#: Protocol modifier → the key that holds it (X keysym names; back-ends translate).
MODIFIER_KEYS = {"ctrl": "Control_L", "alt": "Alt_L", "shift": "Shift_L", "meta": "Super_L"}
#: Wheel notches delivered for one event at most: a runaway delta must not freeze the host.
MAX_NOTCHES_PER_EVENT = 50


class WheelAccumulator:
    """Fractional notches in, whole notches out; the remainder waits for the next event,
    so a slow two-finger scroll moves the page instead of rounding to nothing."""

    def __init__(self) -> None:
        self._carry = [0.0, 0.0]

    def add(self, dx: float, dy: float) -> tuple[int, int]:
        whole = []
        for axis, delta in enumerate((dx, dy)):
            total = self._carry[axis] + delta
            notches = math.trunc(total)
            self._carry[axis] = total - notches
            whole.append(max(-MAX_NOTCHES_PER_EVENT, min(MAX_NOTCHES_PER_EVENT, notches)))
        return whole[0], whole[1]


class InputBackend(ABC):
    """Subclasses deliver primitives (pointer motion, one button, one key, one wheel
    notch, one character); the chords and bookkeeping live here, once."""

    def __init__(self) -> None:
        self.held_buttons: set[str] = set()
        self.held_keys: list[str] = []  # press order: released in reverse
        self._wheel = WheelAccumulator()

    # -- primitives, per back-end --------------------------------------------------------

    @abstractmethod
    def move_to(self, x: int, y: int) -> None:
        """Pointer to desktop pixel (x, y)."""

    @abstractmethod
    def set_button(self, button: str, down: bool) -> None:
        """Press or release ``left``, ``middle`` or ``right``."""

    @abstractmethod
    def set_key(self, name: str, down: bool) -> bool:
        """Press or release a key by X keysym name; False if this keyboard has no such key."""

    @abstractmethod
    def scroll(self, dx: int, dy: int) -> None:
        """Whole wheel notches: positive dy scrolls down, positive dx right."""

    @abstractmethod
    def type_character(self, char: str) -> None:
        """One character of text, whatever the keyboard layout (Unicode included)."""

    def flush(self) -> None:  # noqa: B027  (most back-ends deliver at once)
        """Deliver what is buffered (X11 batches requests until a sync)."""

    def close(self) -> None:
        self.release_all()

    # -- what sessions call --------------------------------------------------------------

    def click(
        self, x: int, y: int, button: str = "left", count: int = 1, mods: Iterable[str] = ()
    ) -> None:
        """One press and release. ``count`` says which click of a double or triple click
        this is; the host's own timing turns quick clicks into a double click, as with a
        real mouse (so the viewer's first tap is never delayed waiting for a second)."""
        self.move_to(x, y)
        with self._holding(mods):
            self.set_button(button, True)
            self.set_button(button, False)
        self.flush()

    def press(self, x: int, y: int, button: str) -> None:
        self.move_to(x, y)
        self.set_button(button, True)
        self.held_buttons.add(button)
        self.flush()

    def move(self, x: int, y: int) -> None:
        self.move_to(x, y)
        self.flush()

    def release(self, x: int, y: int, button: str) -> None:
        self.move_to(x, y)
        self.set_button(button, False)
        self.held_buttons.discard(button)
        self.flush()

    def wheel(self, x: int, y: int, dx: float, dy: float, mods: Iterable[str] = ()) -> None:
        notches_x, notches_y = self._wheel.add(dx, dy)
        if notches_x or notches_y:
            self.move_to(x, y)
            with self._holding(mods):
                self.scroll(notches_x, notches_y)
            self.flush()

    def key(self, name: str, mods: Iterable[str] = ()) -> None:
        """A key tap, with modifiers held around it (Ctrl+C, Alt+Tab)."""
        with self._holding(mods):
            if self.set_key(name, True):
                self.set_key(name, False)
        self.flush()

    def key_down(self, name: str) -> None:
        if name not in self.held_keys and self.set_key(name, True):
            self.held_keys.append(name)
        self.flush()

    def key_up(self, name: str) -> None:
        if name in self.held_keys:
            self.held_keys.remove(name)
            self.set_key(name, False)
        self.flush()

    def type_text(self, text: str) -> None:
        for char in text:
            self.type_character(char)
        self.flush()

    def release_all(self) -> None:
        """Every held key and button up: a session that ends or drops leaves nothing
        pressed on the host."""
        for name in reversed(self.held_keys):
            self.set_key(name, False)
        for button in sorted(self.held_buttons):
            self.set_button(button, False)
        self.held_keys.clear()
        self.held_buttons.clear()
        self.flush()

    @contextlib.contextmanager
    def _holding(self, mods: Iterable[str]) -> Iterator[None]:
        # Modifiers the viewer already holds (key_down) are left alone.
        pressed = [
            MODIFIER_KEYS[mod]
            for mod in mods
            if MODIFIER_KEYS[mod] not in self.held_keys and self.set_key(MODIFIER_KEYS[mod], True)
        ]
        try:
            yield
        finally:
            for name in reversed(pressed):
                self.set_key(name, False)
