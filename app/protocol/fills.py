"""Fills carried in FILL frames (agent → viewer): rectangles of the stream's picture, each
of one colour, that the viewer paints over its last picture at once.

A change of the screen that is all one colour (a window cleared or opened blank, a
selection, a terminal cleared) is sent as a fill the moment it is grabbed, exactly, and
its H.264 frame follows as usual: the picture changes without waiting for the encoder and
decoder, and the video stream stays the reference for what comes after.

The payload is a sequence of 11-byte records in network byte order::

    offset  size  field
         0     2  x        unsigned, stream pixels from the left
         2     2  y        unsigned, from the top
         4     2  width    at least 1
         6     2  height   at least 1
         8     3  colour   R, G, B

Rectangles are in the stream's pixels (the picture H.264 frames decode to), inside it;
the viewer cannot know the size before the first keyframe, so it checks that.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from .errors import FrameError

__all__ = ["MAX_FILLS", "Fill", "decode_fills", "encode_fills"]

_RECORD = struct.Struct("!HHHHBBB")
#: Rectangles one frame may carry: a few per change are all a sender has reason to send.
MAX_FILLS = 64
_MAX_SIDE = 2**16 - 1


@dataclass(frozen=True, slots=True)
class Fill:
    x: int
    y: int
    width: int
    height: int
    rgb: tuple[int, int, int]

    def inside(self, width: int, height: int) -> bool:
        """Whether the rectangle lies within a ``width`` x ``height`` picture."""
        return self.x + self.width <= width and self.y + self.height <= height


def encode_fills(fills: list[Fill]) -> bytes:
    """The payload of a FILL frame. Raises :exc:`FrameError` for an empty list, too many
    rectangles, or a field out of range."""
    _check_count(len(fills))
    out = bytearray()
    for fill in fills:
        if not (0 < fill.width <= _MAX_SIDE and 0 < fill.height <= _MAX_SIDE):
            raise FrameError(f"a fill must be 1 to {_MAX_SIDE} pixels a side, not {fill}")
        try:
            out += _RECORD.pack(fill.x, fill.y, fill.width, fill.height, *fill.rgb)
        except struct.error as exc:
            raise FrameError(f"cannot encode fill {fill}: {exc}") from None
        if fill.x + fill.width > _MAX_SIDE or fill.y + fill.height > _MAX_SIDE:
            raise FrameError(f"a fill must end within {_MAX_SIDE} pixels, not {fill}")
    return bytes(out)


def decode_fills(payload: bytes) -> list[Fill]:
    """The rectangles of a FILL frame. Raises :exc:`FrameError` if the payload is not a
    whole number of records (1 to :data:`MAX_FILLS`) or a rectangle is empty or runs
    past 65535 pixels."""
    count, rest = divmod(len(payload), _RECORD.size)
    if rest:
        raise FrameError(
            f"a fill frame holds {_RECORD.size}-byte records, not {len(payload)} bytes"
        )
    _check_count(count)
    fills = []
    for x, y, width, height, r, g, b in _RECORD.iter_unpack(payload):
        if not width or not height:
            raise FrameError(f"an empty fill: {width}x{height}")
        if x + width > _MAX_SIDE or y + height > _MAX_SIDE:
            raise FrameError(f"a fill runs past {_MAX_SIDE} pixels: {width}x{height}+{x}+{y}")
        fills.append(Fill(x, y, width, height, (r, g, b)))
    return fills


def _check_count(count: int) -> None:
    if not 1 <= count <= MAX_FILLS:
        raise FrameError(f"a fill frame holds 1 to {MAX_FILLS} rectangles, not {count}")
