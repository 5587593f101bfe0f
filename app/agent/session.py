"""The agent's side of remote sessions: join the relay when offered, answer the viewer's
end-to-end encrypted handshake, check its ticket (the cloud's signature, this computer and
its key, the viewer's key, expiry, used once), then serve, every message sealed.

An accepted session streams one monitor as H.264 (only when it changes: woken by X
DAMAGE, by input, or by polling where nothing reports changes), tells the viewer which
monitors there are, and applies the input it receives."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from websockets.asyncio.client import connect
from websockets.asyncio.connection import Connection
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from app.agent.approval import Approvals, AutoApprove, HostUI, Visitor
from app.agent.audio import AudioStream, audio_available
from app.agent.capture.base import (
    Box,
    Captured,
    Desktop,
    DesktopUnavailable,
    ScreenSource,
    Withdrawal,
    desktop_asks,
    open_desktop,
)
from app.agent.capture.changes import solid_colour
from app.agent.capture.resolution import FitRefused
from app.agent.clipboard.share import ClipboardShare
from app.agent.cursor_stream import CursorStream
from app.agent.encode import EncodedFrame, H264Encoder
from app.agent.file_share import FILE_MESSAGES, FileShare
from app.agent.files import HomeFiles
from app.agent.refine import Pass, Refiner
from app.protocol import (
    CloseCode,
    ErrorMessage,
    FrameError,
    HandshakeFailed,
    Heartbeat,
    HeartbeatAck,
    Hello,
    KeyframeRequest,
    ProtocolError,
    ScreenFit,
    ScreenList,
    ScreenSelect,
    SessionAccepted,
    SessionApproved,
    SessionOffer,
    SessionReport,
    TicketKeys,
    UnexpectedMessage,
    VideoRate,
    VideoSettings,
    VideoTiming,
    decode_message,
    encode_message,
    our_hello,
)
from app.protocol.fills import Fill, encode_fills
from app.protocol.frames import Frame, FrameFlags, FrameType, decode_frame, encode_frame
from app.protocol.input import InputEvent, decode_input
from app.protocol.secure import StaticKey, respond
from app.protocol.tickets import ReplayGuard, TicketRefused, public_key_from_text, verify_ticket
from app.protocol.urls import websocket_url
from app.sealed import SealedConnection
from app.tls import websocket_tls

log = logging.getLogger(__name__)
START_TIMEOUT_S = 30.0
#: A viewer that has not taken a frame for this long is gone (or stuck): the session ends
#: with a clear close code instead of holding the screen and a buffer for it.
STALL_LIMIT_S = 20.0
#: Above this much unsent data, heartbeat answers are skipped: the receive loop must never
#: wait on a viewer that stopped reading, or input would stop being applied too.
BACKLOG_BYTES = 256 * 1024
#: Before a viewer proved anything, its messages are small (a hello, handshake message 1):
#: nobody unauthenticated makes this computer buffer more than this.
PRE_AUTH_MAX_BYTES = 64 * 1024
#: Once admitted: the largest message a session carries (input, control; video goes the
#: other way).
SESSION_MAX_BYTES = 16 * 1024 * 1024
#: Direct connections open at once (sessions and viewers still proving themselves): a
#: flood of connections costs this computer a bounded amount.
MAX_DIRECT_CONNECTIONS = 16
#: A frame whose send took longer than this, or left more than this unsent, means the
#: viewer or its link fell behind.
BEHIND_AFTER_S = 0.03
BEHIND_BACKLOG_BYTES = 64 * 1024
#: Sound waits for nothing: a packet goes only while less than this is unsent.
AUDIO_BACKLOG_BYTES = 128 * 1024
#: Frames at least this large always carry their stage timings (video.timing).
TIMING_ALWAYS_BYTES = 1024
#: A fill's stage times go with it at most this often (see ``_send_fill``).
FILL_TIMING_INTERVAL_S = 0.1
#: Passes that code the whole picture finely: the large frames a slow link must wait for.
LARGE_PASSES = (Pass.REFINE, Pass.REFINE_INTRA, Pass.KEYFRAME, Pass.PREVIEW)


@dataclass
class LiveSession:
    desktop: Desktop
    stream: _VideoStream


class AgentSessions:
    def __init__(
        self,
        cloud_url: str,
        token: str,
        computer_id: str,
        cloud_public_key: str,
        *,
        cloud_key_id: str = "",
        session_key: StaticKey,
        source: str = "demo",
        display_name: str | None = None,
        input_backend: str | None = None,
        host_ui: HostUI | None = None,
        home: Path | None = None,
        sound: bool | None = None,
        state_dir: Path | None = None,
    ) -> None:
        #: What the desktop lets this agent remember between sessions (the Wayland
        #: portal's restore token) goes here; None: nothing is remembered.
        self.state_dir = state_dir
        #: Sessions send the computer's sound (None: for a real desktop, not the demo's,
        #: whose computer is the viewer's own: its sound would loop back).
        self.sound = source != "demo" if sound is None else sound
        #: The person's files that sessions may reach (their home folder).
        self.files = HomeFiles(home)
        #: Asks the person at the computer, and shows who is connected (None: nobody is
        #: asked, as with ``--approve auto``).
        self.host_ui: HostUI = host_ui or AutoApprove()
        #: Told how each session went (the control link passes it on to the session log).
        self.on_report: Callable[[SessionReport], None] = lambda report: None
        self._approvals = Approvals()
        self._source = source
        self._input_backend = input_backend
        #: Each running session (tests read the demo screen's state and stream counters).
        self.live: list[LiveSession] = []
        self._display_name = display_name
        self._cloud_url = cloud_url
        self._token = token
        self._computer_id = computer_id
        #: The cloud's session-ticket keys by id: the one from enrolment until the control
        #: link says which ones are current.
        self.ticket_keys: dict[str, Ed25519PublicKey] = {
            cloud_key_id: public_key_from_text(cloud_public_key)
        }
        self._session_key = session_key
        self._guard = ReplayGuard()
        self._tasks: set[asyncio.Task[None]] = set()
        self._server: Server | None = None
        self._direct_open = 0
        self.accepted = 0

    def offer(self, offer: SessionOffer) -> None:
        """Called by the control link; the session runs beside it."""
        task = asyncio.get_running_loop().create_task(
            self._serve(offer), name=f"session-{offer.session_id}"
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def learn_ticket_keys(self, announced: TicketKeys) -> None:
        """The control link's word on which ticket keys are current (a rotation announces
        a new one before it signs; a replaced one is dropped once nothing it signed is
        valid). A key that does not parse is skipped, not trusted."""
        keys: dict[str, Ed25519PublicKey] = {}
        for key in announced.keys:
            try:
                keys[key.kid] = public_key_from_text(key.public_key)
            except ValueError:
                log.warning("the cloud announced a ticket key that does not parse: %s", key.kid)
        if keys:
            self.ticket_keys = keys
            log.info("session tickets accepted from keys %s", ", ".join(sorted(keys)))

    async def listen(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Accept direct sessions (no relay); returns the URL to announce to the cloud."""
        self._server = await serve(
            self._serve_direct,
            host,
            port,
            max_size=SESSION_MAX_BYTES,
            compression=None,
            open_timeout=10,  # the HTTP upgrade, header by header included
        )
        bound = next(iter(self._server.sockets)).getsockname()
        address = bound[0]
        if address in ("0.0.0.0", "::"):
            address = self._address_towards_cloud()
        shown = f"[{address}]" if ":" in address else address
        return f"ws://{shown}:{bound[1]}/session"

    def _address_towards_cloud(self) -> str:
        """The local address viewers can use: the one this machine reaches the cloud from
        (a UDP "connect" picks the route; no packet is sent)."""
        host = urlsplit(self._cloud_url).hostname or "127.0.0.1"
        try:
            family = socket.AF_INET6 if ":" in host else socket.AF_INET
            with socket.socket(family, socket.SOCK_DGRAM) as probe:
                probe.connect((host, 9))
                return str(probe.getsockname()[0])
        except OSError:
            return "127.0.0.1"

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _serve_direct(self, ws: ServerConnection) -> None:
        """A viewer came straight here: the same hello, handshake and ticket check as via
        the relay."""
        ws.protocol.max_message_size = PRE_AUTH_MAX_BYTES
        if self._direct_open >= MAX_DIRECT_CONNECTIONS:
            await ws.close(int(CloseCode.TRY_AGAIN_LATER), "Too many connections; try again.")
            return
        self._direct_open += 1
        try:
            await self._serve_one_direct(ws)
        finally:
            self._direct_open -= 1

    async def _serve_one_direct(self, ws: ServerConnection) -> None:
        try:
            async with asyncio.timeout(START_TIMEOUT_S):
                hello = decode_message(await ws.recv())
            if not isinstance(hello, Hello) or hello.role != "viewer":
                raise UnexpectedMessage("A direct session starts with the viewer's hello.")
        except ProtocolError as exc:
            await _refuse(ws, exc)
            return
        except (ConnectionClosed, TimeoutError):
            return
        with contextlib.suppress(ConnectionClosed, TimeoutError):
            admitted = await self._admit(ws, None)
            if admitted is not None:
                await self._run(*admitted, path="direct")

    async def _serve(self, offer: SessionOffer) -> None:
        url = offer.relay_url or websocket_url(self._cloud_url, offer.relay_path)
        try:
            async with connect(
                url,
                open_timeout=10,
                max_size=16 * 1024 * 1024,
                compression=None,
                **websocket_tls(url),
            ) as ws:
                await ws.send(encode_message(our_hello("agent", self._token)))
                admitted = await self._admit(ws, offer)
                if admitted is not None:
                    await self._run(*admitted, path="relay")
        except (OSError, ConnectionClosed, TimeoutError) as exc:
            log.info("session %s ended: %s", offer.session_id, type(exc).__name__)

    async def _admit(
        self, ws: Connection, offer: SessionOffer | None
    ) -> tuple[SealedConnection, Visitor, str, SessionApproved | None] | None:
        """Message 1 of the handshake carries the ticket, encrypted to this computer's key;
        the answer proves this computer holds it. Then the person at the computer says
        yes or no, when asked. None: refused (the viewer was told why). The approval is
        returned when it is still owed: sent once the desktop's dialog was answered."""
        ws.protocol.max_message_size = PRE_AUTH_MAX_BYTES
        async with asyncio.timeout(START_TIMEOUT_S):
            first = await ws.recv()
        try:
            handshake = respond(self._session_key, first)
            ticket = verify_ticket(
                handshake.payload.decode(errors="replace"),
                self.ticket_keys,
                computer_id=self._computer_id,
                now=time.time(),
            )
            if ticket.agent_key != self._session_key.public_text:
                raise HandshakeFailed(
                    "The cloud vouched for another key of this computer's; try again."
                )
            if ticket.viewer_key != handshake.peer_public:
                raise HandshakeFailed(
                    "The viewer's key is not the one the cloud vouched for in the ticket."
                )
            if offer is not None and ticket.session_id != offer.session_id:
                raise TicketRefused("The ticket is for another session.")
            self._guard.admit(ticket, now=time.time())
        except ProtocolError as exc:
            await _refuse(ws, exc)
            return None
        visitor = Visitor(
            ticket.account_id,
            ticket.account_email,
            ticket.device_name,
            ticket.viewer_address,
            ticket.viewer_key,
        )
        ask = not isinstance(self.host_ui, AutoApprove) and not self._approvals.remembered(visitor)
        # The desktop's own dialog (Wayland's portal) is a question too: the viewer waits
        # for both answers in one, and is approved once the screen is shared.
        screen_asks = await asyncio.to_thread(
            desktop_asks, self._source, self._input_backend, self.state_dir
        )
        accepted = SessionAccepted(
            session_id=ticket.session_id,
            waiting_for="approval" if ask or screen_asks else None,
            asks="both" if ask and screen_asks else "screen" if screen_asks else "session",
        )
        answer, channel = handshake.accept(encode_message(accepted).encode())
        await ws.send(answer)
        sealed = SealedConnection(ws, channel)
        if ask:
            allowed = await self._ask(sealed, visitor)
            if not allowed:  # None: the viewer left before anybody answered
                event: Literal["declined", "ended"] = "ended" if allowed is None else "declined"
                self.on_report(SessionReport(session_id=ticket.session_id, event=event))
                return None
        ws.protocol.max_message_size = SESSION_MAX_BYTES
        self.accepted += 1
        approved = SessionApproved(session_id=ticket.session_id)
        if ask and not screen_asks:
            await sealed.send(encode_message(approved))
        return sealed, visitor, ticket.session_id, approved if screen_asks else None

    async def _ask(self, sealed: SealedConnection, visitor: Visitor) -> bool | None:
        """The prompt on the computer's screen: the person's answer, or None when the
        viewer left meanwhile (the question is then withdrawn)."""
        asking = asyncio.ensure_future(self.host_ui.ask(visitor))
        gone = asyncio.ensure_future(sealed.ws.wait_closed())
        await asyncio.wait({asking, gone}, return_when=asyncio.FIRST_COMPLETED)
        gone.cancel()
        if not asking.done():
            asking.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await asking
            return None
        if asking.result():
            return True
        with contextlib.suppress(ConnectionClosed):
            refusal = ErrorMessage(
                code="declined", message="The person at the computer did not allow the session."
            )
            await sealed.send(encode_message(refusal))
            await sealed.close(int(CloseCode.ENDED_BY_HOST), refusal.message)
        return False

    async def _run(
        self,
        ws: SealedConnection,
        visitor: Visitor,
        session_id: str,
        owed: SessionApproved | None,
        *,
        path: Literal["relay", "direct"],
    ) -> None:
        # The screen first: on Wayland the person at the computer is asked to share it,
        # and a session they turn down is logged as declined, never as started.
        try:
            desktop = await self._open_desktop(ws)
        except DesktopUnavailable as exc:
            log.warning("the screen cannot be shared: %s", exc)
            await _screen_unavailable(ws, exc)
            outcome: Literal["declined", "ended"] = (
                "declined" if exc.code == "declined" else "ended"
            )
            self.on_report(SessionReport(session_id=session_id, event=outcome))
            return
        if desktop is None:  # the viewer stopped waiting for the person's answer
            self.on_report(SessionReport(session_id=session_id, event="ended"))
            return
        try:
            indicator = await self.host_ui.show_indicator(visitor)
        except BaseException:
            desktop.close()
            raise
        self._approvals.session_running(visitor)
        self.on_report(SessionReport(session_id=session_id, event="started", path=path))

        async def end_when_host_says() -> None:
            await indicator.disconnected.wait()
            await ws.close(
                int(CloseCode.ENDED_BY_HOST), "The person at the computer ended the session."
            )

        watching = asyncio.create_task(end_when_host_says())
        try:
            await self._stream(ws, desktop, owed)
        finally:
            watching.cancel()
            with contextlib.suppress(asyncio.CancelledError, ConnectionClosed):
                await watching
            await indicator.close()
            by_host = indicator.disconnected.is_set()
            self._approvals.session_ended(visitor, by_host=by_host)
            self.on_report(
                SessionReport(session_id=session_id, event="ended_by_host" if by_host else "ended")
            )

    async def _stream(
        self, ws: SealedConnection, desktop: Desktop, owed: SessionApproved | None
    ) -> None:
        """``owed``: the viewer waits for this approval until the desktop is open. The
        desktop is closed when the session ends."""
        if owed is not None:
            try:
                await ws.send(encode_message(owed))
            except BaseException:
                desktop.close()
                raise
        stream = _VideoStream(ws, desktop.screen, max_fps=60)
        live = LiveSession(desktop, stream)
        self.live.append(live)

        async def stream_until_the_screen_is_gone() -> None:
            try:
                await stream.run()
            except DesktopUnavailable as exc:  # its sharing stopped: the session ends
                log.warning("the screen is no longer shared: %s", exc)
                await _screen_unavailable(ws, exc)

        streaming = asyncio.create_task(stream_until_the_screen_is_gone())
        sharing: ClipboardShare | None = None
        watching_clipboard: asyncio.Task[None] | None = None
        if desktop.clipboard is not None:
            sharing = ClipboardShare(desktop.clipboard, ws.send)
            watching_clipboard = asyncio.create_task(sharing.run())
        transfers = FileShare(self.files, ws.send)
        pointer = (
            CursorStream(desktop.cursor, desktop.screen, ws.send)
            if desktop.cursor is not None
            else None
        )
        sound = (
            AudioStream(ws.send, room=lambda: _backlog(ws) < AUDIO_BACKLOG_BYTES)
            if self.sound and audio_available()
            else None
        )
        loop = asyncio.get_running_loop()
        change_fd = desktop.screen.change_fd()
        if change_fd is not None:  # X DAMAGE: woken the moment something is drawn
            loop.add_reader(change_fd, stream.screen_reported)
        try:
            await ws.send(encode_message(_screen_list(desktop.screen)))
            if desktop.view_only is not None:
                notice = ErrorMessage(code="view_only", message=desktop.view_only)
                await ws.send(encode_message(notice))
            async for data in ws:
                if isinstance(data, bytes):
                    try:
                        frame = decode_frame(data)
                        if frame.type == FrameType.FILE:
                            await transfers.chunk(frame.payload)
                            continue
                        if frame.type == FrameType.CLIPBOARD:
                            if sharing is not None:  # one we never offered it to: ignored
                                sharing.received(frame.payload)
                            continue
                        if frame.type != FrameType.INPUT:
                            raise FrameError(
                                "only input, clipboard and file frames go to the agent"
                            )
                        apply_input(desktop, decode_input(frame.payload))
                    except FrameError as exc:
                        await _refuse(ws, exc)
                        return
                    stream.changed.set()
                    continue
                try:
                    message = decode_message(data)
                except ProtocolError as exc:
                    await _refuse(ws, exc)
                    return
                if isinstance(message, Heartbeat):
                    stream.viewer_paints_fills = message.paints_fills
                    if sharing is not None:
                        sharing.enabled = message.clipboard
                    if sound is not None:
                        sound.set_enabled(message.audio)
                    if pointer is not None:
                        pointer.set_enabled(message.cursor)
                    if _backlog(ws) > BACKLOG_BYTES:
                        continue  # a measurement, not worth waiting for
                    now_us = time.time_ns() // 1000
                    ack = HeartbeatAck(
                        seq=message.seq,
                        sent_at_us=message.sent_at_us,
                        server_time_us=now_us,
                        clipboard=sharing is not None,
                        files=True,
                        audio=sound is not None,
                        fits=desktop.resolution is not None,
                    )
                    await ws.send(encode_message(ack))
                elif isinstance(message, KeyframeRequest):
                    stream.encoder.request_keyframe()
                    stream.force = True
                    stream.changed.set()
                elif isinstance(message, VideoSettings):
                    stream.configure(message.bitrate_kbps, message.max_fps, message.scale)
                elif isinstance(message, VideoRate):
                    stream.follow_link(message.bitrate_kbps, message.max_fps)
                elif isinstance(message, ScreenSelect):
                    await self._select_monitor(ws, desktop, stream, message.monitor)
                elif isinstance(message, ScreenFit):
                    await self._fit_screen(ws, desktop, stream, message)
                elif isinstance(message, FILE_MESSAGES):
                    await transfers.handle(message)
        finally:
            if change_fd is not None:
                loop.remove_reader(change_fd)
            await transfers.close()
            if sound is not None:
                await sound.close()
            if pointer is not None:
                await pointer.close()
            for task in (streaming, watching_clipboard):
                if task is not None:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError, ConnectionClosed):
                        await task
            self.live.remove(live)
            desktop.close()  # nothing stays pressed after the session

    async def _open_desktop(self, ws: SealedConnection) -> Desktop | None:
        """The screen and input, opened off the loop: the desktop may ask the person at
        the computer first (the Wayland portal's dialog). None: the viewer left meanwhile,
        and the question was withdrawn. A session that ends meanwhile closes what opens
        after it."""
        withdrawal = Withdrawal()
        opening = asyncio.ensure_future(
            asyncio.to_thread(
                open_desktop,
                self._source,
                self._display_name,
                self._input_backend,
                self.state_dir,
                withdrawal,
            )
        )
        gone = asyncio.ensure_future(ws.ws.wait_closed())
        try:
            await asyncio.wait({opening, gone}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            gone.cancel()
            if not opening.done():
                withdrawal.withdraw()
                opening.add_done_callback(_close_opened)
        return opening.result() if opening.done() else None

    async def _select_monitor(
        self, ws: SealedConnection, desktop: Desktop, stream: _VideoStream, monitor_id: str
    ) -> None:
        try:
            desktop.screen.select(monitor_id)
        except KeyError:
            # A stale choice (a monitor was unplugged) is not worth ending the session.
            error = ErrorMessage(code="no_such_monitor", message="That monitor is not there.")
            await ws.send(encode_message(error))
            return
        stream.resize()
        await ws.send(encode_message(_screen_list(desktop.screen)))

    async def _fit_screen(
        self, ws: SealedConnection, desktop: Desktop, stream: _VideoStream, fit: ScreenFit
    ) -> None:
        """The monitor shown at the viewer's size (or its own again), then a keyframe of it
        and the monitors as they now are; the monitor as it was if the display refuses."""
        resolution = desktop.resolution
        try:
            if resolution is None:
                raise FitRefused("This computer's screen cannot change its resolution.")
            async with stream.grabbing:  # no grab reads the screen while it changes size
                if fit.width is None or fit.height is None:
                    await asyncio.to_thread(resolution.restore)
                else:
                    monitor = desktop.screen.current
                    await asyncio.to_thread(resolution.fit, monitor, fit.width, fit.height)
                desktop.screen.reload()
        except FitRefused as exc:
            await ws.send(encode_message(ErrorMessage(code="fit_refused", message=str(exc))))
            return
        stream.resize()
        await ws.send(encode_message(_screen_list(desktop.screen)))


def _screen_list(screen: ScreenSource) -> ScreenList:
    return ScreenList(monitors=tuple(screen.monitors()[:16]), current=screen.current.id)


def apply_input(desktop: Desktop, event: InputEvent) -> None:
    """Input in coordinates normalised to the monitor shown, onto desktop pixels."""
    screen, target = desktop.screen, desktop.input
    monitor = screen.current
    x = monitor.x + min(screen.width - 1, int(event.x * screen.width))
    y = monitor.y + min(screen.height - 1, int(event.y * screen.height))
    if event.kind == "click":
        target.click(x, y, event.button, event.count, event.mods)
    elif event.kind == "down":
        target.press(x, y, event.button)
    elif event.kind == "move":
        target.move(x, y)
    elif event.kind == "up":
        target.release(x, y, event.button)
    elif event.kind == "text":
        target.type_text(event.text)
    elif event.kind == "key":
        target.key(event.key, event.mods)
    elif event.kind == "keydown":
        target.key_down(event.key)
    elif event.kind == "keyup":
        target.key_up(event.key)
    elif event.kind == "wheel":
        target.wheel(x, y, event.dx, event.dy, event.mods)


class _VideoStream:
    """Capture when something changed (at most ``max_fps``), encode off the event loop,
    and send each access unit as a VIDEO frame stamped with its capture time."""

    def __init__(self, ws: SealedConnection, screen: ScreenSource, max_fps: int) -> None:
        self._ws = ws
        self._screen = screen
        self._min_interval = 1 / max_fps
        self._settings = (6000, max_fps, 1.0)
        #: The bitrate and frame rate the viewer measured the link carries (VideoRate).
        self._link: tuple[int, int] | None = None
        #: The size of the last keyframe or refinement: what the next one may cost.
        self._large_frame_bytes = 0
        self.encoder = H264Encoder(screen.width, screen.height, fps=max_fps, preview=True)
        self.changed = asyncio.Event()
        self.changed.set()  # the first picture
        #: Held while a grab reads the screen (the screen's size changes only outside it).
        self.grabbing = asyncio.Lock()
        self.force = False
        #: The viewer said it paints fills (its heartbeats do): until then, H.264 only.
        self.viewer_paints_fills = False
        self._frame_id = 0
        self.frames_sent = 0
        #: Decides how each picture is coded, and when a still one is refined.
        self.refiner = Refiner()
        #: The newest grab (what a refinement codes), and the grab waiting for the
        #: encoder (urgent: what it shows is not on the viewer yet), with how long it took
        #: and when.
        self._last_captured: Captured | None = None
        self._pending: Captured | None = None
        self._pending_grab_s = self._pending_at = 0.0
        #: Where fills changed the picture since the last frame coded (None: nowhere);
        #: the next frame covers it.
        self._uncoded: Box | None = None
        self._work = asyncio.Event()  # a grab is waiting, or a refinement may be due
        self._taken = asyncio.Event()  # the encoder took a grab or finished sending
        self._sending = False
        #: Pictures coded each way, and the H.264 bytes sent (tests and benchmarks).
        self.coded: dict[Pass, int] = {}
        self.video_bytes = 0
        #: Changes of one colour sent as fills ahead of their frames.
        self.fills = 0
        self._timing_sent = 0.0
        self._fill_timing_sent = 0.0
        #: x264's PSNR of the pictures coded each way: sums and counts (quality in motion).
        self.psnr_total: dict[Pass, float] = {}
        self.psnr_measured: dict[Pass, int] = {}

    def configure(self, bitrate_kbps: int, max_fps: int, scale: float) -> None:
        """New stream settings from the viewer; the next frame is a keyframe in them."""
        self._settings = (bitrate_kbps, max_fps, scale)
        self.resize()

    def follow_link(self, bitrate_kbps: int, max_fps: int) -> None:
        """What the viewer measured the link carries: coded within it from the next frame,
        no keyframe, never above the settings; a new encoder (another monitor) keeps it."""
        ceiling_kbps, ceiling_fps, _ = self._settings
        self._link = (min(bitrate_kbps, ceiling_kbps), min(max_fps, ceiling_fps))
        self._min_interval = 1 / self._link[1]
        self.encoder.set_bitrate(self._link[0])

    def resize(self) -> None:
        """A new encoder for the screen's current size (another monitor, new settings)."""
        bitrate_kbps, max_fps, scale = self._settings
        if self._link is not None:  # what the link carries, within the new settings
            bitrate_kbps, max_fps = min(bitrate_kbps, self._link[0]), min(max_fps, self._link[1])
        self._min_interval = 1 / max_fps
        self.encoder = H264Encoder(
            max(16, int(self._screen.width * scale)),
            max(16, int(self._screen.height * scale)),
            fps=max_fps,
            bitrate_kbps=bitrate_kbps,
        )
        self.force = True
        self._uncoded = None  # the keyframe shows it all
        self.changed.set()

    def screen_reported(self) -> None:
        """The screen's change descriptor is readable (X DAMAGE)."""
        if self._screen.changes_pending():
            self.changed.set()

    async def run(self) -> None:
        """Two lanes: one grabs each change as it comes and sends a change of one colour
        at once; the other encodes the newest grab (or refines the picture) meanwhile, so
        a change is seen while a frame is still being encoded."""
        lanes = [
            asyncio.create_task(self._grab_lane(), name="grab"),
            asyncio.create_task(self._encode_lane(), name="encode"),
        ]
        try:
            done, _ = await asyncio.wait(lanes, return_when=asyncio.FIRST_EXCEPTION)
            for lane in done:
                lane.result()  # raises what ended it (the connection closed, mostly)
        finally:
            for lane in lanes:
                lane.cancel()
            await asyncio.gather(*lanes, return_exceptions=True)

    # -- grabbing ---------------------------------------------------------------------

    async def _grab_lane(self) -> None:
        while True:
            await self._wait_for_change()
            started, started_wall_us = time.monotonic(), time.time_ns() // 1000
            self.changed.clear()
            force, self.force = self.force, False
            encoder = self.encoder
            async with self.grabbing:
                captured, grab_s = await asyncio.to_thread(self._grab, force)
            if captured is not None:
                self.refiner.saw_change(started)
                fill = None
                if self.viewer_paints_fills and not force:
                    fill = _fill_of(captured, encoder.width, encoder.height)
                if fill is not None:
                    self.fills += 1
                    await self._send_fill(fill, captured, grab_started_us=started_wall_us)
                self._grabbed(captured, grab_s, started, filled=fill is not None)
            # The grab may have read the screen's change reports off its connection (an X
            # round trip does), where the descriptor watch no longer sees them: look.
            if self._screen.changes_pending():
                self.changed.set()
            # At most max_fps: changes arriving meanwhile are folded into the next grab.
            await asyncio.sleep(max(0.0, self._min_interval - (time.monotonic() - started)))

    async def _wait_for_change(self) -> None:
        """Until the screen changed, input or a keyframe request came (or, where nothing
        reports changes, the next look at the frame rate); not while a grab waits for an
        encoder that waits for the viewer (the newest grab then shows the screen as it
        is when the viewer is back, and nothing is grabbed for nothing)."""
        while self._pending is not None and self._sending:
            self._taken.clear()
            await self._taken.wait()
        if not self._screen.polls:
            await self.changed.wait()
            return
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self._min_interval):
                await self.changed.wait()

    def _grab(self, force: bool) -> tuple[Captured | None, float]:
        """On a worker thread: the screen if it changed (or anyway, for a keyframe)."""
        started = time.monotonic()
        captured = self._screen.grab_if_changed()
        if captured is None and force:
            captured = self._screen.render()
        return captured, time.monotonic() - started

    def _grabbed(self, captured: Captured, grab_s: float, at: float, *, filled: bool) -> None:
        """A new grab for the encoder. Its box grows to cover the grab waiting before it
        (replaced: only the newest is encoded) and what fills showed since the last frame.
        A grab that fills showed whole is not urgent: it is coded with the next frame, or
        by a refinement once the screen has been still a while (one encode less, and
        none competing with the viewer for the CPU the moment it shows the fill)."""
        self._last_captured = captured
        box = captured.changed
        if self._pending is not None:
            box = _union(box, self._pending.changed)
        if filled and self._pending is None and self.encoder.refines and box is not None:
            self._uncoded = box if self._uncoded is None else _union(box, self._uncoded)
            self.refiner.filled(at)
            self._work.set()  # a refinement is owed now: the encoder learns when
            return
        if self._uncoded is not None:
            box, self._uncoded = _union(box, self._uncoded), None
        self._pending = dataclasses.replace(captured, changed=box)
        self._pending_grab_s, self._pending_at = grab_s, at
        self._work.set()

    # -- encoding ---------------------------------------------------------------------

    async def _encode_lane(self) -> None:
        while True:
            await self._wait_for_work()
            self._work.clear()
            if self._pending is not None:
                captured, self._pending = self._pending, None
                self._taken.set()
                coded_as = self.refiner.frame(captured.changed_share, self._pending_at)
                grab_s, changed = self._pending_grab_s, captured.changed
            else:
                refinement = self._refinement_due(time.monotonic())
                if refinement is None or self._last_captured is None:
                    continue
                # The picture as it is now, whole: fills it showed are coded with it.
                captured, coded_as, grab_s, changed = self._last_captured, refinement, 0.0, None
                self._uncoded = None
            encoder = self.encoder
            encoded, encode_s = await asyncio.to_thread(
                self._encode, encoder, captured, coded_as, changed
            )
            self._sending = True
            try:
                await self._send_coded(captured, encoded, grab_s, encode_s)
            finally:
                self._sending = False
                self._taken.set()

    async def _wait_for_work(self) -> None:
        """Until a grab is waiting or a refinement of the picture is due."""
        if self._pending is not None:
            return
        due = self._refine_due_in(time.monotonic())
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(due):
                await self._work.wait()

    def _refine_due_in(self, now: float) -> float | None:
        """Seconds until a refinement is due (None: none is, or the encoder cannot refine:
        PyAV's codes every frame by rate control)."""
        if not self.encoder.refines:
            return None
        due = self.refiner.due_in(now, self._refine_hold_s())
        if due is not None and self.changed.is_set():
            # A change is reported and not grabbed yet: the screen is not still.
            due = max(due, self._min_interval)
        return due

    def _refine_hold_s(self) -> float:
        """How long the screen must be still before a refinement, on the link the viewer
        measured: twice what the last large frame would take to cross it, so a pause in
        scrolling on a slow link is not filled with a frame that delays what comes next
        (on a fast link, or before the viewer measured one: the refiner's own settle)."""
        if self._link is None or not self._large_frame_bytes:
            return 0.0
        return 2 * self._large_frame_bytes * 8 / (self._link[0] * 1000)

    def _refinement_due(self, now: float) -> Pass | None:
        due = self._refine_due_in(now)
        if due is None or due > 0:
            return None
        return self.refiner.refinement()

    @staticmethod
    def _encode(
        encoder: H264Encoder, captured: Captured, coded_as: Pass, changed: Box | None
    ) -> tuple[list[EncodedFrame], float]:
        """On a worker thread: the picture's access units, and how long they took."""
        started = time.monotonic()
        encoded = encoder.encode(
            captured.image, captured.capture_us, captured.pixel_format, coded_as, changed
        )
        return encoded, time.monotonic() - started

    # -- sending ----------------------------------------------------------------------

    def _next_frame_id(self) -> int:
        self._frame_id = (self._frame_id + 1) % 2**32
        return self._frame_id

    async def _send_fill(self, fill: Fill, captured: Captured, *, grab_started_us: int) -> None:
        """The fill, then (at most ten times a second: ~110 bytes beside a ~40-byte fill,
        and fills come only with clicks and clears, never while typing) its stage times,
        on the wall clock: reading the screen (grab start to capture instant), then
        comparing and finding the fill (capture instant to now)."""
        frame = Frame(
            FrameType.FILL, self._next_frame_id(), captured.capture_us, encode_fills([fill])
        )
        sent_us = time.time_ns() // 1000
        await self._send(encode_frame(frame), measured=False)
        now = time.monotonic()
        if now - self._fill_timing_sent >= FILL_TIMING_INTERVAL_S:
            self._fill_timing_sent = now
            timing = VideoTiming(
                frame_id=frame.frame_id,
                grab_ms=round(max(0, captured.capture_us - grab_started_us) / 1000, 3),
                encode_ms=round(max(0, sent_us - captured.capture_us) / 1000, 3),
            )
            await self._ws.send(encode_message(timing))

    async def _send_coded(
        self, captured: Captured, encoded: list[EncodedFrame], grab_s: float, encode_s: float
    ) -> None:
        for unit in encoded:
            self.refiner.coded(unit.coded_as, unit.psnr_db)
            if unit.coded_as in LARGE_PASSES or unit.keyframe:
                self._large_frame_bytes = len(unit.data)
            self.coded[unit.coded_as] = self.coded.get(unit.coded_as, 0) + 1
            self.video_bytes += len(unit.data)
            if unit.psnr_db is not None:
                self.psnr_measured[unit.coded_as] = self.psnr_measured.get(unit.coded_as, 0) + 1
                self.psnr_total[unit.coded_as] = self.psnr_total.get(unit.coded_as, 0.0) + (
                    unit.psnr_db
                )
        # Numbered before the first send: a fill sent meanwhile takes the next number.
        frames = [
            Frame(
                type=FrameType.VIDEO,
                frame_id=self._next_frame_id(),
                capture_us=captured.capture_us,
                payload=unit.data,
                flags=FrameFlags.KEYFRAME if unit.keyframe else FrameFlags.NONE,
            )
            for unit in encoded
        ]
        # The stage timings go with large frames, where they cost nothing to speak of, and
        # at most once a second with small ones: beside a keystroke's ~250 bytes, a timing
        # message is ~110 more.
        now = time.monotonic()
        size = sum(len(unit.data) for unit in encoded)
        timing = None
        if frames and (size >= TIMING_ALWAYS_BYTES or now - self._timing_sent >= 1.0):
            self._timing_sent = now
            timing = VideoTiming(
                frame_id=frames[-1].frame_id,
                grab_ms=round(grab_s * 1000, 3),
                encode_ms=round(encode_s * 1000, 3),
            )
        for frame in frames:
            await self._send(encode_frame(frame))
        if timing is not None:
            await self._ws.send(encode_message(timing))

    async def _send(self, data: bytes, *, measured: bool = True) -> None:
        """One frame out. While the viewer is not reading, this waits (the encoder's
        newest frame is the only one held, the screen is not grabbed meanwhile, so the
        next picture shows the screen as it is then, not a backlog). ``measured``: a
        video frame, whose send tells how the link keeps up."""
        started = time.monotonic()
        try:
            async with asyncio.timeout(STALL_LIMIT_S):
                await self._ws.send(data)
        except TimeoutError:
            log.info("viewer stopped reading for %.0f s: ending the session", STALL_LIMIT_S)
            await self._ws.close(int(CloseCode.TIMEOUT), "The viewer stopped reading.")
            raise ConnectionClosed(None, None) from None
        self.frames_sent += 1
        if not measured:
            return
        # The send waited longer than the bitrate allows for this frame, or left a backlog:
        # the link (or the viewer) is behind, so motion gets less bitrate; a send that
        # went out in time lets it climb back.
        now = time.monotonic()
        allowed_s = 2 * len(data) * 8 / (self.encoder.budget.bitrate_kbps * 1000)
        late = now - started > allowed_s + BEHIND_AFTER_S
        if late or _backlog(self._ws) > BEHIND_BACKLOG_BYTES:
            self.encoder.link_fell_behind(now)
        else:
            self.encoder.link_kept_up(now)


def _union(a: Box | None, b: Box | None) -> Box | None:
    """The box covering both (None stands for the whole picture)."""
    if a is None or b is None:
        return None
    left, top = min(a.x, b.x), min(a.y, b.y)
    right, bottom = max(a.x + a.width, b.x + b.width), max(a.y + a.height, b.y + b.height)
    return Box(left, top, right - left, bottom - top)


def _fill_of(captured: Captured, width: int, height: int) -> Fill | None:
    """The change as one fill of a ``width`` x ``height`` stream, if it is one colour."""
    box = captured.changed
    if box is None:
        return None  # the first picture, or a new monitor: the keyframe shows it
    pixel = solid_colour(captured.image, box)
    if pixel is None:
        return None
    rgb = (pixel[2], pixel[1], pixel[0]) if captured.pixel_format == "bgra" else pixel[:3]
    # The stream may be scaled (the viewer asked for a smaller one): the box too, widened
    # to whole pixels.
    shown_height, shown_width = captured.image.shape[:2]
    left, top = box.x * width // shown_width, box.y * height // shown_height
    right = -(-(box.x + box.width) * width // shown_width)
    bottom = -(-(box.y + box.height) * height // shown_height)
    right, bottom = min(right, width), min(height, bottom)
    if right <= left or bottom <= top:
        return None
    return Fill(left, top, right - left, bottom - top, (rgb[0], rgb[1], rgb[2]))


def _backlog(ws: SealedConnection) -> int:
    transport = ws.transport
    return int(transport.get_write_buffer_size()) if transport is not None else 0


def _close_opened(opening: asyncio.Future[Desktop]) -> None:
    if not opening.cancelled() and opening.exception() is None:
        opening.result().close()


async def _screen_unavailable(ws: SealedConnection, exc: DesktopUnavailable) -> None:
    """The viewer told why, and the session closed for good (asking again at once would
    show the person at the computer the same dialog, or fail the same way)."""
    with contextlib.suppress(ConnectionClosed):
        await ws.send(encode_message(ErrorMessage(code=exc.code, message=exc.message)))
        await ws.close(int(CloseCode.SCREEN_UNAVAILABLE), exc.message[:120])


async def _refuse(ws: Connection | SealedConnection, exc: ProtocolError) -> None:
    with contextlib.suppress(ConnectionClosed):
        await ws.send(encode_message(ErrorMessage(code=exc.code, message=exc.message)))
        await ws.close(
            code=int(exc.close_code),
            reason=exc.message[:120],
        )
