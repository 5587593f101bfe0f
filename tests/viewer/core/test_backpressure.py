"""A viewer that stops reading: the agent holds back the video instead of buffering it,
keeps applying input, sends the screen as it is now when the viewer reads again, and
ends the session with a clear close code if the viewer never does."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from urllib.parse import urlsplit

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed
from websockets.protocol import State as ConnectionState

import app.agent.session as agent_session
from app import __version__
from app.agent.capture.demo import DemoScreen
from app.protocol import (
    PROTOCOL_VERSION,
    CloseCode,
    Hello,
    KeyframeRequest,
    VideoSettings,
    encode_message,
)
from app.protocol.frames import Frame, FrameType, decode_frame, encode_frame
from app.protocol.input import InputEvent, encode_input
from app.sealed import SealedConnection
from tests.support.api import Api
from tests.support.sessions import entitled_online_host, open_session, start_encrypted
from tests.support.waiting import eventually

on_sqlite = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def click_frame(n: int) -> bytes:
    event = InputEvent("click", 0.5 + (n % 40) * 0.01, 0.6)
    return encode_frame(Frame(FrameType.INPUT, n, 0, encode_input(event)))


@on_sqlite
async def test_a_viewer_that_stops_reading(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(agent_session, "STALL_LIMIT_S", 3.0)
    async with entitled_online_host(api, direct=True) as host:
        granted = await open_session(api, host)
        url = granted.direct_urls[0]
        where = urlsplit(url)
        # A small receive window, so "not reading" pushes back on the agent quickly.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 * 1024)
        sock.connect((where.hostname, where.port))
        async with connect(url, sock=sock, max_queue=2, compression=None, max_size=2**24) as ws:
            hello = Hello(version=PROTOCOL_VERSION, role="viewer", token="-", client=__version__)
            await ws.send(encode_message(hello))
            sealed = await start_encrypted(ws, granted)
            # The desktop opens off the loop once the session is accepted.
            await eventually(lambda: len(host.sessions.live) == 1, 10, "the desktop open")
            [live] = host.sessions.live
            screen = live.desktop.screen
            # Small socket buffers on both ends: what a slow link looks like, quickly.
            agent_socket = ws_of(host).transport.get_extra_info("socket")
            agent_socket.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 16 * 1024)
            assert isinstance(screen, DemoScreen)
            # A viewer on a fast link: 50 Mbit/s, so a frame held back for more than a few
            # tens of milliseconds is late for it.
            encoder = live.stream.encoder
            await sealed.send(encode_message(VideoSettings(bitrate_kbps=50_000, max_fps=60)))
            await eventually(lambda: live.stream.encoder is not encoder, 10, "new settings")

            # Stop reading, and keep asking for keyframes (the largest frames), one after
            # another, until the agent can send no more.
            await press_until_held_back(sealed, host)
            for _ in range(50):  # more while held back: folded into one
                await sealed.send(encode_message(KeyframeRequest(reason="pressure")))
            held_at = live.stream.frames_sent
            backlog = agent_session._backlog(ws_of(host))
            assert backlog < 2 * 1024 * 1024, f"{backlog} bytes buffered for a stalled viewer"
            budget = live.stream.encoder.budget

            # The viewer stays away for a third of a second (the scenario's own timing: what a
            # slow link does), while the agent's send waits.
            stalled = time.monotonic()
            await eventually(
                lambda: time.monotonic() - stalled > 0.33 and held_back(host), 10, "a stall"
            )

            # Input still applies while video is held back.
            clicks_before = len(screen.clicks)
            for n in range(5):
                await sealed.send(click_frame(n))
            await eventually(lambda: len(screen.clicks) == clicks_before + 5, 10, "input")

            # Reading again: frames flow, and soon one shows the screen after those clicks.
            clicked_us = time.time_ns() // 1000
            async with asyncio.timeout(10):
                while True:
                    data = await sealed.recv()
                    if isinstance(data, bytes) and decode_frame(data).capture_us >= clicked_us:
                        break
            assert live.stream.frames_sent <= held_at + 3, "requests folded while held back"
            # The frame held back went out late: motion gets less bitrate from then on (and
            # quality gives way at once).
            assert budget.bitrate_kbps < budget.cap_kbps and budget.crf > budget.base_crf

            # Reading and keeping up: the bitrate climbs back to what the viewer asked for.
            budget.recover_s = 0.05  # a step every 50 ms instead of 2 s, to be brief
            lowered = budget.bitrate_kbps

            async def read_and_click() -> None:
                for n in range(1000):
                    await sealed.send(click_frame(n))  # something changes: frames flow
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(0.05):
                            while True:
                                await sealed.recv()
                    if budget.bitrate_kbps == budget.cap_kbps:
                        return

            async with asyncio.timeout(30):
                await read_and_click()
            assert lowered < budget.bitrate_kbps == budget.cap_kbps

            # Never reading again: the agent gives up after STALL_LIMIT_S with 4408.
            agent_ws = ws_of(host).ws
            await press_until_held_back(sealed, host)
            await eventually(
                lambda: agent_ws.state is ConnectionState.CLOSING, 15, "the agent to give up"
            )
            with pytest.raises(ConnectionClosed):
                for _ in range(100_000):  # drain what was sent before the close
                    await ws.recv()
            assert ws.close_code == CloseCode.TIMEOUT
            assert ws.close_reason == "The viewer stopped reading."
        await eventually(lambda: not host.sessions.live, 10, "the session to be released")


async def press_until_held_back(ws: SealedConnection, host: object) -> None:
    """Keyframe requests one after another, each waited for, until the agent's send to
    this viewer (which reads nothing) is held back."""
    [live] = host.sessions.live  # type: ignore[attr-defined]
    for _ in range(5000):
        if held_back(host):
            return
        sent = live.stream.frames_sent
        await ws.send(encode_message(KeyframeRequest(reason="pressure")))
        await eventually(
            lambda: live.stream.frames_sent > sent or held_back(host),  # noqa: B023
            10,
            "a keyframe or back-pressure",
        )
    assert held_back(host), "5000 keyframes and the agent was never held back"


def held_back(host: object) -> bool:
    """The agent's send is waiting: its connection paused writing once more than
    websockets' write limit (32 KiB) was unsent, and has not drained to its low mark
    since. (Counting the unsent bytes instead failed a run in a few: the kernel's socket
    buffers may take some while the send still waits.)"""
    return bool(ws_of(host).ws.paused)


def ws_of(host: object) -> SealedConnection:
    [live] = host.sessions.live  # type: ignore[attr-defined]
    return live.stream._ws  # type: ignore[no-any-return]
