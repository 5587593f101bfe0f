"""A minimal HTTP/1.1 keep-alive client for load generation.

A general client (httpx) spends several times more CPU per request than the server's
own request parsing; on a two-core machine that CPU comes out of the server's share and
shows up as latency that has nothing to do with the cloud. This client only writes a
prepared request and reads one ``Content-Length`` response on a persistent connection.
"""

from __future__ import annotations

import asyncio
import contextlib


class HttpError(Exception):
    """The response could not be read as HTTP/1.1 with a Content-Length."""


def build_request(
    method: str,
    host: str,
    port: int,
    path: str,
    headers: dict[str, str] | None = None,
    body: bytes = b"",
) -> bytes:
    """The bytes of one request; build it once and send it as often as needed."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if body or method in {"POST", "PUT", "PATCH"}:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class KeepAliveConnection:
    """One persistent connection; reopened transparently if the server closes it."""

    def __init__(self, host: str, port: int, timeout_s: float = 30.0) -> None:
        self.host = host
        self.port = port
        self.timeout_s = timeout_s
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self.reconnects = 0

    async def open(self) -> None:
        async with asyncio.timeout(self.timeout_s):
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)

    async def request(self, raw: bytes) -> tuple[int, bytes]:
        """Send a prepared request; return the status and body of the response."""
        if self._writer is None:
            await self.open()
            self.reconnects += 1
        assert self._reader is not None and self._writer is not None
        try:
            async with asyncio.timeout(self.timeout_s):
                self._writer.write(raw)
                head = await self._reader.readuntil(b"\r\n\r\n")
                status, length, close = _parse_head(head)
                body = await self._reader.readexactly(length)
        except BaseException:
            await self.close()
            raise
        if close:
            await self.close()
        return status, body

    async def close(self) -> None:
        writer, self._reader, self._writer = self._writer, None, None
        if writer is not None:
            writer.close()
            with contextlib.suppress(Exception):
                async with asyncio.timeout(3):
                    await writer.wait_closed()


def _parse_head(head: bytes) -> tuple[int, int, bool]:
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1."):
        raise HttpError(f"not an HTTP/1.1 status line: {lines[0]!r}")
    length: int | None = None
    close = False
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value.strip())
        elif name == "connection":
            close = value.strip().lower() == "close"
        elif name == "transfer-encoding":
            raise HttpError("chunked responses are not supported by this client")
    if length is None:
        raise HttpError("response without Content-Length")
    return int(parts[1]), length, close
