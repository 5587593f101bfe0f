"""File transfer inside a session: the viewer sends files to the computer's Downloads
folder, and browses and fetches files of the person's home folder there.

Control messages (JSON, in :data:`~app.protocol.messages.MESSAGE_TYPES`) open, report
and end each transfer; its bytes go in FILE frames, both ways, whose payload is::

    offset  size  field
         0     4  transfer  unsigned, the viewer's number for the transfer
         4     8  offset    unsigned, where in the file these bytes go
        12     *  data      at most CHUNK_BYTES

A transfer survives a dropped connection: the viewer offers it again with the same
``key`` (sending) or asks from the bytes it has (fetching), and it goes on from there.
Paths are relative to the person's home folder on the computer, with ``/`` between
names; the agent refuses any that leads outside it.

Both ends announce in their heartbeats (``HeartbeatAck.files``) that they transfer
files, so a viewer never sends these to an agent from before them.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Annotated, ClassVar, Literal

from ._schema import Length, Range
from .errors import FrameError

__all__ = [
    "CHUNK_BYTES",
    "MAX_FILE_BYTES",
    "DirEntry",
    "DirList",
    "DirListing",
    "FailCode",
    "FileAccepted",
    "FileCancel",
    "FileChunk",
    "FileDone",
    "FileFailed",
    "FileGet",
    "FileProgress",
    "FilePut",
    "decode_chunk",
    "encode_chunk",
]

#: Bytes of a file per FILE frame: small next to a video frame, large enough that the
#: header and the sealing cost nothing.
CHUNK_BYTES = 256 * 1024
#: The largest file either side transfers (a film, a disk image: not a backup).
MAX_FILE_BYTES = 64 * 1024**3
#: Entries a listing holds at most (a listing is one control message).
MAX_ENTRIES = 400

#: Why a transfer cannot go on (FileFailed.code).
FailCode = Literal["refused", "not_found", "too_large", "no_space", "io_error", "bad_offset"]

_HEADER = struct.Struct("!IQ")
_Transfer = Annotated[int, Range(0, 2**32 - 1)]
_Size = Annotated[int, Range(0, MAX_FILE_BYTES)]
_Path = Annotated[str, Length(0, 1024)]
_FileName = Annotated[str, Length(1, 255)]


@dataclass(frozen=True, slots=True)
class FileChunk:
    transfer: int
    offset: int
    data: bytes


def encode_chunk(chunk: FileChunk) -> bytes:
    """The payload of a FILE frame; :exc:`FrameError` for a field out of range."""
    if len(chunk.data) > CHUNK_BYTES:
        raise FrameError(f"a file chunk holds at most {CHUNK_BYTES} bytes")
    try:
        return _HEADER.pack(chunk.transfer, chunk.offset) + chunk.data
    except struct.error as exc:
        raise FrameError(f"cannot encode a file chunk: {exc}") from None


def decode_chunk(payload: bytes) -> FileChunk:
    """A FILE frame's chunk; :exc:`FrameError` if it is shorter than its header, larger
    than a chunk, or runs past the largest file."""
    if len(payload) < _HEADER.size:
        raise FrameError(f"a file chunk is at least {_HEADER.size} bytes, not {len(payload)}")
    data = payload[_HEADER.size :]
    if len(data) > CHUNK_BYTES:
        raise FrameError(f"a file chunk holds at most {CHUNK_BYTES} bytes, not {len(data)}")
    transfer, offset = _HEADER.unpack_from(payload)
    if offset + len(data) > MAX_FILE_BYTES:
        raise FrameError("a file chunk runs past the largest file")
    return FileChunk(transfer, offset, data)


@dataclass(frozen=True, slots=True, kw_only=True)
class FilePut:
    """Viewer → agent: a file for the computer's Downloads folder. Offered again with the
    same ``key`` after a dropped connection, it goes on where it stopped."""

    TYPE: ClassVar[str] = "files.put"

    transfer: _Transfer
    name: _FileName
    size: _Size
    #: The viewer's lasting name for this transfer (random, hex): the part already
    #: received is kept under it.
    key: Annotated[str, Length(16, 64)]


@dataclass(frozen=True, slots=True, kw_only=True)
class FileGet:
    """Viewer → agent: send this file of the home folder, from ``offset`` (what the
    viewer already has of it)."""

    TYPE: ClassVar[str] = "files.get"

    transfer: _Transfer
    path: _Path
    offset: _Size = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class FileAccepted:
    """Agent → viewer: the transfer goes ahead. Sending: from ``offset`` (what the agent
    already has). Fetching: the file is ``size`` bytes, sent from ``offset``."""

    TYPE: ClassVar[str] = "files.accepted"

    transfer: _Transfer
    offset: _Size
    size: _Size


@dataclass(frozen=True, slots=True, kw_only=True)
class FileProgress:
    """Agent → viewer, while receiving: this many bytes are safely written."""

    TYPE: ClassVar[str] = "files.progress"

    transfer: _Transfer
    offset: _Size


@dataclass(frozen=True, slots=True, kw_only=True)
class FileDone:
    """Agent → viewer: the file sent is complete, at ``path`` (in the home folder)."""

    TYPE: ClassVar[str] = "files.done"

    transfer: _Transfer
    path: _Path


@dataclass(frozen=True, slots=True, kw_only=True)
class FileFailed:
    """Agent → viewer: this transfer cannot go on; the message says why, for people."""

    TYPE: ClassVar[str] = "files.failed"

    transfer: _Transfer
    code: FailCode
    message: Annotated[str, Length(0, 300)]


@dataclass(frozen=True, slots=True, kw_only=True)
class FileCancel:
    """Viewer → agent: stop this transfer and forget what was received of it."""

    TYPE: ClassVar[str] = "files.cancel"

    transfer: _Transfer


@dataclass(frozen=True, slots=True, kw_only=True)
class DirList:
    """Viewer → agent: what is in this folder of the home folder ("" is the home)."""

    TYPE: ClassVar[str] = "files.list"

    path: _Path


@dataclass(frozen=True, slots=True, kw_only=True)
class DirEntry:
    name: _FileName
    folder: bool
    size: _Size
    modified: Annotated[int, Range(0, 2**63 - 1)]  # Unix seconds


@dataclass(frozen=True, slots=True, kw_only=True)
class DirListing:
    """Agent → viewer: a folder's entries (folders first, then by name; at most
    MAX_ENTRIES, ``truncated`` when there were more), or why it cannot be listed."""

    TYPE: ClassVar[str] = "files.listing"

    path: _Path
    entries: Annotated[tuple[DirEntry, ...], Length(0, MAX_ENTRIES)] = ()
    truncated: bool = False
    error: Annotated[str, Length(0, 300)] = ""
