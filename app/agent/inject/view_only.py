"""No input at all: the screen is shared for viewing only."""

from __future__ import annotations

from app.agent.inject.base import InputBackend


class ViewOnlyInput(InputBackend):
    """Input refused: the screen is shared for viewing only (``--input none``, or a
    desktop whose portal has no RemoteDesktop). Nothing reaches the computer."""

    def move_to(self, x: int, y: int) -> None:
        pass

    def set_button(self, button: str, down: bool) -> None:
        pass

    def set_key(self, name: str, down: bool) -> bool:
        return False

    def scroll(self, dx: int, dy: int) -> None:
        pass

    def type_character(self, char: str) -> None:
        pass
