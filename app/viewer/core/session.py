"""A remote session without Qt: connect with a ticket (straight to the agent, else
through the cloud's relay), run the end-to-end encrypted handshake with the agent (it must
prove it holds the computer's key the cloud named), decode the video on a worker thread,
send input, and come back by itself when the connection drops.

Every message after the handshake is sealed (``app.sealed``): neither the relay nor
anything else on the path can read or alter the picture or the keys typed. Something
that alters a message ends the session for good, with why (``Tampered``), rather than
reconnecting into the same hands.

Reconnecting needs a fresh ticket (tickets are single-use): the caller passes ``renew``,
which asks the cloud for one. Delays grow with jitter (``Backoff``); a refusal that
waiting cannot fix (the computer was removed, the subscription ended) stops the retries
with its reason. The Qt viewer sits on top of this and shows ``state``."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import os
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO, Literal

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from app.protocol import (
    APPROVAL_WAIT_S,
    CloseCode,
    ErrorMessage,
    FrameError,
    HandshakeFailed,
    Heartbeat,
    HeartbeatAck,
    KeyframeRequest,
    ProtocolError,
    ScreenFit,
    ScreenList,
    ScreenSelect,
    SessionAccepted,
    SessionApproved,
    Tampered,
    VideoSettings,
    VideoTiming,
    decode_message,
    encode_message,
    our_hello,
)
from app.protocol.clipboard import Clip, decode_clip, encode_clip
from app.protocol.cursor import CursorPosition, CursorShape
from app.protocol.fills import decode_fills
from app.protocol.frames import Frame, FrameType, decode_frame, encode_frame
from app.protocol.input import InputEvent, encode_input
from app.protocol.secure import Initiator, StaticKey
from app.protocol.urls import websocket_url
from app.sealed import SealedConnection
from app.tls import websocket_tls
from app.viewer.core.audio import OpusDecoder
from app.viewer.core.backoff import Backoff
from app.viewer.core.clipboard import ClipboardLink
from app.viewer.core.congestion import RateController
from app.viewer.core.decoder import DecodePipeline, FillUpdate, Picture
from app.viewer.core.fitting import ScreenFitting
from app.viewer.core.i18n import tr
from app.viewer.core.stats import SessionStats
from app.viewer.core.transfers import FILE_REPLIES, Transfer, Transfers

log = logging.getLogger(__name__)
#: Pointer shapes kept (a desktop uses a handful; an animated one cycles through more).
MAX_CURSOR_SHAPES = 64
#: Where a session writes its statistics every second (unset: nowhere).
STATS_FILE = os.environ.get("PORTHOLE_STATS_FILE", "")
#: Told to the agent in every heartbeat: this viewer paints FILL frames (``Heartbeat``).
PAINTS_FILLS = True
DIRECT_BUDGET_S = 2.0
START_TIMEOUT_S = 30.0
#: While the person at the computer is asked, something crosses the link this often: the
#: cloud's relay closes a session idle for 30 s, and an answer may take longer.
APPROVAL_KEEPALIVE_S = 5.0
State = Literal["connecting", "live", "reconnecting", "closed"]


class SessionFailed(Exception):
    """The session could not start or was refused; the message says why."""


class SessionEnded(SessionFailed):
    """A refusal that retrying cannot fix (computer removed, no subscription): raised by
    ``renew`` to stop reconnecting."""


@dataclass(frozen=True)
class SessionGrant:
    """What the cloud answers to ``POST /api/v1/sessions``, with the key it was asked for."""

    session_id: str
    ticket: str
    #: The computer's end-to-end key, as the cloud vouches for it in the ticket.
    agent_public_key: str
    #: This viewer's key, whose public half the cloud put in the ticket.
    viewer_key: StaticKey = field(repr=False)
    direct_urls: tuple[str, ...] = ()
    #: Where the cloud's relay for this session is; None: the cloud's own address.
    relay_url: str | None = None


Renew = Callable[[], Awaitable[SessionGrant]]


class ViewerSession:
    def __init__(
        self,
        cloud_url: str,
        grant: SessionGrant,
        *,
        record: BinaryIO | None = None,
        renew: Renew | None = None,
        backoff: Backoff | None = None,
        on_state: Callable[[State, str], None] | None = None,
        on_picture: Callable[[Picture], None] | None = None,
        on_screens: Callable[[ScreenList], None] | None = None,
        on_clipboard: Callable[[Clip], None] | None = None,
        share_clipboard: bool = True,
        downloads: Path | None = None,
        on_transfer: Callable[[Transfer], None] | None = None,
        on_sound: Callable[[bytes], None] | None = None,
        sound: bool = False,
        draw_cursor: bool = False,
        on_cursor: Callable[[], None] | None = None,
        fit_screen: tuple[int, int] | None = None,
        on_fits: Callable[[bool], None] | None = None,
        congestion_control: bool = True,
    ) -> None:
        #: "Match this device": the computer's monitor at this size (the picture area).
        self.fitting = ScreenFitting(fit_screen)
        #: The picture's congestion control: the bitrate and frame rate the link carries.
        self.rate = RateController()
        # Off only to measure what it does (the benchmark's comparison).
        self._congestion_control = congestion_control
        # Called when the agent turns out able (or not) to change its resolution.
        self._on_fits = on_fits
        self._on_cursor = on_cursor
        #: Ask the agent for its pointer (this viewer draws it over the picture).
        self.draw_cursor = draw_cursor
        #: Where the computer's pointer is, and each shape it had, by serial.
        self.cursor: CursorPosition | None = None
        self.cursor_shapes: dict[int, CursorShape] = {}
        # Called on the loop with each packet of the computer's sound, as PCM
        # (protocol.audio: 48 kHz stereo s16), while ``sound`` is on.
        self._on_sound = on_sound
        self.sound = sound and on_sound is not None
        self._sound_decoder: OpusDecoder | None = None
        #: AUDIO frames received, played or not (they stop once the agent heard "off").
        self.sound_frames = 0
        #: Files sent to the computer and fetched from it (fetched ones go to ``downloads``).
        self.transfers = Transfers(self._send, downloads or Path.home() / "Downloads", on_transfer)
        self._on_screens = on_screens
        # Called on the loop with what the computer copied, for this device's clipboard.
        self._on_clipboard = on_clipboard
        self.clipboard = ClipboardLink(share_clipboard and on_clipboard is not None)
        self._clipboard_id = 0
        self._beat_seq = 0
        # Called on the decode thread with each new picture (the Qt window turns it into
        # a queued signal); ``latest`` always has the newest one.
        self._on_picture = on_picture
        self._cloud_url = cloud_url
        self._grant = grant
        self._renew = renew
        self._backoff = backoff or Backoff()
        self._on_state = on_state
        #: "direct" or "relay", once connected.
        self.path = ""
        self.state: State = "connecting"
        #: Why the session is reconnecting or closed, for people.
        self.detail = ""
        self.reconnects = 0
        #: The remote computer's monitors and the one shown (from the agent).
        self.screens: ScreenList | None = None
        # Where to write the received H.264 elementary stream as it arrives (Annex B), for
        # support and conformance checks with FFmpeg's own tools.
        self._record = record
        self.video_frames = 0
        self.stats = SessionStats()
        self._received_us: dict[int, int] = {}
        self._ws: SealedConnection | None = None
        #: Set when reconnecting would be wrong: the path altered the session (not into the
        #: same hands again), or the person at the computer ended it.
        self._final = False
        self._supervisor: asyncio.Task[None] | None = None
        self._pinger: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._latest: Picture | None = None
        self._latest_lock = threading.Lock()
        self._new_picture = asyncio.Event()
        self._changed = asyncio.Condition()
        self._pipeline: DecodePipeline | None = None
        self._input_id = 0
        self._closing = False

    # -- lifetime --------------------------------------------------------------------------

    async def __aenter__(self) -> ViewerSession:
        self._loop = asyncio.get_running_loop()
        self._pipeline = DecodePipeline(self._picture_decoded, self._keyframe_needed)
        try:
            await self._open(self._grant)
        except BaseException:
            await asyncio.to_thread(self._pipeline.close)
            raise
        self._supervisor = asyncio.create_task(self._supervise(), name="viewer-session")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._closing = True
        for task in (self._pinger, self._supervisor):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, ConnectionClosed):
                    await task
        if self._ws is not None:
            await self._ws.close()
        self.transfers.close()
        if self._pipeline is not None:
            await asyncio.to_thread(self._pipeline.close)
        await self._set_state("closed", self.detail or tr("Closed by the viewer."))

    async def wait_state(self, wanted: State, timeout_s: float | None) -> None:
        """Until the session is ``wanted``; None waits without a limit (not infinity:
        under qasync a deadline is a Qt timer, which cannot hold one)."""
        async with asyncio.timeout(timeout_s), self._changed:
            await self._changed.wait_for(lambda: self.state == wanted)

    async def _set_state(self, state: State, detail: str = "") -> None:
        self.state, self.detail = state, detail
        if self._on_state is not None:
            self._on_state(state, detail)
        async with self._changed:
            self._changed.notify_all()

    # -- connecting --------------------------------------------------------------------------

    async def _open(self, grant: SessionGrant) -> None:
        """Connect, send the ticket inside message 1 of the encrypted handshake, and wait
        for the agent's answer, which only the holder of the computer's key can make."""
        ws = await self._connect(grant)
        try:
            # The relay admits the viewer by its ticket; an agent reached directly reads
            # the ticket inside the handshake only, so nothing on that path sees it.
            token = grant.ticket if self.path == "relay" else "direct"
            await ws.send(encode_message(our_hello("viewer", token)))
            handshake = Initiator(grant.viewer_key, grant.agent_public_key, grant.ticket.encode())
            await ws.send(handshake.first_message)
            async with asyncio.timeout(START_TIMEOUT_S):
                answer = await ws.recv()
            if isinstance(answer, str):  # a refusal, before any key was agreed
                refusal = decode_message(answer)
                await ws.close()
                if isinstance(refusal, ErrorMessage):
                    raise SessionFailed(refusal.message)
                raise SessionFailed(tr("The computer did not accept the session."))
            payload, channel = handshake.finish(answer)
            accepted = decode_message(payload.decode(errors="replace"))
        except HandshakeFailed as exc:
            with contextlib.suppress(ConnectionClosed):
                await ws.close(int(exc.close_code), exc.message[:120])
            raise SessionEnded(exc.message) from None
        except (ConnectionClosed, TimeoutError, ProtocolError) as exc:
            await ws.close()
            raise SessionFailed(
                tr("The session did not start: {reason}").format(reason=exc)
            ) from None
        except asyncio.CancelledError:  # the viewer gave up: the connection goes too
            await ws.close()
            raise
        if not isinstance(accepted, SessionAccepted) or accepted.session_id != grant.session_id:
            await ws.close()
            raise SessionFailed(tr("The computer did not accept the session."))
        sealed = SealedConnection(ws, channel)
        if accepted.waiting_for == "approval":
            await self._wait_for_approval(sealed, grant, accepted.asks)
        self._ws = sealed
        self._grant = grant
        self.clipboard.connected()
        self.fitting.connected()
        self.rate.connected()
        self._pinger = asyncio.create_task(self._ping(sealed))
        await self._set_state("live")

    async def _wait_for_approval(
        self, sealed: SealedConnection, grant: SessionGrant, asks: str
    ) -> None:
        """The person at the computer is being asked (to allow the session, to share its
        screen, or both): say so, and wait for their answer. A no (or no answer) ends the
        session for good: asking again would nag them."""
        if asks == "screen":
            waiting = tr("Waiting for the person at the computer to allow sharing its screen…")
        elif asks == "both":
            waiting = tr(
                "Waiting for the person at the computer to allow the connection and the "
                "sharing of its screen…"
            )
        else:
            waiting = tr("Waiting for the person at the computer to allow the connection…")
        await self._set_state("connecting", waiting)
        answer: Any = None
        keeping_alive = asyncio.create_task(_keep_alive(sealed))
        try:
            async with asyncio.timeout(APPROVAL_WAIT_S * (2 if asks == "both" else 1)):
                answer = decode_message(await sealed.recv())
                if isinstance(answer, ErrorMessage):  # why, then the close
                    await sealed.recv()
        except (ConnectionClosed, TimeoutError, ProtocolError):
            pass
        except asyncio.CancelledError:  # given up here: the question is withdrawn there
            await sealed.close()
            raise
        finally:
            keeping_alive.cancel()
        if isinstance(answer, SessionApproved) and answer.session_id == grant.session_id:
            return
        await sealed.close()
        screen = _screen_refusal(sealed)
        if screen is not None:  # the agent's reason whole (the close's is cut short)
            raise SessionEnded(answer.message if isinstance(answer, ErrorMessage) else screen)
        if asks == "screen":
            raise SessionEnded(tr("The person at the computer did not allow sharing its screen."))
        raise SessionEnded(tr("The person at the computer did not allow the session."))

    async def _connect(self, grant: SessionGrant) -> ClientConnection:
        """Straight to the agent when it is reachable, else through the cloud's relay;
        the direct attempts get DIRECT_BUDGET_S in all, so falling back is quick."""
        options: dict[str, Any] = {"max_size": 16 * 1024 * 1024, "compression": None}
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(DIRECT_BUDGET_S):
                for url in grant.direct_urls:
                    try:
                        ws = await connect(
                            url, open_timeout=DIRECT_BUDGET_S, **options, **websocket_tls(url)
                        )
                    except (OSError, InvalidHandshake, InvalidURI):
                        continue
                    self.path = "direct"
                    return ws
        self.path = "relay"
        url = grant.relay_url or websocket_url(self._cloud_url, f"/api/v1/relay/{grant.session_id}")
        try:
            return await connect(url, open_timeout=10, **options, **websocket_tls(url))
        except (OSError, InvalidHandshake, TimeoutError) as exc:
            raise SessionFailed(
                tr("The cloud could not be reached: {reason}").format(reason=exc)
            ) from None

    async def _supervise(self) -> None:
        """Read until the connection drops, then come back with a fresh ticket."""
        while True:
            reason = await self._read_until_dropped()
            if self._closing:
                return
            if self._renew is None or self._final:
                await self._set_state("closed", reason)
                return
            await self._set_state("reconnecting", reason)
            if not await self._reconnect():
                return

    async def _reconnect(self) -> bool:
        self._backoff.reset()
        while not self._closing:
            await asyncio.sleep(self._backoff.next_delay())
            assert self._renew is not None and self._pipeline is not None
            try:
                grant = await self._renew()
                self._pipeline.reset()  # the new stream starts with a keyframe
                await self._open(grant)
            except SessionEnded as exc:
                await self._set_state("closed", str(exc))
                return False
            except (SessionFailed, OSError) as exc:
                await self._set_state("reconnecting", str(exc))
                continue
            self.reconnects += 1
            return True
        return False

    # -- the running session ----------------------------------------------------------------

    @property
    def latest(self) -> Picture | None:
        with self._latest_lock:
            return self._latest

    async def next_picture(self, timeout_s: float) -> Picture:
        """The next decoded picture after this call (waking on decode, not polling)."""
        self._new_picture.clear()
        async with asyncio.timeout(timeout_s):
            await self._new_picture.wait()
        picture = self.latest
        assert picture is not None
        return picture

    async def request_keyframe(self, reason: str = "asked by the viewer") -> None:
        await self._send(encode_message(KeyframeRequest(reason=reason)))

    async def set_video(self, *, bitrate_kbps: int, max_fps: int, scale: float = 1.0) -> None:
        """Ask the agent for another stream (quality setting, slow link, small window)."""
        settings = VideoSettings(bitrate_kbps=bitrate_kbps, max_fps=max_fps, scale=scale)
        self.rate.set_ceiling(bitrate_kbps, max_fps)
        await self._send(encode_message(settings))
        await self._adapt()

    async def _adapt(self) -> None:
        """Tell the agent the rate the link carries, when it changed enough."""
        rate = self.rate.update(time.monotonic())
        if rate is not None and self._congestion_control:
            await self._send(encode_message(rate))

    async def select_monitor(self, monitor_id: str) -> None:
        """Show another of the computer's monitors (``screens`` lists them)."""
        await self._send(encode_message(ScreenSelect(monitor=monitor_id)))

    async def fit_screen(self, size: tuple[int, int] | None) -> None:
        """Ask the computer for a resolution of this size (this device's picture area),
        or, with None, for its own again; ``screens`` then has the monitor's new size."""
        await self._send_fit(self.fitting.want(size, self._monitor_shown()))

    async def _send_fit(self, fit: ScreenFit | None) -> None:
        if fit is not None:
            await self._send(encode_message(fit))

    def _monitor_shown(self) -> str | None:
        return self.screens.current if self.screens is not None else None

    async def send_input(self, event: InputEvent) -> None:
        self._input_id = (self._input_id + 1) % 2**32
        frame = Frame(FrameType.INPUT, self._input_id, time.time_ns() // 1000, encode_input(event))
        await self._send(encode_frame(frame))

    async def copied_here(self, clip: Clip) -> None:
        """This device's clipboard changed: share it (now, or once the agent can take it).
        Raises :exc:`~app.protocol.clipboard.ClipTooLarge` for content too large."""
        await self._send_clip(self.clipboard.copied_here(clip))

    async def share_clipboard(self, on: bool) -> None:
        """The setting changed: the agent hears it at once (in a heartbeat)."""
        due = self.clipboard.set_enabled(on)
        await self._send(encode_message(self._heartbeat()))
        await self._send_clip(due)

    async def play_sound(self, on: bool) -> None:
        """Sound on or off: the agent hears it at once (in a heartbeat)."""
        self.sound = on and self._on_sound is not None
        await self._send(encode_message(self._heartbeat()))

    async def _send_clip(self, clip: Clip | None) -> None:
        if clip is None:
            return
        self._clipboard_id = (self._clipboard_id + 1) % 2**32
        payload = encode_clip(clip)
        await self._send(encode_frame(Frame(FrameType.CLIPBOARD, self._clipboard_id, 0, payload)))

    async def _send(self, data: str | bytes) -> None:
        """To the agent; dropped while reconnecting (replaying old taps on a screen that
        moved on would surprise more than losing them)."""
        if self.state != "live" or self._ws is None:
            return
        with contextlib.suppress(ConnectionClosed):
            await self._ws.send(data)

    async def _ping(self, ws: SealedConnection, interval_s: float = 1.0) -> None:
        """Heartbeats to the agent: liveness, round trip and the clock offset."""
        with contextlib.suppress(ConnectionClosed):
            while True:
                await ws.send(encode_message(self._heartbeat()))
                await self._adapt()  # (probing up goes on while the screen is still)
                if STATS_FILE:
                    self._write_stats(STATS_FILE)
                await asyncio.sleep(interval_s)

    def _heartbeat(self) -> Heartbeat:
        self._beat_seq += 1
        return Heartbeat(
            seq=self._beat_seq,
            sent_at_us=time.time_ns() // 1000,
            paints_fills=PAINTS_FILLS,
            clipboard=self.clipboard.enabled,
            audio=self.sound,
            cursor=self.draw_cursor,
        )

    def _write_stats(self, path: str) -> None:
        """The statistics as JSON, replaced whole (benchmarks read them from a running
        viewer, e.g. the kiosk's stages beside its glass-to-glass time)."""
        with contextlib.suppress(OSError):
            with open(path + ".tmp", "w", encoding="utf-8") as out:
                json.dump(dataclasses.asdict(self.stats.snapshot()), out)
            os.replace(path + ".tmp", path)

    async def _read_until_dropped(self) -> str:
        """Handle what the agent sends; returns why the connection ended."""
        ws = self._ws
        assert ws is not None and self._pipeline is not None
        try:
            async for data in ws:
                size = len(data) if isinstance(data, bytes) else len(data.encode())
                self.stats.message_received(size)
                if isinstance(data, str):
                    await self._handle_message(decode_message(data))
                else:
                    self._handle_frame(decode_frame(data))
        except Tampered as exc:
            self._final = True
            with contextlib.suppress(ConnectionClosed):
                await ws.close(int(exc.close_code), exc.message[:120])
            return tr(
                "The session was closed: something between you and the computer altered it "
                "({reason})."
            ).format(reason=exc.message)
        except ProtocolError as exc:
            # A confused agent: say why and start over rather than guess.
            with contextlib.suppress(ConnectionClosed):
                await ws.close(int(exc.close_code), exc.message[:120])
            return tr("The computer sent something unreadable: {reason}").format(reason=exc.message)
        except ConnectionClosed:
            pass
        finally:
            if self._pinger is not None:
                self._pinger.cancel()
            self.transfers.dropped()
        if ws.close_code == CloseCode.ENDED_BY_HOST:
            self._final = True
            return tr("The person at the computer ended the session.")
        screen = _screen_refusal(ws)
        if screen is not None:
            self._final = True
            return screen
        if ws.close_reason:
            return ws.close_reason
        if ws.close_code == CloseCode.GOING_AWAY:
            return tr("The computer ended the session.")
        return tr("The connection to the computer was lost.")

    async def _handle_message(self, message: Any) -> None:
        if isinstance(message, HeartbeatAck):
            received_us = time.time_ns() // 1000
            self.stats.heartbeat_answered(message.sent_at_us, message.server_time_us, received_us)
            await self._send_clip(self.clipboard.agent_answered(message.clipboard))
            await self.transfers.agent_answered(message.files)
            could = self.fitting.agent_fits
            await self._send_fit(self.fitting.agent_answered(message.fits, self._monitor_shown()))
            if self._on_fits is not None and self.fitting.agent_fits != could:
                self._on_fits(self.fitting.agent_fits)
        elif isinstance(message, FILE_REPLIES):
            await self.transfers.message(message)
        elif isinstance(message, (CursorShape, CursorPosition)):
            if isinstance(message, CursorPosition):
                self.cursor = message
            else:
                if len(self.cursor_shapes) >= MAX_CURSOR_SHAPES:
                    self.cursor_shapes.pop(next(iter(self.cursor_shapes)))
                self.cursor_shapes[message.serial] = message
            if self._on_cursor is not None:
                self._on_cursor()
            async with self._changed:
                self._changed.notify_all()
        elif isinstance(message, VideoTiming):
            self.stats.agent_timing(message.frame_id, message.grab_ms, message.encode_ms)
            self.rate.frame_timed(message.frame_id, message.encode_ms)
            await self._adapt()
        elif isinstance(message, ScreenList):
            self.screens = message
            if self._on_screens is not None:
                self._on_screens(message)
            await self._send_fit(self.fitting.screens(message.current))
            async with self._changed:
                self._changed.notify_all()
        elif isinstance(message, ErrorMessage):
            log.info("the agent says: %s (%s)", message.message, message.code)
            self.detail = message.message

    def _handle_frame(self, frame: Frame) -> None:
        assert self._pipeline is not None
        if frame.type == FrameType.INPUT:
            raise FrameError("input frames go from the viewer to the agent, not back")
        if frame.type == FrameType.FILE:
            self.transfers.chunk(frame.payload)
            return
        if frame.type == FrameType.AUDIO:
            self._sound_arrived(frame)
            return
        if frame.type == FrameType.CLIPBOARD:
            clip = self.clipboard.arrived(decode_clip(frame.payload))
            if clip is not None and self._on_clipboard is not None:
                self._on_clipboard(clip)
            return
        # A malformed fill ends the session here, as a malformed frame header does.
        fills = decode_fills(frame.payload) if frame.type == FrameType.FILL else None
        self.video_frames += 1
        self.stats.frame_received(
            len(frame.payload), frame.frame_id, frame.capture_us, fill=fills is not None
        )
        received_us = self._received_us[frame.frame_id] = time.time_ns() // 1000
        if len(self._received_us) > 256:
            self._received_us.pop(next(iter(self._received_us)))
        if fills is None:  # (fills are a few bytes: they tell nothing of the link)
            delay_ms = (received_us - frame.capture_us) / 1000
            self.rate.frame_arrived(frame.frame_id, time.monotonic(), delay_ms, len(frame.payload))
        if fills is not None:
            self._pipeline.push(FillUpdate(frame.frame_id, frame.capture_us, fills))
            return
        if self._record is not None:
            self._record.write(frame.payload)
        self._pipeline.push(frame)

    def _sound_arrived(self, frame: Frame) -> None:
        self.sound_frames += 1
        if not self.sound or self._on_sound is None:
            return  # still in flight when it was turned off
        if self._sound_decoder is None:
            self._sound_decoder = OpusDecoder()
        pcm = self._sound_decoder.decode(frame.payload)
        if pcm:
            self.stats.audio_decoded(frame.capture_us)
            self._on_sound(pcm)

    async def wait_cursor(
        self, timeout_s: float, ready: Callable[[CursorPosition], bool]
    ) -> CursorPosition:
        """The pointer, once the agent reported it where ``ready`` wants it."""
        async with asyncio.timeout(timeout_s), self._changed:
            await self._changed.wait_for(lambda: self.cursor is not None and ready(self.cursor))
        assert self.cursor is not None
        return self.cursor

    async def wait_screens(
        self,
        timeout_s: float,
        current: str | None = None,
        condition: Callable[[ScreenList], bool] | None = None,
    ) -> ScreenList:
        """The monitor list, once the agent sent it (showing ``current``, if given, and
        meeting ``condition``, if given)."""

        def ready() -> bool:
            screens = self.screens
            return (
                screens is not None
                and current in (None, screens.current)
                and (condition is None or condition(screens))
            )

        async with asyncio.timeout(timeout_s), self._changed:
            await self._changed.wait_for(ready)
        assert self.screens is not None
        return self.screens

    def _picture_decoded(self, picture: Picture) -> None:
        # On the decode thread: keep only the newest, wake the loop.
        with self._latest_lock:
            self._latest = picture
            received_us = self._received_us.get(picture.frame_id, picture.decoded_us)
            self.stats.picture_decoded(
                picture.capture_us, received_us, picture.decoded_us, filled=picture.filled
            )
        if self._on_picture is not None:
            self._on_picture(picture)
        assert self._loop is not None
        with contextlib.suppress(RuntimeError):  # the loop closed while decoding
            self._loop.call_soon_threadsafe(self._new_picture.set)

    def set_output_size(self, size: tuple[int, int] | None) -> None:
        """Decode straight to the size the window shows (device pixels), or the
        stream's own size with None."""
        if self._pipeline is not None:
            self._pipeline.set_output_size(size)

    def _keyframe_needed(self, reason: str) -> None:
        # On the decode thread.
        assert self._loop is not None
        request = encode_message(KeyframeRequest(reason=reason))
        asyncio.run_coroutine_threadsafe(self._send(request), self._loop)


async def _keep_alive(sealed: SealedConnection) -> None:
    """Until cancelled: a keyframe request every APPROVAL_KEEPALIVE_S, which agents of
    every version take without answering (the first picture is a keyframe anyway)."""
    request = encode_message(KeyframeRequest(reason="waiting for approval"))
    with contextlib.suppress(ConnectionClosed):
        while True:
            await asyncio.sleep(APPROVAL_KEEPALIVE_S)
            await sealed.send(request)


def _screen_refusal(ws: SealedConnection) -> str | None:
    """Why the computer's screen cannot be shared, when the agent closed for that (not
    worth retrying at once: its reason says why)."""
    if ws.close_code != CloseCode.SCREEN_UNAVAILABLE:
        return None
    return ws.close_reason or tr("The computer's screen could not be shared.")
