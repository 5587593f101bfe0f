"""A loopback TCP proxy that behaves like a slow link: each direction carries at most
``rate_kbps`` and adds ``delay_ms``, with a queue in front of the bottleneck as a home
router has (bytes wait there when more arrive than it carries, so a sender that does not
slow down builds delay, not loss). The cap can be changed or lifted while connections
are open, as when a link gets faster.

Bytes are released in the order they came, each chunk when the link has carried the
ones before it (its size at the rate) and then ``delay_ms`` later; the proxy stops
reading from a side while ``max_queue_bytes`` wait (then TCP pushes back on the sender)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from dataclasses import dataclass, field

from tests.support.proxy import LoopbackProxy


@dataclass
class _Direction:
    queued: int = 0
    free_at: float = 0.0  # when the bottleneck has carried what it was given
    chunks: deque[tuple[float, bytes]] = field(default_factory=deque)  # (due, data)
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    room: asyncio.Event = field(default_factory=asyncio.Event)


class ShapingProxy(LoopbackProxy):
    def __init__(
        self,
        target_port: int,
        *,
        rate_kbps: float | None,
        delay_ms: float = 0.0,
        max_queue_bytes: int = 4 * 1024 * 1024,
    ) -> None:
        super().__init__(target_port)
        self.rate_kbps = rate_kbps
        self.delay_ms = delay_ms
        self.max_queue_bytes = max_queue_bytes
        #: Most bytes that waited in one direction at once, since ``reset_peak``.
        self.peak_queued = 0
        self._directions: list[_Direction] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._writers: list[asyncio.StreamWriter] = []
        self._left = asyncio.Event()  # a chunk left the queue

    @property
    def queued(self) -> int:
        """Bytes waiting to cross, in the fuller direction."""
        return max((d.queued for d in self._directions), default=0)

    async def drained(self, timeout_s: float) -> None:
        """Until nothing waits to cross (checked as each chunk leaves), bounded."""
        async with asyncio.timeout(timeout_s):
            while self.queued:
                self._left.clear()
                await self._left.wait()

    def reset_peak(self) -> None:
        self.peak_queued = self.queued

    def set_rate(self, rate_kbps: float | None) -> None:
        """A new cap (None: none) from now on, for what is queued too."""
        self.rate_kbps = rate_kbps
        now = time.monotonic()
        for direction in self._directions:
            direction.free_at = now
            retimed: deque[tuple[float, bytes]] = deque()
            for _, data in direction.chunks:
                retimed.append((self._due(direction, now, len(data)), data))
            direction.chunks = retimed
            direction.ready.set()

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for writer in self._writers:
            writer.transport.abort()
        await self._server.wait_closed()

    def _due(self, direction: _Direction, now: float, size: int) -> float:
        carried = 0.0 if self.rate_kbps is None else size * 8 / (self.rate_kbps * 1000)
        direction.free_at = max(now, direction.free_at) + carried
        return direction.free_at + self.delay_ms / 1000

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.transport.abort()
            return
        self._writers += [writer, up_writer]
        for source, sink in ((reader, up_writer), (up_reader, writer)):
            direction = _Direction()
            direction.room.set()
            self._directions.append(direction)
            for work in (self._take(source, direction), self._give(direction, sink)):
                task = asyncio.ensure_future(work)
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

    async def _take(self, reader: asyncio.StreamReader, direction: _Direction) -> None:
        with contextlib.suppress(ConnectionError):
            while True:
                await direction.room.wait()
                data = await reader.read(16 * 1024)
                if not data:
                    break
                direction.chunks.append((self._due(direction, time.monotonic(), len(data)), data))
                direction.queued += len(data)
                self.peak_queued = max(self.peak_queued, direction.queued)
                if direction.queued >= self.max_queue_bytes:
                    direction.room.clear()
                direction.ready.set()
        direction.chunks.append((0.0, b""))  # the end, after what is queued
        direction.ready.set()

    async def _give(self, direction: _Direction, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError):
            while True:
                while not direction.chunks:
                    direction.ready.clear()
                    await direction.ready.wait()
                due, data = direction.chunks[0]
                wait = due - time.monotonic()
                if wait > 0 and data:
                    direction.ready.clear()
                    # Woken early when the rate changes (chunks are retimed then).
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(wait):
                            await direction.ready.wait()
                    continue
                direction.chunks.popleft()
                if not data:
                    writer.close()
                    return
                direction.queued -= len(data)
                self._left.set()
                if direction.queued < self.max_queue_bytes:
                    direction.room.set()
                writer.write(data)
                await writer.drain()
