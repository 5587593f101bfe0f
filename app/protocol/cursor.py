"""The computer's pointer, for the viewer to draw over the picture itself (so a pointer
that moves re-encodes nothing): its shape once per shape, and where it is as it moves.
Sent by the agent only to a viewer whose heartbeats say it draws it (``Heartbeat.cursor``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, ClassVar

from ._schema import Length, Range

__all__ = ["MAX_CURSOR_SIDE", "CursorPosition", "CursorShape"]

#: Pointers larger than this are cut to it (they are 24 to 64 pixels in practice).
MAX_CURSOR_SIDE = 128


@dataclass(frozen=True, slots=True, kw_only=True)
class CursorShape:
    """Agent → viewer: what the pointer looks like now (sent once per shape)."""

    TYPE: ClassVar[str] = "cursor.shape"

    serial: Annotated[int, Range(0, 2**32 - 1)]
    width: Annotated[int, Range(1, MAX_CURSOR_SIDE)]
    height: Annotated[int, Range(1, MAX_CURSOR_SIDE)]
    #: The point of the image that is the pointer's position.
    hot_x: Annotated[int, Range(0, MAX_CURSOR_SIDE - 1)]
    hot_y: Annotated[int, Range(0, MAX_CURSOR_SIDE - 1)]
    #: The image, RGBA PNG, base64.
    png: Annotated[str, Length(1, 60_000)]


@dataclass(frozen=True, slots=True, kw_only=True)
class CursorPosition:
    """Agent → viewer: where the pointer is, normalised to the monitor shown (it may be
    outside it: ``visible`` False), and which shape it has."""

    TYPE: ClassVar[str] = "cursor.position"

    x: Annotated[float, Range(-16, 16)]
    y: Annotated[float, Range(-16, 16)]
    visible: bool
    serial: Annotated[int, Range(0, 2**32 - 1)]
