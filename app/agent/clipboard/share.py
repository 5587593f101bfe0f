"""One session's clipboard sharing on the agent: the computer's copies go to the viewer
(while the viewer asks for them), and the viewer's copies become what this computer
pastes. Each copy crosses once (:class:`~app.protocol.clipboard.ClipboardMirror`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

from app.agent.clipboard.base import HostClipboard
from app.protocol.clipboard import Clip, ClipboardMirror, ClipTooLarge, decode_clip, encode_clip
from app.protocol.frames import Frame, FrameType, encode_frame

log = logging.getLogger(__name__)
#: How often a clipboard that reports nothing (no ``watch_fd``) is looked at.
POLL_S = 0.5


class ClipboardShare:
    def __init__(self, clipboard: HostClipboard, send: Callable[[bytes], Awaitable[None]]) -> None:
        self._clipboard = clipboard
        self._send = send
        self._mirror = ClipboardMirror()
        self._wake = asyncio.Event()
        self._frame_id = 0
        self._putting: set[asyncio.Task[None]] = set()
        #: The viewer's last heartbeat asked for the computer's copies.
        self.enabled = False

    async def run(self) -> None:
        """Until cancelled: every copy made on this computer, to the viewer."""
        loop = asyncio.get_running_loop()
        fd = self._clipboard.watch_fd()
        if fd is not None:
            loop.add_reader(fd, self._wake.set)
        try:
            while True:
                if fd is None:
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(POLL_S):
                            await self._wake.wait()
                    self._wake.clear()
                    # Looked at off the loop: a clipboard command takes its time.
                    copied = await asyncio.to_thread(self._clipboard.changes)
                else:
                    await self._wake.wait()
                    self._wake.clear()
                    copied = self._clipboard.changes()  # X events: never waits
                for clip in copied:
                    await self._share(clip)
        except Exception:
            log.warning("clipboard sharing stopped", exc_info=True)
        finally:
            if fd is not None:
                loop.remove_reader(fd)

    def received(self, payload: bytes) -> None:
        """A CLIPBOARD frame from the viewer (:exc:`FrameError` if malformed)."""
        clip = self._mirror.incoming(decode_clip(payload))
        if clip is None:
            return
        if self._clipboard.watch_fd() is None:  # a command: set it off the loop
            task = asyncio.get_running_loop().create_task(
                asyncio.to_thread(self._clipboard.put, clip)
            )
            self._putting.add(task)
            task.add_done_callback(self._putting.discard)
            return
        self._clipboard.put(clip)
        self._wake.set()  # pasting applications may already be asking

    async def _share(self, clip: Clip) -> None:
        if not self.enabled:
            return  # turned off on the viewer: this computer's copies stay here
        try:
            outgoing = self._mirror.outgoing(clip)
        except ClipTooLarge as exc:
            log.info("a copy on this computer is too large to share (%s)", exc)
            return
        if outgoing is None:
            return
        self._frame_id = (self._frame_id + 1) % 2**32
        payload = encode_clip(outgoing)
        frame = Frame(FrameType.CLIPBOARD, self._frame_id, time.time_ns() // 1000, payload)
        await self._send(encode_frame(frame))
