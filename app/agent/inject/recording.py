"""A back-end that records instead of injecting: tests read back exactly which presses
and releases a session produced, with no display at all."""

from __future__ import annotations

from app.agent.inject.base import InputBackend


class RecordingInput(InputBackend):
    def __init__(self) -> None:
        super().__init__()
        #: ("move", x, y), ("button", name, down), ("key", name, down), ("scroll", dx, dy),
        #: ("char", c), in order.
        self.events: list[tuple[object, ...]] = []

    def move_to(self, x: int, y: int) -> None:
        self.events.append(("move", x, y))

    def set_button(self, button: str, down: bool) -> None:
        self.events.append(("button", button, down))

    def set_key(self, name: str, down: bool) -> bool:
        self.events.append(("key", name, down))
        return True

    def scroll(self, dx: int, dy: int) -> None:
        self.events.append(("scroll", dx, dy))

    def type_character(self, char: str) -> None:
        self.events.append(("char", char))
