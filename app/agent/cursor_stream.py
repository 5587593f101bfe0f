"""One session's pointer on the agent: where the X pointer is, normalised to the monitor
shown, sent as it moves (at most CURSOR_FPS times a second), and each shape once."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from app.agent.capture.base import ScreenSource
from app.agent.switched import SwitchedTask
from app.protocol import encode_message
from app.protocol.cursor import CursorPosition

if TYPE_CHECKING:  # python-xlib is there on Linux only
    from app.agent.capture.cursor import X11Cursor

log = logging.getLogger(__name__)
CURSOR_FPS = 60


class CursorStream(SwitchedTask):
    def __init__(
        self, cursor: X11Cursor, screen: ScreenSource, send: Callable[[str], Awaitable[None]]
    ) -> None:
        super().__init__()
        self._cursor = cursor
        self._screen = screen
        self._send = send
        self._shapes_sent: set[int] = set()
        self._last: CursorPosition | None = None

    async def _run(self) -> None:
        try:
            while True:
                await self._look()
                await asyncio.sleep(1 / CURSOR_FPS)  # the pointer's own frame rate
        except Exception:
            log.warning("the pointer is not followed any more", exc_info=True)

    async def _look(self) -> None:
        pointer = await asyncio.to_thread(self._cursor.pointer)
        shape = self._cursor.shape()
        if shape is not None and shape.serial not in self._shapes_sent:
            self._shapes_sent.add(shape.serial)
            await self._send(encode_message(shape))
        monitor = self._screen.current
        x = (pointer.x - monitor.x) / max(1, self._screen.width)
        y = (pointer.y - monitor.y) / max(1, self._screen.height)
        position = CursorPosition(
            x=max(-16.0, min(16.0, x)),
            y=max(-16.0, min(16.0, y)),
            visible=0 <= x < 1 and 0 <= y < 1,
            serial=pointer.serial,
        )
        if position != self._last:
            self._last = position
            await self._send(encode_message(position))
