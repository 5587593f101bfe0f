"""A remote session without Qt: connect with a ticket (through the relay), check in with
the agent, decode the video on a worker thread, send input. The Qt viewer sits on top."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Sequence
from types import TracebackType
from typing import Any, BinaryIO

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from app import __version__
from app.agent.link import websocket_url
from app.protocol import (
    PROTOCOL_VERSION,
    ErrorMessage,
    Heartbeat,
    HeartbeatAck,
    Hello,
    KeyframeRequest,
    ProtocolError,
    SessionAccepted,
    SessionStart,
    VideoSettings,
    decode_message,
    encode_message,
)
from app.protocol.frames import Frame, FrameType, decode_frame, encode_frame
from app.protocol.input import InputEvent, encode_input
from app.viewer.core.decoder import DecodePipeline, Picture
from app.viewer.core.stats import SessionStats

DIRECT_BUDGET_S = 2.0


class SessionFailed(Exception):
    """The session could not start or was refused; the message says why."""


class ViewerSession:
    def __init__(
        self,
        cloud_url: str,
        session_id: str,
        ticket: str,
        *,
        direct_urls: Sequence[str] = (),
        record: BinaryIO | None = None,
    ) -> None:
        self._direct_urls = list(direct_urls)
        #: "direct" or "relay", once connected.
        self.path = ""
        # Where to write the received H.264 elementary stream as it arrives (Annex B), for
        # support and conformance checks with FFmpeg's own tools.
        self._record = record
        self.video_frames = 0
        self.stats = SessionStats()
        self._received_us: dict[int, int] = {}
        self._pinger: asyncio.Task[None] | None = None
        self._url = websocket_url(cloud_url, f"/api/v1/relay/{session_id}")
        self._ticket = ticket
        self._ws: ClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._latest: Picture | None = None
        self._latest_lock = threading.Lock()
        self._new_picture = asyncio.Event()
        self._pipeline: DecodePipeline | None = None
        self._input_id = 0

    async def __aenter__(self) -> ViewerSession:
        self._loop = asyncio.get_running_loop()
        self._ws = await self._connect()
        await self._ws.send(
            encode_message(
                Hello(
                    version=PROTOCOL_VERSION,
                    role="viewer",
                    token=self._ticket,
                    client=f"porthole/{__version__}",
                )
            )
        )
        await self._ws.send(encode_message(SessionStart(ticket=self._ticket)))
        try:
            async with asyncio.timeout(30):
                answer = decode_message(await self._ws.recv())
        except (ConnectionClosed, TimeoutError, ProtocolError) as exc:
            await self._ws.close()
            raise SessionFailed(f"The session did not start: {exc}") from None
        if isinstance(answer, ErrorMessage):
            await self._ws.close()
            raise SessionFailed(answer.message)
        if not isinstance(answer, SessionAccepted):
            await self._ws.close()
            raise SessionFailed("The computer did not accept the session.")
        self._pipeline = DecodePipeline(self._picture_decoded, self._keyframe_needed)
        self._reader = asyncio.create_task(self._read())
        self._pinger = asyncio.create_task(self._ping())
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for task in (self._pinger, self._reader):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, ConnectionClosed):
                    await task
        if self._ws is not None:
            await self._ws.close()
        if self._pipeline is not None:
            await asyncio.to_thread(self._pipeline.close)

    async def _connect(self) -> ClientConnection:
        """Straight to the agent when it is reachable, else through the cloud's relay;
        the direct attempts get DIRECT_BUDGET_S in all, so falling back is quick."""
        options: dict[str, Any] = {"max_size": 16 * 1024 * 1024, "compression": None}
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(DIRECT_BUDGET_S):
                for url in self._direct_urls:
                    try:
                        ws = await connect(url, open_timeout=DIRECT_BUDGET_S, **options)
                    except (OSError, InvalidHandshake, InvalidURI):
                        continue
                    self.path = "direct"
                    return ws
        self.path = "relay"
        return await connect(self._url, open_timeout=10, **options)

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
        assert self._ws is not None
        await self._ws.send(encode_message(KeyframeRequest(reason=reason)))

    async def set_video(self, *, bitrate_kbps: int, max_fps: int, scale: float = 1.0) -> None:
        """Ask the agent for another stream (quality setting, slow link, small window)."""
        assert self._ws is not None
        settings = VideoSettings(bitrate_kbps=bitrate_kbps, max_fps=max_fps, scale=scale)
        await self._ws.send(encode_message(settings))

    async def send_input(self, event: InputEvent) -> None:
        assert self._ws is not None
        self._input_id = (self._input_id + 1) % 2**32
        frame = Frame(FrameType.INPUT, self._input_id, time.time_ns() // 1000, encode_input(event))
        await self._ws.send(encode_frame(frame))

    async def _ping(self, interval_s: float = 1.0) -> None:
        """Heartbeats to the agent: liveness, round trip and the clock offset."""
        assert self._ws is not None
        seq = 0
        while True:
            heartbeat = Heartbeat(seq=seq, sent_at_us=time.time_ns() // 1000)
            await self._ws.send(encode_message(heartbeat))
            seq += 1
            await asyncio.sleep(interval_s)

    async def _read(self) -> None:
        assert self._ws is not None and self._pipeline is not None
        async for data in self._ws:
            self.stats.message_received(
                len(data) if isinstance(data, bytes) else len(data.encode())
            )
            if isinstance(data, str):
                message = decode_message(data)
                if isinstance(message, HeartbeatAck):
                    received_us = time.time_ns() // 1000
                    self.stats.heartbeat_answered(
                        message.sent_at_us, message.server_time_us, received_us
                    )
                continue
            if isinstance(data, bytes):
                frame = decode_frame(data)
                if frame.type == FrameType.VIDEO:
                    self.video_frames += 1
                    self.stats.frame_received(len(frame.payload))
                    self._received_us[frame.frame_id] = time.time_ns() // 1000
                    if len(self._received_us) > 256:
                        self._received_us.pop(next(iter(self._received_us)))
                    if self._record is not None:
                        self._record.write(frame.payload)
                    self._pipeline.push(frame)

    def _picture_decoded(self, picture: Picture) -> None:
        # On the decode thread: keep only the newest, wake the loop.
        with self._latest_lock:
            self._latest = picture
            received_us = self._received_us.get(picture.frame_id, picture.decoded_us)
            self.stats.picture_decoded(picture.capture_us, received_us, picture.decoded_us)
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self._new_picture.set)

    def _keyframe_needed(self, reason: str) -> None:
        assert self._loop is not None and self._ws is not None
        ws = self._ws
        asyncio.run_coroutine_threadsafe(
            ws.send(encode_message(KeyframeRequest(reason=reason))), self._loop
        )
