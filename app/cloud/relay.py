"""The relay: pairs a session's viewer and agent and forwards their bytes unparsed.

Each half authenticates itself (the viewer with the session ticket, the agent with its
credential, and the computer must be the ticket's); a half waits at most
``relay_pair_timeout_s`` for the other, a paired session closes after ``relay_idle_s``
without traffic, and each direction is held to ``relay_max_bytes_per_s``."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.websockets import WebSocket, WebSocketDisconnect

from app.protocol import CloseCode


class RelayRefused(Exception):
    def __init__(self, code: int, code_name: str, message: str) -> None:
        super().__init__(message)
        self.code, self.code_name, self.message = code, code_name, message


@dataclass
class _Meeting:
    computer_id: str
    #: When the session was granted (monotonic): a meeting nobody joins expires.
    granted_at: float = 0.0
    viewer: WebSocket | None = None
    agent: WebSocket | None = None
    paired: asyncio.Event = field(default_factory=asyncio.Event)
    done: asyncio.Event = field(default_factory=asyncio.Event)


class TokenBucket:
    """Bytes per second with a one-second burst; ``take`` waits when over the cap."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.level = rate
        self.stamp = time.monotonic()

    async def take(self, amount: int) -> None:
        now = time.monotonic()
        self.level = min(self.rate, self.level + (now - self.stamp) * self.rate)
        self.stamp = now
        self.level -= amount
        if self.level < 0:
            await asyncio.sleep(-self.level / self.rate)


class RelayHub:
    def __init__(
        self,
        *,
        pair_timeout_s: float,
        idle_s: float,
        max_bytes_per_s: float,
        unjoined_ttl_s: float = 120.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._clock = clock
        self.pair_timeout_s = pair_timeout_s
        #: A granted session that neither half joined within this is forgotten (its
        #: ticket is long expired by then), so grants nobody uses cost no memory.
        self.unjoined_ttl_s = unjoined_ttl_s
        self.idle_s = idle_s
        self.max_bytes_per_s = max_bytes_per_s
        self._meetings: dict[str, _Meeting] = {}

    def expect(self, session_id: str, computer_id: str) -> None:
        """A session was granted: its two halves may now meet here."""
        self.expire_unjoined()
        self._meetings[session_id] = _Meeting(computer_id, granted_at=self._clock())

    def expire_unjoined(self) -> None:
        cutoff = self._clock() - self.unjoined_ttl_s
        stale = [
            session_id
            for session_id, meeting in self._meetings.items()
            if meeting.granted_at < cutoff and meeting.viewer is None and meeting.agent is None
        ]
        for session_id in stale:
            del self._meetings[session_id]

    @property
    def waiting(self) -> int:
        """Granted sessions whose halves have not both arrived (for tests and metrics)."""
        return sum(1 for m in self._meetings.values() if not m.paired.is_set())

    def forget(self, session_id: str) -> None:
        self._meetings.pop(session_id, None)

    async def join(
        self, session_id: str, role: str, computer_id: str, websocket: WebSocket
    ) -> None:
        """Hold this half until the session ends; raises RelayRefused to close it."""
        meeting = self._meetings.get(session_id)
        if meeting is None or meeting.computer_id != computer_id:
            raise RelayRefused(CloseCode.NOT_FOUND, "no_such_session", "No such session.")
        if getattr(meeting, role) is not None:
            raise RelayRefused(
                CloseCode.REPLACED, "already_joined", f"The {role} of this session already joined."
            )
        setattr(meeting, role, websocket)
        if meeting.viewer is not None and meeting.agent is not None:
            meeting.paired.set()
            try:
                await self._forward(meeting)
            finally:
                self.forget(session_id)
                meeting.done.set()
            return
        try:
            async with asyncio.timeout(self.pair_timeout_s):
                await meeting.paired.wait()
        except TimeoutError:
            self.forget(session_id)
            raise RelayRefused(
                CloseCode.TIMEOUT, "peer_missing", "The other side did not join in time."
            ) from None
        # The half that arrived second runs the forwarding; this one waits for its end.
        await meeting.done.wait()

    async def _forward(self, meeting: _Meeting) -> None:
        assert meeting.viewer is not None and meeting.agent is not None
        traffic = asyncio.Event()
        #: How the half that left closed, passed on to the other (an application code,
        #: e.g. "the person at the computer ended the session", must reach the viewer).
        farewell: list[tuple[int, str]] = []

        async def pump(source: WebSocket, target: WebSocket) -> None:
            bucket = TokenBucket(self.max_bytes_per_s)
            while True:
                message = await source.receive()
                if message["type"] == "websocket.disconnect":
                    code = int(message.get("code") or CloseCode.GOING_AWAY)
                    if code == CloseCode.NORMAL or 4000 <= code <= 4999:
                        farewell.append((code, str(message.get("reason") or "")[:120]))
                    return
                traffic.set()
                if message.get("bytes") is not None:
                    await bucket.take(len(message["bytes"]))
                    await target.send_bytes(message["bytes"])
                elif message.get("text") is not None:
                    await bucket.take(len(message["text"]))
                    await target.send_text(message["text"])

        async def watchdog() -> None:
            while True:
                try:
                    async with asyncio.timeout(self.idle_s):
                        await traffic.wait()
                except TimeoutError:
                    return  # nothing either way for idle_s: the session is dead
                traffic.clear()

        tasks = [
            asyncio.ensure_future(pump(meeting.viewer, meeting.agent)),
            asyncio.ensure_future(pump(meeting.agent, meeting.viewer)),
            asyncio.ensure_future(watchdog()),
        ]
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        idle = tasks[2] in done
        code: int = CloseCode.TIMEOUT if idle else CloseCode.GOING_AWAY
        reason = "Session idle." if idle else "The other side left."
        if farewell and not idle:
            code, reason = farewell[0][0], farewell[0][1] or reason
        for side in (meeting.viewer, meeting.agent):
            with contextlib.suppress(Exception, WebSocketDisconnect):
                await side.close(code=code, reason=reason)
