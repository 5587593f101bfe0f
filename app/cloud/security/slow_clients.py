"""A deadline for a request's headers, which uvicorn does not have.

uvicorn closes a keep-alive connection that stays idle, but a client that connects and
then sends its headers a byte at a time ("slowloris") holds the connection, and a file
descriptor, for as long as it likes: every byte cancels the idle timer. Here each
request's headers must be complete within ``header_timeout_s`` of the connection (or of
the request's first byte); otherwise the client gets 408 and the connection is closed.
Once the headers are in, the deadline is off: bodies are bounded by their own limit, and
a WebSocket upgraded from the request lives on its own timeouts.

Both of uvicorn's HTTP parsers get it (httptools where installed, as uvicorn picks, else
h11), so the deadline costs nothing in parsing speed.
"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

_TIMED_OUT = (
    b"HTTP/1.1 408 Request Timeout\r\n"
    b"content-type: text/plain; charset=utf-8\r\n"
    b"connection: close\r\n"
    b"content-length: 37\r\n\r\n"
    b"The request's headers came too slowly"
)


class _Deadline:
    """The timer; the protocol classes below say when headers start and end."""

    header_timeout_s: float = 10.0
    loop: asyncio.AbstractEventLoop
    transport: asyncio.Transport
    _deadline: asyncio.TimerHandle | None = None

    def _arm(self) -> None:
        if self._deadline is None:
            self._deadline = self.loop.call_later(self.header_timeout_s, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            self.transport.write(_TIMED_OUT)
            self.transport.close()


class H11HeaderDeadline(_Deadline, H11Protocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        if self.conn.their_state is h11.IDLE:
            self._arm()  # a request's headers are arriving (a kept-alive connection's next)
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:
            self._disarm()  # the headers are in

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)


def _httptools_class() -> type[Any] | None:
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
    except ImportError:  # httptools is not installed: uvicorn uses h11 too
        return None

    class HttpToolsHeaderDeadline(_Deadline, HttpToolsProtocol):
        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()

        def on_message_begin(self) -> None:
            self._arm()  # a kept-alive connection's next request
            super().on_message_begin()

        def on_headers_complete(self) -> None:
            self._disarm()
            super().on_headers_complete()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

    return HttpToolsHeaderDeadline


def with_header_deadline(seconds: float, *, parser: str = "auto") -> type[Any]:
    """uvicorn's HTTP protocol class (``parser``: auto, httptools or h11) with this
    deadline for each request's headers."""
    base = _httptools_class() if parser in ("auto", "httptools") else None
    if base is None:
        if parser == "httptools":
            raise RuntimeError("httptools is not installed")
        base = H11HeaderDeadline
    return type(f"{base.__name__}Of{seconds:g}s", (base,), {"header_timeout_s": seconds})
