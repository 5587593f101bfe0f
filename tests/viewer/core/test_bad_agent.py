"""A confused or hostile agent cannot take the viewer down: garbage, an oversized
frame, input frames the wrong way, or a message that is not JSON end the connection
with a close code and a reason the window can show, and the decode thread stops."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator

import pytest
from websockets.asyncio.server import ServerConnection, serve

from app.protocol import CloseCode, SessionAccepted, encode_message
from app.protocol.frames import Frame, FrameType, encode_frame
from app.viewer.core.session import ViewerSession

CASES: dict[str, tuple[str | bytes, CloseCode]] = {
    "garbage bytes": (b"\x07garbage", CloseCode.INVALID_DATA),
    "not json": ("{not json", CloseCode.INVALID_DATA),
    "input frame to the viewer": (
        encode_frame(Frame(FrameType.INPUT, 1, 1, b"{}")),
        CloseCode.INVALID_DATA,
    ),
}


@pytest.fixture
async def bad_agent(request: pytest.FixtureRequest) -> AsyncIterator[str]:
    """A direct "agent" that accepts any ticket, then sends one bad message."""
    payload, _ = CASES[request.param]

    async def handler(ws: ServerConnection) -> None:
        await ws.recv()  # hello
        await ws.recv()  # session.start
        await ws.send(encode_message(SessionAccepted(session_id="s1")))
        await ws.send(payload)
        await ws.wait_closed()

    async with serve(handler, "127.0.0.1", 0) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        yield f"ws://127.0.0.1:{port}/session"


@pytest.mark.parametrize("bad_agent", list(CASES), indirect=True)
async def test_a_bad_agent_message_ends_the_session_with_a_reason(
    bad_agent: str, request: pytest.FixtureRequest
) -> None:
    _, close_code = CASES[request.node.callspec.params["bad_agent"]]
    threads_before = {t.name for t in threading.enumerate()}
    async with ViewerSession(
        "http://127.0.0.1:9", "s1", "a.b.c", direct_urls=[bad_agent]
    ) as session:
        await session.wait_state("closed", 10)
        assert session.detail.startswith("The computer sent something unreadable")
        assert session._ws is not None and session._ws.close_code == close_code
    assert "h264-decode" not in {t.name for t in threading.enumerate()} - threads_before
