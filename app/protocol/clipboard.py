"""The clipboard shared between the viewer's device and the remote computer, carried in
CLIPBOARD frames (both ways, inside the encrypted session).

The payload is one byte saying what the clipboard holds, then its content::

    offset  size  field
         0     1  kind     ClipKind: 1 text (UTF-8), 2 image (PNG)
         1     *  content  at most MAX_TEXT_BYTES of text, MAX_IMAGE_BYTES of PNG

Both ends announce in their heartbeats (``Heartbeat.clipboard``,
``HeartbeatAck.clipboard``) that they take these frames, so neither sends one to a peer
from before them, which would end the session on it.

:class:`ClipboardMirror` is the one rule both ends follow so that a copy crosses once and
comes back never: content that came from the other side, or was just sent there, is not
sent again when the local clipboard reports it (setting the clipboard makes the
platform say it changed).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import IntEnum

from .errors import FrameError
from .frames import MAX_FRAME_PAYLOAD

__all__ = [
    "MAX_IMAGE_BYTES",
    "MAX_TEXT_BYTES",
    "Clip",
    "ClipKind",
    "ClipTooLarge",
    "ClipboardMirror",
    "decode_clip",
    "encode_clip",
]

#: A copied text larger than this (a whole book is about 1 MB) stays where it was copied.
MAX_TEXT_BYTES = 1024 * 1024
#: A copied image, as PNG: what one frame carries after the kind byte.
MAX_IMAGE_BYTES = MAX_FRAME_PAYLOAD - 1
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class ClipKind(IntEnum):
    TEXT = 1
    IMAGE = 2


@dataclass(frozen=True, slots=True)
class Clip:
    """What a clipboard holds: text, or an image as PNG bytes."""

    kind: ClipKind
    data: bytes = field(repr=False)

    @classmethod
    def text(cls, text: str) -> Clip:
        return cls(ClipKind.TEXT, text.encode("utf-8", "surrogatepass"))

    @classmethod
    def image(cls, png: bytes) -> Clip:
        return cls(ClipKind.IMAGE, png)

    def as_text(self) -> str:
        return self.data.decode("utf-8", "replace")

    @property
    def limit(self) -> int:
        return MAX_TEXT_BYTES if self.kind == ClipKind.TEXT else MAX_IMAGE_BYTES

    @property
    def digest(self) -> bytes:
        return hashlib.blake2b(bytes([self.kind]) + self.data, digest_size=16).digest()

    def __repr__(self) -> str:  # never the content: it may be a password
        return f"Clip({self.kind.name}, {len(self.data)} bytes)"


class ClipTooLarge(ValueError):
    """Local content over the limit: it stays on this side (the message says how big)."""

    def __init__(self, clip: Clip) -> None:
        super().__init__(f"{len(clip.data)} bytes, at most {clip.limit}")
        self.size = len(clip.data)
        self.limit = clip.limit


def encode_clip(clip: Clip) -> bytes:
    """The payload of a CLIPBOARD frame. Raises :exc:`ClipTooLarge` over the limit and
    :exc:`FrameError` for an image that is not PNG."""
    if len(clip.data) > clip.limit:
        raise ClipTooLarge(clip)
    if clip.kind == ClipKind.IMAGE and not clip.data.startswith(PNG_SIGNATURE):
        raise FrameError("a clipboard image must be PNG")
    return bytes([clip.kind]) + clip.data


def decode_clip(payload: bytes) -> Clip:
    """The content of a CLIPBOARD frame. Raises :exc:`FrameError` for an empty payload,
    an unknown kind, content over its limit, text that is not UTF-8 or an image that is
    not PNG."""
    if not payload:
        raise FrameError("an empty clipboard frame")
    try:
        kind = ClipKind(payload[0])
    except ValueError:
        raise FrameError(f"unknown clipboard content kind {payload[0]}") from None
    clip = Clip(kind, payload[1:])
    if len(clip.data) > clip.limit:
        raise FrameError(f"clipboard content is too large: {ClipTooLarge(clip)}")
    if kind == ClipKind.TEXT:
        try:
            clip.data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise FrameError(f"clipboard text is not UTF-8 (byte {exc.start})") from None
    elif not clip.data.startswith(PNG_SIGNATURE):
        raise FrameError("a clipboard image must be PNG")
    return clip


class ClipboardMirror:
    """Decides what crosses: the local clipboard's changes go out once, the other side's
    are applied once, and nothing echoes back."""

    def __init__(self) -> None:
        self._shared: bytes | None = None  # digest of what both sides hold

    def outgoing(self, clip: Clip) -> Clip | None:
        """The local clipboard now holds ``clip``: what to send (None: the other side
        has it already). Raises :exc:`ClipTooLarge` over the limit, and remembers it so
        that the same content is not refused again at every report."""
        digest = clip.digest
        if digest == self._shared or not clip.data:
            return None
        self._shared = digest
        if len(clip.data) > clip.limit:
            raise ClipTooLarge(clip)
        return clip

    def incoming(self, clip: Clip) -> Clip | None:
        """The other side sent ``clip``: what to put on the local clipboard (None: it is
        there already)."""
        digest = clip.digest
        if digest == self._shared:
            return None
        self._shared = digest
        return clip
