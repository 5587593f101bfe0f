"""A confused or hostile agent cannot take the viewer down: garbage, input frames the
wrong way, a message that is not JSON, or one that is not sealed, end the connection
with a close code and a reason the window can show, and the decode thread stops.

The "agent" here holds the computer's key and completes the encrypted handshake: what it
sends after is authentic, only nonsense."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator

import pytest
from websockets.asyncio.server import ServerConnection, serve

from app.protocol import CloseCode, SessionAccepted, encode_message
from app.protocol.frames import Frame, FrameType, encode_frame
from app.protocol.secure import StaticKey, respond
from app.viewer.core.session import SessionGrant, ViewerSession

UNREADABLE = "The computer sent something unreadable"
ALTERED = "The session was closed: something between you and the computer altered it"
AGENT_KEY = StaticKey.generate()
#: What the agent sends, sealed (or not, with ``sealed=False``), and what the viewer says.
CASES: dict[str, tuple[str | bytes, bool, CloseCode, str]] = {
    "garbage bytes": (b"\x07garbage", True, CloseCode.INVALID_DATA, UNREADABLE),
    "not json": ("{not json", True, CloseCode.INVALID_DATA, UNREADABLE),
    "input frame to the viewer": (
        encode_frame(Frame(FrameType.INPUT, 1, 1, b"{}")),
        True,
        CloseCode.INVALID_DATA,
        UNREADABLE,
    ),
    "an unsealed frame": (
        encode_frame(Frame(FrameType.VIDEO, 1, 1, b"\x00\x00\x00\x01")),
        False,
        CloseCode.TAMPERED,
        ALTERED,
    ),
}


@pytest.fixture
async def bad_agent(request: pytest.FixtureRequest) -> AsyncIterator[str]:
    """A direct "agent" that accepts any ticket, then sends one bad message."""
    payload, sealed, _, _ = CASES[request.param]

    async def handler(ws: ServerConnection) -> None:
        await ws.recv()  # hello
        handshake = respond(AGENT_KEY, await ws.recv())
        accepted = encode_message(SessionAccepted(session_id="s1")).encode()
        answer, channel = handshake.accept(accepted)
        await ws.send(answer)
        await ws.send(channel.seal(payload) if sealed else payload)
        await ws.wait_closed()

    async with serve(handler, "127.0.0.1", 0) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        yield f"ws://127.0.0.1:{port}/session"


@pytest.mark.parametrize("bad_agent", list(CASES), indirect=True)
async def test_a_bad_agent_message_ends_the_session_with_a_reason(
    bad_agent: str, request: pytest.FixtureRequest
) -> None:
    _, _, close_code, detail = CASES[request.node.callspec.params["bad_agent"]]
    threads_before = {t.name for t in threading.enumerate()}
    grant = SessionGrant(
        "s1", "a.b.c", AGENT_KEY.public_text, StaticKey.generate(), direct_urls=(bad_agent,)
    )
    async with ViewerSession("http://127.0.0.1:9", grant) as session:
        await session.wait_state("closed", 10)
        assert session.detail.startswith(detail)
        assert session._ws is not None and session._ws.close_code == close_code
    assert "h264-decode" not in {t.name for t in threading.enumerate()} - threads_before
