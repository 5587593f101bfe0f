"""A loopback TCP proxy whose path can be cut without closing anything, as when a
network drops: no FIN, no RST, bytes just stop arriving."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Self


class LoopbackProxy:
    """A TCP server on 127.0.0.1 (a free port) whose every connection ``_handle`` takes
    to ``target_port``, started by ``async with``."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = 0
        self._server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def __aenter__(self) -> Self:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        raise NotImplementedError


class BlackholeProxy(LoopbackProxy):
    def __init__(self, target_port: int) -> None:
        super().__init__(target_port)
        self._cut = asyncio.Event()
        self._writers: list[asyncio.StreamWriter] = []

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for writer in self._writers:
            writer.close()
        await self._server.wait_closed()

    def cut(self) -> None:
        """Stop forwarding in both directions, keeping every socket open."""
        self._cut.set()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        self._writers += [writer, up_writer]
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError):
            while data := await reader.read(65536):
                if self._cut.is_set():
                    continue  # swallowed: the far side hears nothing, and no close either
                writer.write(data)
                await writer.drain()
            if not self._cut.is_set():
                writer.close()


class DroppingProxy(LoopbackProxy):
    """A loopback TCP proxy whose current connections can be dropped (closed at once, as
    when a NAT forgets them) or silenced (kept open, bytes swallowed), while new
    connections go through: a client that reconnects finds its way back."""

    def __init__(self, target_port: int) -> None:
        super().__init__(target_port)
        self.accepted = 0
        self._links: list[_Link] = []

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        self.drop()
        await self._server.wait_closed()

    def drop(self) -> None:
        """Abort every connection open now, both sides."""
        for link in self._links:
            for writer in link.writers:
                writer.transport.abort()
        self._links.clear()

    def silence(self) -> None:
        """Swallow everything on the connections open now; later ones are untouched."""
        for link in self._links:
            link.silent = True
        self._links.clear()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.transport.abort()
            return
        link = _Link([writer, up_writer])
        self._links.append(link)
        await asyncio.gather(
            self._pipe(link, reader, up_writer), self._pipe(link, up_reader, writer)
        )

    async def _pipe(
        self, link: _Link, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        with contextlib.suppress(ConnectionError):
            while data := await reader.read(65536):
                if link.silent:
                    continue
                writer.write(data)
                await writer.drain()
            if not link.silent:
                writer.close()


class _Link:
    def __init__(self, writers: list[asyncio.StreamWriter]) -> None:
        self.writers = writers
        self.silent = False
