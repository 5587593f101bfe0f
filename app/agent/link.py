"""The agent's control link to the cloud: hello, heartbeats, the network adapters it
reports for Wake-on-LAN, and reconnection with exponential backoff and full jitter so a
restarted cloud is not stampeded."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

import websockets
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from app.protocol import (
    CloseCode,
    ErrorMessage,
    Heartbeat,
    HeartbeatAck,
    ProtocolError,
    SessionOffer,
    SessionReport,
    TicketKeys,
    Welcome,
    decode_message,
    encode_message,
    our_hello,
)
from app.protocol.urls import websocket_url
from app.protocol.wake import Adapter, WakeNetworks, WakeSend
from app.tls import websocket_tls

log = logging.getLogger(__name__)

# Close codes after which trying again cannot help: the credential is gone.
FATAL_CLOSE_CODES = {CloseCode.UNAUTHORIZED, CloseCode.NOT_FOUND, CloseCode.UNSUPPORTED_VERSION}


class LinkRefused(Exception):
    """The cloud refused this agent for good (removed computer, bad credential)."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class Backoff:
    base_s: float = 0.5
    cap_s: float = 30.0
    attempt: int = 0

    def next_delay(self) -> float:
        delay = random.uniform(0, min(self.cap_s, self.base_s * 2**self.attempt))
        self.attempt = min(self.attempt + 1, 30)
        return delay

    def reset(self) -> None:
        self.attempt = 0


class ControlLink:
    def __init__(
        self,
        cloud_url: str,
        token: str,
        *,
        backoff: Backoff | None = None,
        on_change: Callable[[bool], None] | None = None,
        on_offer: Callable[[SessionOffer], None] | None = None,
        endpoint_url: str | None = None,
        session_key: str | None = None,
        on_ticket_keys: Callable[[TicketKeys], None] | None = None,
        adapters: Callable[[], tuple[Adapter, ...]] | None = None,
        on_wake: Callable[[WakeSend], None] | None = None,
        adapters_every_s: float = 30.0,
    ) -> None:
        """``adapters`` reads this computer's network adapters (reported to a cloud that
        takes them, and again each time they change, looked at every ``adapters_every_s``);
        ``on_wake`` sends the magic packets the cloud asks for."""
        self._endpoint_url = endpoint_url
        #: This agent's end-to-end public key, announced so the cloud's tickets name it.
        self._session_key = session_key
        self.url = websocket_url(cloud_url, "/api/v1/agent/link")
        self._token = token
        self._backoff = backoff or Backoff()
        self._on_change = on_change or (lambda online: None)
        self._on_offer = on_offer
        self._on_ticket_keys = on_ticket_keys
        self._adapters = adapters
        self._on_wake = on_wake
        self._adapters_every_s = adapters_every_s
        self.connected = asyncio.Event()
        self.connections = 0
        # Session reports wait here while the link is down (the newest 200 at most).
        self._reports: collections.deque[SessionReport] = collections.deque(maxlen=200)
        self._report_waiting = asyncio.Event()

    def report(self, report: SessionReport) -> None:
        """For the session log: sent now, or once the link is back."""
        self._reports.append(report)
        self._report_waiting.set()

    async def _send_reports(self, ws: ClientConnection) -> None:
        while True:
            await self._report_waiting.wait()
            self._report_waiting.clear()
            while self._reports:
                await ws.send(encode_message(self._reports[0]))
                self._reports.popleft()  # only once sent: a drop keeps it for next time

    async def _report_adapters(self, ws: ClientConnection) -> None:
        """This computer's network adapters: at once, then each time they change."""
        assert self._adapters is not None
        reported: tuple[Adapter, ...] | None = None
        while True:
            try:
                adapters = await asyncio.to_thread(self._adapters)
            except Exception:
                log.exception("could not read the network adapters")
            else:
                if adapters != reported:
                    await ws.send(encode_message(WakeNetworks(adapters=adapters)))
                    reported = adapters
            await asyncio.sleep(self._adapters_every_s)

    async def run_forever(self) -> None:
        """Keep the link up until cancelled; raise LinkRefused if the cloud says never."""
        while True:
            try:
                await self._run_once()
            except LinkRefused:
                raise
            except (
                OSError,
                ConnectionClosed,
                TimeoutError,
                ProtocolError,
                websockets.InvalidHandshake,
            ) as exc:
                log.info("control link down: %s", _describe(exc))
            finally:
                if self.connected.is_set():
                    self.connected.clear()
                    self._on_change(False)
            delay = self._backoff.next_delay()
            log.info("reconnecting in %.1f s", delay)
            await asyncio.sleep(delay)

    async def _run_once(self) -> None:
        async with connect(
            self.url,
            open_timeout=10,
            close_timeout=3,
            max_size=1024 * 1024,
            ping_interval=None,
            compression=None,
            **websocket_tls(self.url),
        ) as ws:
            hello = our_hello(
                "agent", self._token, endpoint=self._endpoint_url, session_key=self._session_key
            )
            await ws.send(encode_message(hello))
            welcome = await self._receive(ws, timeout_s=15)
            if isinstance(welcome, ErrorMessage):
                # The close that follows carries the verdict (fatal or not).
                await self._receive(ws, timeout_s=5)
            if not isinstance(welcome, Welcome):
                raise TimeoutError("the cloud did not welcome this agent")
            self._backoff.reset()
            self.connections += 1
            self.connected.set()
            self._on_change(True)
            log.info("control link up (computer %s)", welcome.computer_id)
            self._report_waiting.set()  # what waited while the link was down
            beside = [asyncio.create_task(self._send_reports(ws))]
            if welcome.wake and self._adapters is not None:
                beside.append(asyncio.create_task(self._report_adapters(ws)))
            try:
                await self._heartbeat(ws, welcome.heartbeat_interval_s)
            finally:
                for task in beside:
                    task.cancel()
                for task in beside:
                    with contextlib.suppress(asyncio.CancelledError, ConnectionClosed):
                        await task

    async def _heartbeat(self, ws: ClientConnection, interval_s: float) -> None:
        """Send a heartbeat every interval; a heartbeat not acknowledged within two
        intervals means the path to the cloud is dead (a dropped network sends no FIN)."""
        seq = 0
        while True:
            sent_at = time.monotonic()
            await ws.send(encode_message(Heartbeat(seq=seq, sent_at_us=time.time_ns() // 1000)))
            ack_deadline = sent_at + 2 * interval_s
            while True:
                message = await self._receive_until(ws, ack_deadline)
                if message is None:
                    raise TimeoutError("heartbeat not acknowledged")
                if isinstance(message, HeartbeatAck) and message.seq == seq:
                    break
            # Keep reading until the next heartbeat is due.
            while await self._receive_until(ws, sent_at + interval_s) is not None:
                pass
            seq += 1

    async def _receive_until(self, ws: ClientConnection, deadline: float) -> object | None:
        """The next message, or None when the monotonic deadline passes first."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        try:
            return await self._receive(ws, timeout_s=remaining)
        except TimeoutError:
            return None

    async def _receive(self, ws: ClientConnection, timeout_s: float) -> object:
        try:
            async with asyncio.timeout(timeout_s):
                data = await ws.recv()
        except ConnectionClosed as exc:
            if exc.rcvd is not None and exc.rcvd.code in FATAL_CLOSE_CODES:
                raise LinkRefused(
                    exc.rcvd.code, exc.rcvd.reason or "refused by the cloud"
                ) from None
            raise
        message = decode_message(data)
        if isinstance(message, SessionOffer) and self._on_offer is not None:
            self._on_offer(message)
        if isinstance(message, TicketKeys) and self._on_ticket_keys is not None:
            self._on_ticket_keys(message)
        if isinstance(message, WakeSend) and self._on_wake is not None:
            self._on_wake(message)
        if isinstance(message, ErrorMessage):
            log.warning("cloud says: %s (%s)", message.message, message.code)
        return message


def _describe(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
