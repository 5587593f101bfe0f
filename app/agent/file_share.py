"""One session's file transfers on the agent: files the viewer sends are written to the
Downloads folder as they come (and kept when the connection drops, to go on from there),
files it fetches are read and sent in chunks, and folders of the home are listed."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from websockets.exceptions import ConnectionClosed

from app.agent.files import FileRefused, HomeFiles, Receiving, Sending
from app.protocol import Message, encode_message
from app.protocol.files import (
    CHUNK_BYTES,
    DirList,
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
#: The viewer hears how far a file it sends has got after about this many bytes.
PROGRESS_EVERY_BYTES = 1024 * 1024
FILE_MESSAGES = (FilePut, FileGet, FileCancel, DirList)


class FileShare:
    def __init__(self, files: HomeFiles, send: Callable[[str | bytes], Awaitable[None]]) -> None:
        self._files = files
        self._send = send
        self._receiving: dict[int, Receiving] = {}
        self._reported: dict[int, int] = {}
        self._sending: dict[int, asyncio.Task[None]] = {}

    async def handle(self, message: Message) -> None:
        """One of FILE_MESSAGES from the viewer."""
        if isinstance(message, DirList):
            listing = await asyncio.to_thread(self._files.listing, message.path)
            await self._send(encode_message(listing))
        elif isinstance(message, FilePut):
            await self._receive(message)
        elif isinstance(message, FileGet):
            await self._start_sending(message)
        elif isinstance(message, FileCancel):
            self._stop(message.transfer, discard=True)

    async def chunk(self, payload: bytes) -> None:
        """A FILE frame from the viewer (:exc:`FrameError` if malformed)."""
        chunk = decode_chunk(payload)
        receiving = self._receiving.get(chunk.transfer)
        if receiving is None:
            return  # cancelled, or failed: its last pieces were in flight
        try:
            receiving.write(chunk.offset, chunk.data)
            if receiving.complete:
                del self._receiving[chunk.transfer]
                path = await asyncio.to_thread(receiving.finish)
                await self._send(encode_message(FileDone(transfer=chunk.transfer, path=path)))
                return
        except FileRefused as exc:
            self._stop(chunk.transfer, discard=True)
            await self._fail(chunk.transfer, exc)
            return
        if receiving.offset - self._reported.get(chunk.transfer, 0) >= PROGRESS_EVERY_BYTES:
            self._reported[chunk.transfer] = receiving.offset
            progress = FileProgress(transfer=chunk.transfer, offset=receiving.offset)
            await self._send(encode_message(progress))

    async def close(self) -> None:
        """The session ended or dropped: files half received stay for the next one."""
        for transfer in list(self._receiving):
            self._stop(transfer, discard=False)
        for task in list(self._sending.values()):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, ConnectionClosed):
                await task

    async def _receive(self, put: FilePut) -> None:
        self._stop(put.transfer, discard=False)
        try:
            receiving = await asyncio.to_thread(self._files.receive, put.name, put.size, put.key)
        except FileRefused as exc:
            await self._fail(put.transfer, exc)
            return
        except OSError as exc:
            await self._fail(
                put.transfer, FileRefused("io_error", f"Cannot save ({exc.strerror}).")
            )
            return
        self._reported[put.transfer] = receiving.offset
        accepted = FileAccepted(transfer=put.transfer, offset=receiving.offset, size=put.size)
        await self._send(encode_message(accepted))
        if receiving.complete:  # empty, or all there before the connection dropped
            path = await asyncio.to_thread(receiving.finish)
            await self._send(encode_message(FileDone(transfer=put.transfer, path=path)))
        else:
            self._receiving[put.transfer] = receiving

    async def _start_sending(self, get: FileGet) -> None:
        self._stop(get.transfer, discard=True)
        try:
            sending = await asyncio.to_thread(self._files.send, get.path, get.offset)
        except FileRefused as exc:
            await self._fail(get.transfer, exc)
            return
        accepted = FileAccepted(transfer=get.transfer, offset=sending.offset, size=sending.size)
        await self._send(encode_message(accepted))
        task = asyncio.create_task(self._send_file(get.transfer, sending))
        self._sending[get.transfer] = task
        task.add_done_callback(lambda _: self._sending.pop(get.transfer, None))

    async def _send_file(self, transfer: int, sending: Sending) -> None:
        try:
            while sending.offset < sending.size:
                offset = sending.offset
                data = await asyncio.to_thread(sending.read, CHUNK_BYTES)
                if not data:  # the file shrank while it was being sent
                    await self._fail(
                        transfer, FileRefused("io_error", "The file changed while being sent.")
                    )
                    return
                payload = encode_chunk(FileChunk(transfer, offset, data))
                # Waits while the connection's buffer is full: a file never crowds out
                # the picture by more than what is already queued.
                await self._send(encode_frame(Frame(FrameType.FILE, transfer, 0, payload)))
        except OSError as exc:
            await self._fail(transfer, FileRefused("io_error", f"Cannot read ({exc.strerror})."))
        finally:
            sending.close()

    def _stop(self, transfer: int, *, discard: bool) -> None:
        receiving = self._receiving.pop(transfer, None)
        if receiving is not None:
            receiving.discard() if discard else receiving.keep()
        task = self._sending.pop(transfer, None)
        if task is not None:
            task.cancel()

    async def _fail(self, transfer: int, exc: FileRefused) -> None:
        log.info("file transfer %d refused: %s", transfer, exc.message)
        failed = FileFailed(transfer=transfer, code=exc.code, message=exc.message)
        await self._send(encode_message(failed))
