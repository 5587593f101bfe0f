"""The live event feed (``/api/v1/events``) of a signed-in account, without Qt.

It opens with the protocol's hello (the access token travels there, never in the URL),
delivers typed events (presence, computers added/renamed/removed, subscription and
purchase changes) to a callback or an async iterator, and comes back by itself after a
drop: delays grow with jitter (``Backoff``); a refused access token (close 4401) is
refreshed once and retried at once; an ended sign-in stops the feed with
``SessionExpired``. A dead path that sends no FIN is noticed by WebSocket pings.

Events missed while disconnected are not replayed, so every (re)connection delivers a
``Resync`` first: reload the computers and the subscription then, and apply the events
that follow."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Literal, TypeAlias

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from app.protocol import (
    MAX_CONTROL_MESSAGE_BYTES,
    CloseCode,
    ComputerAdded,
    ComputerPresence,
    ComputerRemoved,
    ComputerRenamed,
    ErrorMessage,
    ProtocolError,
    PurchaseChanged,
    SubscriptionChanged,
    Welcome,
    decode_message,
    encode_message,
    our_hello,
)
from app.protocol.wake import ComputerNetworks
from app.tls import websocket_tls
from app.viewer.core.backoff import Backoff
from app.viewer.core.cloud import CloudClient
from app.viewer.core.errors import CloudError, SessionExpired
from app.viewer.core.i18n import tr

log = logging.getLogger(__name__)

Event: TypeAlias = (
    ComputerPresence
    | ComputerAdded
    | ComputerRenamed
    | ComputerRemoved
    | ComputerNetworks
    | SubscriptionChanged
    | PurchaseChanged
)
EVENT_TYPES = (
    ComputerPresence,
    ComputerAdded,
    ComputerRenamed,
    ComputerRemoved,
    ComputerNetworks,
    SubscriptionChanged,
    PurchaseChanged,
)
FeedState = Literal["connecting", "live", "reconnecting", "closed"]


@dataclass(frozen=True)
class Resync:
    """The feed is (again) live; what happened before may have been missed: reload."""

    connection: int


FeedItem: TypeAlias = Event | Resync


class FeedClosed(Exception):
    """The feed was closed; no more events will come."""


class _Refused(Exception):
    """The cloud closed the feed with a close code and its reason."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


class EventFeed:
    def __init__(
        self,
        client: CloudClient,
        *,
        on_event: Callable[[FeedItem], None] | None = None,
        on_state: Callable[[FeedState, str], None] | None = None,
        backoff: Backoff | None = None,
        keepalive_s: float = 15.0,
        open_timeout_s: float = 10.0,
        max_queued: int = 1000,
    ) -> None:
        self._client = client
        self._on_event = on_event
        self._on_state = on_state
        self._backoff = backoff or Backoff()
        self._keepalive_s = keepalive_s
        self._open_timeout_s = open_timeout_s
        # None marks the end, for every reader.
        self._queue: asyncio.Queue[FeedItem | None] = asyncio.Queue(max_queued)
        self._changed = asyncio.Condition()
        self._task: asyncio.Task[None] | None = None
        self.state: FeedState = "connecting"
        #: Why the feed is reconnecting or closed, for people.
        self.detail = ""
        #: What ended the feed for good (``SessionExpired``…); None after ``close()``.
        self.error: CloudError | None = None
        self.connections = 0
        self._used_token: str | None = None
        self._must_refresh = False
        self._refreshed_since_live = False

    # -- lifetime --------------------------------------------------------------------------

    async def __aenter__(self) -> EventFeed:
        self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="event-feed")

    async def close(self) -> None:
        """Stop: the connection is closed normally and iteration ends."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._set_state("closed", tr("Closed."))
        self._end_readers()

    async def wait_state(self, wanted: FeedState, timeout_s: float) -> None:
        async with asyncio.timeout(timeout_s), self._changed:
            await self._changed.wait_for(lambda: self.state == wanted)

    # -- receiving -------------------------------------------------------------------------

    async def next(self, timeout_s: float | None) -> FeedItem:
        """The next item, waiting at most ``timeout_s``; ``FeedClosed`` (or the error that
        ended the feed) once it is over."""
        async with asyncio.timeout(timeout_s):
            item = await self._queue.get()
        if item is None:
            self._end_readers()  # every later reader learns it too
            raise self.error or FeedClosed(tr("The event feed is closed."))
        return item

    def __aiter__(self) -> EventFeed:
        return self

    async def __anext__(self) -> FeedItem:
        try:
            return await self.next(timeout_s=None)
        except FeedClosed:
            raise StopAsyncIteration from None

    def _deliver(self, item: FeedItem) -> None:
        if self._on_event is not None:
            try:
                self._on_event(item)
            except Exception:
                # A bug in one handler must not cut everyone off from live events.
                log.exception("event handler failed on %r", item)
            return
        try:
            self._queue.put_nowait(item)
        except asyncio.QueueFull:
            # Nobody is reading: a reload supersedes everything queued, so keep just that.
            while not self._queue.empty():
                self._queue.get_nowait()
            self._queue.put_nowait(Resync(self.connections))

    # -- the connection --------------------------------------------------------------------

    async def _set_state(self, state: FeedState, detail: str = "") -> None:
        if self.state == "closed":
            return
        self.state, self.detail = state, detail
        if self._on_state is not None:
            self._on_state(state, detail)
        async with self._changed:
            self._changed.notify_all()

    async def _run(self) -> None:
        try:
            while True:
                try:
                    if self._must_refresh:
                        await self._client.renew_access(self._used_token)
                        self._must_refresh = False
                    await self._connect_once()
                    reason = tr("The connection to the cloud was closed.")
                except _Refused as exc:
                    if exc.code == CloseCode.UNSUPPORTED_VERSION:
                        raise CloudError(
                            tr("This version of Porthole is too old for the cloud. Update it.")
                        ) from exc
                    if exc.code == CloseCode.UNAUTHORIZED:
                        self._must_refresh = True
                        if not self._refreshed_since_live:
                            # An expired token is routine: refresh and go straight back.
                            self._refreshed_since_live = True
                            continue
                    reason = exc.reason
                except SessionExpired:
                    raise
                except (
                    CloudError,
                    OSError,
                    TimeoutError,
                    InvalidHandshake,
                    ConnectionClosed,
                ) as exc:
                    reason = getattr(exc, "message", "") or tr(
                        "The cloud cannot be reached. Trying again…"
                    )
                await self._set_state("reconnecting", reason)
                await asyncio.sleep(self._backoff.next_delay())
        except CloudError as exc:
            self.error = exc
            await self._set_state("closed", exc.message)
        except InvalidURI as exc:
            self.error = CloudError(tr("The cloud address is not valid: {url}").format(url=exc.uri))
            await self._set_state("closed", self.error.message)
        finally:
            await self._set_state("closed", tr("Closed."))
            self._end_readers()

    def _end_readers(self) -> None:
        if self._queue.full():
            self._queue.get_nowait()  # the oldest event matters less than hearing the end
        self._queue.put_nowait(None)

    async def _connect_once(self) -> None:
        self._used_token = await self._client.access_token()
        url = self._client.ws_url("/events")
        async with connect(
            url,
            open_timeout=self._open_timeout_s,
            # A path that let pings go unanswered will not answer a close either.
            close_timeout=min(3.0, self._keepalive_s),
            ping_interval=self._keepalive_s,
            ping_timeout=self._keepalive_s,
            max_size=MAX_CONTROL_MESSAGE_BYTES,
            **websocket_tls(url),
        ) as ws:
            await ws.send(encode_message(our_hello("viewer", self._used_token)))
            async with asyncio.timeout(self._open_timeout_s):
                first = await self._receive(ws)
                while isinstance(first, ErrorMessage):
                    first = await self._receive(ws)  # the close that follows says it all
            if not isinstance(first, Welcome):
                raise CloudError(tr("The cloud did not accept the event feed."))
            self._backoff.reset()
            self._refreshed_since_live = False
            self.connections += 1
            await self._set_state("live")
            self._deliver(Resync(self.connections))
            while True:
                message = await self._receive(ws)
                if isinstance(message, EVENT_TYPES):
                    self._deliver(message)

    async def _receive(self, ws: ClientConnection) -> object:
        """The next decodable message; closes become ``_Refused``, junk is skipped."""
        while True:
            try:
                data = await ws.recv()
            except ConnectionClosed as exc:
                if exc.rcvd is not None and exc.rcvd.code >= 4000:
                    raise _Refused(exc.rcvd.code, exc.rcvd.reason) from None
                raise CloudError(tr("The connection to the cloud was lost.")) from None
            try:
                return decode_message(data)
            except ProtocolError as exc:
                # A newer cloud may send types this viewer does not know: not a reason to drop.
                log.info("skipped an event the viewer cannot read: %s", exc.message)
