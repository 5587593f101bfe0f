"""Sessions through the relay: the agent joins when offered, answers the viewer's encrypted
handshake and checks its ticket end to end, and sealed messages flow both ways; bad
tickets and lonely halves are closed clearly."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from app.cloud.settings import Settings
from app.protocol import (
    CloseCode,
    ErrorMessage,
    Heartbeat,
    HeartbeatAck,
    Message,
    ScreenList,
    VideoTiming,
    decode_message,
    encode_message,
)
from app.protocol.frames import Frame, FrameType, encode_frame
from app.protocol.secure import StaticKey
from app.sealed import SealedConnection
from app.viewer.core.session import SessionGrant
from tests.conftest import fast_settings
from tests.support.api import Api
from tests.support.billing import advance
from tests.support.sessions import (
    entitled_online_host,
    open_session,
    relay_viewer,
    send_handshake,
    start_encrypted,
)


@pytest.fixture
def settings(database_url: str) -> Settings:
    # Short relay timers, so lonely and idle halves are seen closing within the test.
    return fast_settings(database_url, relay_pair_timeout_s=1.0, relay_idle_s=2.0)


async def viewer(api: Api, grant: SessionGrant, token: str | None = None) -> ClientConnection:
    return await relay_viewer(api, grant, token)


async def next_message(ws: ClientConnection | SealedConnection) -> Message:
    """The next control message; the video frames streaming meanwhile are skipped."""
    async with asyncio.timeout(10):
        while isinstance(data := await ws.recv(), bytes):
            pass
    return decode_message(data)


async def closed_with(
    ws: ClientConnection | SealedConnection,
) -> tuple[int | None, ErrorMessage | None]:
    error = None
    with contextlib.suppress(ConnectionClosed):
        async with asyncio.timeout(10):
            while True:
                message = await next_message(ws)
                if isinstance(message, ErrorMessage):
                    error = message
    return ws.close_code, error


async def test_a_session_through_the_relay(api: Api) -> None:
    async with entitled_online_host(api) as host:
        granted = await open_session(api, host)
        ws = await start_encrypted(await viewer(api, granted), granted)
        try:
            screens = await next_message(ws)  # then which monitor is shown
            assert isinstance(screens, ScreenList) and screens.current == "demo"
            for seq in range(3):
                await ws.send(encode_message(Heartbeat(seq=seq, sent_at_us=seq)))
                # The video's timing reports (text too) may come first: skip them.
                ack = await next_message(ws)
                for _ in range(100):
                    if not isinstance(ack, VideoTiming):
                        break
                    ack = await next_message(ws)
                assert isinstance(ack, HeartbeatAck) and ack.seq == seq
        finally:
            await ws.close()
        assert host.sessions.accepted == 1


async def test_the_agent_refuses_a_ticket_for_another_session(api: Api) -> None:
    async with entitled_online_host(api) as host:
        key = StaticKey.generate()  # one viewer, two sessions
        first = await open_session(api, host, key)
        second = await open_session(api, host, key)
        # Admitted by the relay with the second session's ticket, but showing the agent the
        # first one's: the agent checks the ticket itself.
        ws = await viewer(api, second)
        await send_handshake(ws, second, ticket=first.ticket)
        code, error = await closed_with(ws)
        assert error is not None and error.code == "ticket_refused"
        assert code in (CloseCode.UNAUTHORIZED, CloseCode.GOING_AWAY)
        assert host.sessions.accepted == 0


@pytest.mark.parametrize("tamper", ["forged", "other_session"])
async def test_the_relay_refuses_bad_tickets(api: Api, tamper: str) -> None:
    async with entitled_online_host(api) as host:
        granted = await open_session(api, host)
        ticket = granted.ticket
        if tamper == "forged":
            head, payload, signature = ticket.split(".")
            ticket = f"{head}.{payload}.{signature[::-1]}"
        if tamper == "other_session":
            granted = SessionGrant(
                "another-session", ticket, granted.agent_public_key, granted.viewer_key
            )
        ws = await viewer(api, granted, ticket)
        code, error = await closed_with(ws)
        assert code == CloseCode.UNAUTHORIZED
        assert error is not None and error.code == "ticket_refused"


async def test_a_second_viewer_with_the_same_ticket_is_refused(api: Api) -> None:
    async with entitled_online_host(api) as host:
        granted = await open_session(api, host)
        first = await start_encrypted(await viewer(api, granted), granted)
        try:
            second = await viewer(api, granted)
            code, _ = await closed_with(second)
            assert code in (CloseCode.REPLACED, CloseCode.NOT_FOUND)
        finally:
            await first.close()


async def test_an_expired_ticket_is_refused(api: Api) -> None:
    async with entitled_online_host(api) as host:
        granted = await open_session(api, host)
        await advance(api, 61)
        ws = await viewer(api, granted)
        code, error = await closed_with(ws)
        assert code == CloseCode.UNAUTHORIZED and error is not None and "expired" in error.message


async def test_a_lonely_half_is_closed(api: Api) -> None:
    async with entitled_online_host(api, joins=False) as host:
        granted = await open_session(api, host)
        ws = await viewer(api, granted)
        code, error = await closed_with(ws)
        assert code == CloseCode.TIMEOUT and error is not None and error.code == "peer_missing"


async def test_an_idle_session_is_closed(api: Api) -> None:
    async with entitled_online_host(api) as host:
        granted = await open_session(api, host)
        ws = await start_encrypted(await viewer(api, granted), granted)
        code, _ = await closed_with(ws)  # then silence on both sides
        assert code == CloseCode.TIMEOUT


@pytest.mark.parametrize(
    ("payload", "error"),
    [
        (b"\x09garbage-not-a-frame", "malformed_frame"),  # wrong frame version
        (encode_frame(Frame(FrameType.VIDEO, 1, 0, b"\x00\x00\x00\x01")), "malformed_frame"),
        (
            encode_frame(Frame(FrameType.INPUT, 1, 0, b'{"k":"click","x":9,"y":0}')),
            "malformed_frame",
        ),
    ],
    ids=["not-a-frame", "video-from-viewer", "input-out-of-range"],
)
async def test_bad_frames_from_a_viewer_end_the_session_clearly(
    api: Api, payload: bytes, error: str
) -> None:
    async with entitled_online_host(api) as host:
        granted = await open_session(api, host)
        ws = await start_encrypted(await viewer(api, granted), granted)
        await ws.send(payload)
        code, reported = await closed_with(ws)
        assert reported is not None and reported.code == error and reported.message
        assert code in (CloseCode.INVALID_DATA, CloseCode.GOING_AWAY)
        # The agent is fine: the next session works.
        again = await open_session(api, host)
        second = await start_encrypted(await viewer(api, again), again)
        await second.close()
