"""The agent's side of remote sessions: join the relay when offered, check the viewer's
ticket end to end (the cloud's signature, this computer, expiry, used once), then serve.

Screen capture, encoding and input injection attach here with the rest of the sessions
work; for now an accepted session answers heartbeats, so a viewer can measure the round
trip through the relay."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from app import __version__
from app.agent.link import websocket_url
from app.protocol import (
    PROTOCOL_VERSION,
    CloseCode,
    ErrorMessage,
    Heartbeat,
    HeartbeatAck,
    Hello,
    ProtocolError,
    SessionAccepted,
    SessionOffer,
    SessionStart,
    decode_message,
    encode_message,
)
from app.protocol.tickets import ReplayGuard, TicketRefused, public_key_from_text, verify_ticket

log = logging.getLogger(__name__)
START_TIMEOUT_S = 30.0


class AgentSessions:
    def __init__(self, cloud_url: str, token: str, computer_id: str, cloud_public_key: str) -> None:
        self._cloud_url = cloud_url
        self._token = token
        self._computer_id = computer_id
        self._public_key = public_key_from_text(cloud_public_key)
        self._guard = ReplayGuard()
        self._tasks: set[asyncio.Task[None]] = set()
        self.accepted = 0

    def offer(self, offer: SessionOffer) -> None:
        """Called by the control link; the session runs beside it."""
        task = asyncio.get_running_loop().create_task(
            self._serve(offer), name=f"session-{offer.session_id}"
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _serve(self, offer: SessionOffer) -> None:
        url = websocket_url(self._cloud_url, offer.relay_path)
        try:
            async with connect(
                url, open_timeout=10, max_size=16 * 1024 * 1024, compression=None
            ) as ws:
                hello = Hello(
                    version=PROTOCOL_VERSION,
                    role="agent",
                    token=self._token,
                    client=f"porthole-agent/{__version__}",
                )
                await ws.send(encode_message(hello))
                if await self._admit(ws, offer):
                    await self._run(ws)
        except (OSError, ConnectionClosed, TimeoutError) as exc:
            log.info("session %s ended: %s", offer.session_id, type(exc).__name__)

    async def _admit(self, ws: ClientConnection, offer: SessionOffer) -> bool:
        async with asyncio.timeout(START_TIMEOUT_S):
            first = await ws.recv()
        try:
            start = decode_message(first)
            if not isinstance(start, SessionStart):
                raise TicketRefused("A session starts with the viewer's ticket.")
            ticket = verify_ticket(
                start.ticket, self._public_key, computer_id=self._computer_id, now=time.time()
            )
            if ticket.session_id != offer.session_id:
                raise TicketRefused("The ticket is for another session.")
            self._guard.admit(ticket, now=time.time())
        except ProtocolError as exc:
            await _refuse(ws, exc)
            return False
        self.accepted += 1
        await ws.send(encode_message(SessionAccepted(session_id=ticket.session_id)))
        return True

    async def _run(self, ws: ClientConnection) -> None:
        async for data in ws:
            if isinstance(data, bytes):
                continue  # input frames: handled once injection lands
            try:
                message = decode_message(data)
            except ProtocolError as exc:
                await _refuse(ws, exc)
                return
            if isinstance(message, Heartbeat):
                ack = HeartbeatAck(
                    seq=message.seq,
                    sent_at_us=message.sent_at_us,
                    server_time_us=time.time_ns() // 1000,
                )
                await ws.send(encode_message(ack))


async def _refuse(ws: ClientConnection, exc: ProtocolError) -> None:
    with contextlib.suppress(ConnectionClosed):
        await ws.send(encode_message(ErrorMessage(code=exc.code, message=exc.message)))
        await ws.close(
            code=int(exc.close_code if exc.close_code else CloseCode.POLICY_VIOLATION),
            reason=exc.message[:120],
        )
