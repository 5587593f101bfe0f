"""Binary frames: video and input data, sent as WebSocket binary messages.

Each frame is a fixed 16-byte header in network byte order followed by the payload::

    offset  size  field
         0     1  version     FRAME_VERSION
         1     1  type        FrameType
         2     1  flags       FrameFlags
         3     1  reserved    must be 0
         4     4  frame_id    unsigned, per-stream counter
         8     8  capture_us  unsigned, capture time in microseconds
        16     *  payload     at most MAX_FRAME_PAYLOAD bytes

The payload runs to the end of the WebSocket message, so there is no length field.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from enum import IntEnum, IntFlag

from .errors import FrameError

__all__ = [
    "FRAME_VERSION",
    "HEADER_SIZE",
    "MAX_FRAME_PAYLOAD",
    "Frame",
    "FrameFlags",
    "FrameType",
    "decode_frame",
    "encode_frame",
]

#: Version of the binary frame header; bumped on any incompatible layout change.
FRAME_VERSION = 1
#: Size of the frame header in bytes.
HEADER_SIZE = 16
#: Largest payload accepted, in bytes.
MAX_FRAME_PAYLOAD = 8 * 1024 * 1024

_HEADER = struct.Struct("!BBBBIQ")
assert _HEADER.size == HEADER_SIZE

_FRAME_ID_MAX = 2**32 - 1
_CAPTURE_US_MAX = 2**64 - 1


class FrameType(IntEnum):
    """What the payload of a frame contains."""

    VIDEO = 1
    INPUT = 2
    #: Rectangles of one colour each (:mod:`.fills`), agent → viewer: a change of the
    #: screen that is one colour shown at once, ahead of its H.264 frame.
    FILL = 3
    #: What a clipboard holds (:mod:`.clipboard`), both ways: a copy on one side.
    CLIPBOARD = 4
    #: A piece of a file being transferred (:mod:`.files`), both ways.
    FILE = 5
    #: One Opus packet of the computer's sound (:mod:`.audio`), agent → viewer.
    AUDIO = 6


class FrameFlags(IntFlag):
    """Bit flags in the frame header. Unknown bits are rejected, not ignored."""

    NONE = 0
    #: The frame can be decoded without any previous frame.
    KEYFRAME = 1
    #: The sender will send no more frames on this stream.
    END_OF_STREAM = 2


# Rejecting unknown bits, rather than ignoring them, means a future flag can change
# how the payload is interpreted without old peers silently misreading it.
# A plain int: on a Flag, ~ would only complement the known bits.
_KNOWN_FLAGS = int(FrameFlags.KEYFRAME | FrameFlags.END_OF_STREAM)


@dataclass(frozen=True, slots=True)
class Frame:
    """One binary frame."""

    type: FrameType
    frame_id: int
    capture_us: int
    payload: bytes
    flags: FrameFlags = FrameFlags.NONE

    @property
    def keyframe(self) -> bool:
        """Whether the :attr:`~FrameFlags.KEYFRAME` flag is set."""
        return FrameFlags.KEYFRAME in self.flags


def encode_frame(frame: Frame) -> bytes:
    """Serialize a frame to bytes.

    Raises :exc:`~app.protocol.errors.FrameError` if a header field is out of range,
    the flags contain unknown bits, or the payload exceeds :data:`MAX_FRAME_PAYLOAD`.
    """
    try:
        frame_type = FrameType(frame.type)
    except ValueError:
        raise FrameError(f"unknown frame type {frame.type!r}") from None
    flags = int(frame.flags)
    if flags & ~_KNOWN_FLAGS:
        raise FrameError(f"unknown frame flags 0x{flags & ~_KNOWN_FLAGS:02x}")
    if not 0 <= frame.frame_id <= _FRAME_ID_MAX:
        raise FrameError(f"frame_id must be between 0 and {_FRAME_ID_MAX}, not {frame.frame_id}")
    if not 0 <= frame.capture_us <= _CAPTURE_US_MAX:
        raise FrameError(
            f"capture_us must be between 0 and {_CAPTURE_US_MAX}, not {frame.capture_us}"
        )
    if len(frame.payload) > MAX_FRAME_PAYLOAD:
        raise FrameError(_payload_too_large(len(frame.payload)))
    try:
        header = _HEADER.pack(FRAME_VERSION, frame_type, flags, 0, frame.frame_id, frame.capture_us)
    except struct.error as exc:  # e.g. a float frame_id slipped past the type checker
        raise FrameError(f"cannot encode frame header: {exc}") from None
    return header + frame.payload


def decode_frame(data: bytes | bytearray | memoryview) -> Frame:
    """Parse one binary frame received from a peer.

    Raises :exc:`~app.protocol.errors.FrameError` if the data is shorter than a header,
    the version, type or flags are unknown, the reserved byte isn't zero, or the
    payload exceeds :data:`MAX_FRAME_PAYLOAD`.
    """
    # The with block releases the view even if an exception (and its traceback) keeps
    # it alive, so a bytearray passed in can be resized again afterwards.
    with memoryview(data) as view:
        if view.ndim != 1 or view.format != "B" or not view.c_contiguous:
            # Reinterpret as plain bytes; tobytes() also flattens non-contiguous views.
            return _decode_frame(view.tobytes())
        return _decode_frame(view)


def _decode_frame(buf: bytes | memoryview) -> Frame:
    size = len(buf)
    if size < HEADER_SIZE:
        raise FrameError(f"frame is too short: {size} bytes, header is {HEADER_SIZE} bytes")
    if size - HEADER_SIZE > MAX_FRAME_PAYLOAD:
        raise FrameError(_payload_too_large(size - HEADER_SIZE))

    version, raw_type, raw_flags, reserved, frame_id, capture_us = _HEADER.unpack_from(buf)
    if version != FRAME_VERSION:
        raise FrameError(f"unsupported frame version {version}, expected {FRAME_VERSION}")
    try:
        frame_type = FrameType(raw_type)
    except ValueError:
        raise FrameError(f"unknown frame type {raw_type}") from None
    if raw_flags & ~_KNOWN_FLAGS:
        raise FrameError(f"unknown frame flags 0x{raw_flags & ~_KNOWN_FLAGS:02x}")
    if reserved != 0:
        raise FrameError(f"reserved header byte must be 0, not {reserved}")
    return Frame(
        type=frame_type,
        frame_id=frame_id,
        capture_us=capture_us,
        payload=bytes(buf[HEADER_SIZE:]),
        flags=FrameFlags(raw_flags),
    )


def _payload_too_large(size: int) -> str:
    return f"frame payload is too large: {size} bytes, limit is {MAX_FRAME_PAYLOAD} bytes"
