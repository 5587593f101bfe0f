"""The thin asyncio adapter around :class:`~app.protocol.secure.SecureChannel`: a
websockets connection whose every message is sealed on the way out and opened on the way
in, for the agent and the viewer alike.

Order is the whole point of the implicit nonces: ``send`` seals and hands the message to
websockets with no ``await`` between the two, and websockets writes an unfragmented
message to its protocol before its first ``await``, so messages leave in the order they
were sealed even when several tasks send (no lock, so no sender ever waits behind a
video frame that waits for a slow viewer)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from websockets.asyncio.connection import Connection

from app.protocol.secure import SecureChannel


class SealedConnection:
    def __init__(self, ws: Connection, channel: SecureChannel) -> None:
        self.ws = ws
        self.channel = channel

    async def send(self, message: str | bytes) -> None:
        await self.ws.send(self.channel.seal(message))

    async def recv(self) -> str | bytes:
        """The next message; :class:`~app.protocol.errors.Tampered` if it was altered."""
        return self.channel.open(await self.ws.recv())

    async def __aiter__(self) -> AsyncIterator[str | bytes]:
        async for data in self.ws:
            yield self.channel.open(data)

    async def close(self, code: int = 1000, reason: str = "") -> None:
        await self.ws.close(code, reason)

    @property
    def transport(self) -> Any:
        return self.ws.transport

    @property
    def close_code(self) -> int | None:
        return self.ws.close_code

    @property
    def close_reason(self) -> str | None:
        return self.ws.close_reason
