"""The viewer's file transfers in one session, Qt-free: files sent to the computer's
Downloads folder and files fetched from it into this device's, each with its progress,
cancellable, and going on after a dropped connection from where it stopped.

A file sent is read and sent in chunks once the agent accepted it (from the offset it
already has); its progress is what the agent confirms it wrote. A file fetched is written
beside its final place as ``name.part`` and renamed when whole, so a cut transfer asks
again from the size of that part."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Literal

from websockets.exceptions import ConnectionClosed

from app.protocol import Message, encode_message
from app.protocol.files import (
    CHUNK_BYTES,
    MAX_FILE_BYTES,
    DirList,
    DirListing,
    FileAccepted,
    FileCancel,
    FileChunk,
    FileDone,
    FileFailed,
    FileGet,
    FileProgress,
    FilePut,
    decode_chunk,
    encode_chunk,
)
from app.protocol.frames import Frame, FrameType, encode_frame

log = logging.getLogger(__name__)
FILE_REPLIES = (FileAccepted, FileProgress, FileDone, FileFailed, DirListing)
State = Literal["waiting", "running", "done", "failed", "cancelled"]


class TransferRefused(Exception):
    """A file that cannot be sent at all (not readable, too large); says why."""


@dataclass
class Transfer:
    number: int
    direction: Literal["send", "fetch"]
    #: The file's name, as shown.
    name: str
    size: int
    #: Sending: the file here. Fetching: where it goes once complete (then: where it is).
    local: Path
    #: Fetching: its path in the computer's home. Sending: where it landed, once done.
    remote: str = ""
    key: str = field(default_factory=lambda: secrets.token_hex(16))
    done: int = 0
    state: State = "waiting"
    #: Why it failed, for people.
    error: str = ""
    #: Where each start or restart began (a resumed transfer starts past 0).
    starts: list[int] = field(default_factory=list)

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed", "cancelled")

    @property
    def fraction(self) -> float:
        return 1.0 if self.size == 0 else self.done / self.size


class Transfers:
    def __init__(
        self,
        send: Callable[[str | bytes], Awaitable[None]],
        downloads: Path,
        on_change: Callable[[Transfer], None] | None = None,
    ) -> None:
        self._send = send
        self.downloads = downloads
        self._on_change = on_change or (lambda transfer: None)
        self.all: dict[int, Transfer] = {}
        self._next = 1
        self._agent_takes = False
        self._senders: dict[int, asyncio.Task[None]] = {}
        self._parts: dict[int, BinaryIO] = {}
        self._listings: dict[str, asyncio.Future[DirListing]] = {}

    # -- what the person does ------------------------------------------------------------

    async def send_file(self, path: Path) -> Transfer:
        """Send this file to the computer's Downloads folder (now, or once it can)."""
        size = await asyncio.to_thread(_sendable_size, path)
        transfer = self._new("send", path.name, size, path)
        if self._agent_takes:
            await self._start(transfer)
        return transfer

    async def fetch(self, remote: str, size: int) -> Transfer:
        """Fetch this file of the computer's home into this device's downloads folder."""
        name = remote.rsplit("/", 1)[-1]
        transfer = self._new("fetch", name, size, self.downloads / name, remote=remote)
        if self._agent_takes:
            await self._start(transfer)
        return transfer

    async def cancel(self, transfer: Transfer) -> None:
        if transfer.finished:
            return
        self._stop_sending(transfer.number)
        self._close_part(transfer, discard=True)
        if self._agent_takes:
            await self._send(encode_message(FileCancel(transfer=transfer.number)))
        self._set(transfer, "cancelled")

    async def list_folder(self, path: str, timeout_s: float) -> DirListing:
        """What is in this folder of the computer's home ("" is the home)."""
        future = self._listings.get(path)
        if future is None or future.done():
            future = asyncio.get_running_loop().create_future()
            self._listings[path] = future
            await self._send(encode_message(DirList(path=path)))
        async with asyncio.timeout(timeout_s):
            return await asyncio.shield(future)

    # -- the connection ------------------------------------------------------------------

    async def agent_answered(self, takes_files: bool) -> None:
        """A heartbeat answer: once per connection, the transfers not done (re)start."""
        if takes_files and not self._agent_takes:
            self._agent_takes = True
            for transfer in list(self.all.values()):
                if not transfer.finished:
                    await self._start(transfer)
            for path, future in list(self._listings.items()):
                if not future.done():  # asked on the connection that dropped: ask again
                    await self._send(encode_message(DirList(path=path)))

    def dropped(self) -> None:
        """The connection is gone: everything waits for the next one."""
        self._agent_takes = False
        for number in list(self._senders):
            self._stop_sending(number)
        for transfer in self.all.values():
            self._close_part(transfer, discard=False)
            if not transfer.finished and transfer.state != "waiting":
                self._set(transfer, "waiting")

    def close(self) -> None:
        self.dropped()

    async def message(self, message: Message) -> None:
        """One of FILE_REPLIES from the agent."""
        if isinstance(message, DirListing):
            future = self._listings.pop(message.path, None)
            if future is not None and not future.done():
                future.set_result(message)
            return
        transfer = self.all.get(getattr(message, "transfer", -1))
        if transfer is None or transfer.finished:
            return  # cancelled here while the answer was on its way
        if isinstance(message, FileAccepted):
            transfer.starts.append(message.offset)
            transfer.done = message.offset
            if transfer.direction == "send":
                self._senders[transfer.number] = asyncio.create_task(self._send_chunks(transfer))
            else:
                transfer.size = message.size
            self._set(transfer, "running")
        elif isinstance(message, FileProgress):
            transfer.done = message.offset
            self._on_change(transfer)
        elif isinstance(message, FileDone):
            transfer.done, transfer.remote = transfer.size, message.path
            self._set(transfer, "done")
        elif isinstance(message, FileFailed):
            self._stop_sending(transfer.number)
            self._close_part(transfer, discard=True)  # a failed transfer does not go on
            transfer.error = message.message
            self._set(transfer, "failed")

    def chunk(self, payload: bytes) -> None:
        """A FILE frame from the agent (:exc:`FrameError` if malformed)."""
        chunk = decode_chunk(payload)
        transfer = self.all.get(chunk.transfer)
        if transfer is None or transfer.direction != "fetch" or transfer.state != "running":
            return
        part = self._parts.get(transfer.number)
        if part is None or chunk.offset != part.tell():
            return  # a piece of a previous try, still in flight
        part.write(chunk.data)
        transfer.done = part.tell()
        if transfer.done >= transfer.size:
            self._close_part(transfer, discard=False)
            final = _free_name(transfer.local)
            os.replace(_part_of(transfer), final)
            transfer.local = final
            self._set(transfer, "done")
        else:
            self._on_change(transfer)

    # -- inside --------------------------------------------------------------------------

    def _new(
        self,
        direction: Literal["send", "fetch"],
        name: str,
        size: int,
        local: Path,
        remote: str = "",
    ) -> Transfer:
        transfer = Transfer(self._next, direction, name, size, local, remote)
        self._next += 1
        self.all[transfer.number] = transfer
        self._on_change(transfer)
        return transfer

    async def _start(self, transfer: Transfer) -> None:
        if transfer.direction == "send":
            put = FilePut(
                transfer=transfer.number, name=transfer.name, size=transfer.size, key=transfer.key
            )
            await self._send(encode_message(put))
            return
        part = await asyncio.to_thread(_open_part, transfer)
        self._parts[transfer.number] = part
        get = FileGet(transfer=transfer.number, path=transfer.remote, offset=part.tell())
        await self._send(encode_message(get))

    async def _send_chunks(self, transfer: Transfer) -> None:
        offset = transfer.done
        try:
            source = await asyncio.to_thread(open, transfer.local, "rb")
            try:
                source.seek(offset)
                while offset < transfer.size:
                    data = await asyncio.to_thread(source.read, CHUNK_BYTES)
                    if not data:
                        break  # the file shrank: the agent will not say done; fail below
                    payload = encode_chunk(FileChunk(transfer.number, offset, data))
                    frame = Frame(FrameType.FILE, transfer.number, 0, payload)
                    await self._send(encode_frame(frame))
                    offset += len(data)
            finally:
                source.close()
        except (OSError, ConnectionClosed) as exc:
            log.info("sending %s stopped: %s", transfer.name, exc)
        if offset < transfer.size and not transfer.finished and self._agent_takes:
            transfer.error = f"{transfer.name} changed or cannot be read any more"
            self._set(transfer, "failed")
            await self._send(encode_message(FileCancel(transfer=transfer.number)))

    def _stop_sending(self, number: int) -> None:
        task = self._senders.pop(number, None)
        if task is not None:
            task.cancel()

    def _close_part(self, transfer: Transfer, *, discard: bool) -> None:
        part = self._parts.pop(transfer.number, None)
        if part is not None:
            part.close()
        if discard and transfer.direction == "fetch":
            with contextlib.suppress(OSError):
                _part_of(transfer).unlink()

    def _set(self, transfer: Transfer, state: State) -> None:
        transfer.state = state
        self._on_change(transfer)


def _sendable_size(path: Path) -> int:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise TransferRefused(f"{path.name}: {exc.strerror}") from None
    if not path.is_file():
        raise TransferRefused(f"{path.name} is not a file")
    if size > MAX_FILE_BYTES:
        raise TransferRefused(f"{path.name} is larger than a transfer may be")
    return size


def _open_part(transfer: Transfer) -> BinaryIO:
    """The part fetched so far, to be added to (kept open across chunks)."""
    transfer.local.parent.mkdir(parents=True, exist_ok=True)
    return open(_part_of(transfer), "ab")


def _part_of(transfer: Transfer) -> Path:
    return transfer.local.with_name(f"{transfer.local.name}.part")


def _free_name(wanted: Path) -> Path:
    candidate, number = wanted, 2
    while candidate.exists():
        candidate = wanted.with_name(f"{wanted.stem} ({number}){wanted.suffix}")
        number += 1
    return candidate
