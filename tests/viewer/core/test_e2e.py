"""End-to-end encryption with the real agent and the real viewer core: a relay (here one
run by the test, where the cloud sends both halves, as a hostile operator's would be)
forwards nothing it can read, a relay that flips one byte ends the session for good, and
a man in the middle on the direct path, with keys of its own, is refused."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field, replace

import pytest
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from app.agent.capture.demo import DemoScreen
from app.cloud.settings import Settings
from app.protocol import (
    CloseCode,
    HandshakeFailed,
    Hello,
    SessionAccepted,
    decode_message,
    encode_message,
)
from app.protocol.input import InputEvent
from app.protocol.secure import Initiator, StaticKey, respond
from app.viewer.core.session import SessionEnded, SessionGrant, ViewerSession
from tests.conftest import fast_settings
from tests.support.api import Api
from tests.support.sessions import entitled_online_host, open_session
from tests.support.waiting import eventually

on_sqlite = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
SECRET_TEXT = "correct horse battery staple"


@dataclass
class HostileRelay:
    """Pairs a session's two halves like the cloud's relay, and keeps what it forwards.
    ``flip_at``: flip one byte of that agent → viewer message (counted from 0)."""

    sock: socket.socket
    flip_at: int | None = None
    forwarded: list[tuple[str, str | bytes]] = field(default_factory=list)
    _halves: dict[str, dict[str, ServerConnection]] = field(default_factory=dict)
    _paired: dict[str, asyncio.Event] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    async def handle(self, ws: ServerConnection) -> None:
        assert ws.request is not None
        session_id = ws.request.path.rsplit("/", 1)[-1]
        # Each half's hello is for the relay, as at the cloud's.
        hello = decode_message(await ws.recv())
        assert isinstance(hello, Hello)
        role = hello.role
        halves = self._halves.setdefault(session_id, {})
        halves[role] = ws
        paired = self._paired.setdefault(session_id, asyncio.Event())
        if len(halves) == 2:
            paired.set()
        async with asyncio.timeout(20):
            await paired.wait()
        other = halves["agent" if role == "viewer" else "viewer"]
        from_agent = 0
        with contextlib.suppress(ConnectionClosed):
            async for data in ws:
                self.forwarded.append((role, data))
                if role == "agent" and isinstance(data, bytes):
                    if from_agent == self.flip_at:
                        flipped = bytearray(data)
                        flipped[len(flipped) // 2] ^= 0x10
                        data = bytes(flipped)
                    from_agent += 1
                await other.send(data)
        with contextlib.suppress(ConnectionClosed):
            await other.close()


@pytest.fixture
def relay_socket() -> Iterator[socket.socket]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    yield sock
    sock.close()


@pytest.fixture
def settings(database_url: str, relay_socket: socket.socket) -> Settings:
    # The cloud names this relay to both halves (as a deployment's relay address).
    port = relay_socket.getsockname()[1]
    return fast_settings(database_url, relay_public_url=f"http://127.0.0.1:{port}")


@pytest.fixture
async def relay(relay_socket: socket.socket) -> AsyncIterator[HostileRelay]:
    hostile = HostileRelay(relay_socket)
    async with serve(hostile.handle, sock=relay_socket, max_size=2**24, compression=None):
        yield hostile


@on_sqlite
async def test_the_relay_forwards_only_ciphertext(api: Api, relay: HostileRelay) -> None:
    async with entitled_online_host(api) as host:
        granted = await open_session(api, host)
        assert (granted.relay_url or "").startswith(relay.url.replace("http", "ws"))
        stream = io.BytesIO()
        async with ViewerSession(api.url, granted, record=stream) as session:
            assert session.path == "relay"
            await session.next_picture(timeout_s=20)
            await session.send_input(InputEvent("text", 0.5, 0.5, text=SECRET_TEXT))
            await session.send_input(InputEvent("click", 0.7, 0.55))
            await session.next_picture(timeout_s=10)
            await eventually(lambda: session.stats.heartbeats > 0, 10, "a heartbeat answered")
            [live] = host.sessions.live
            screen = live.desktop.screen
            assert isinstance(screen, DemoScreen)
            await eventually(lambda: screen.text.endswith(SECRET_TEXT), 10, "the typing")
    h264 = stream.getvalue()
    assert h264.startswith(b"\x00\x00\x00\x01")  # the viewer did get plain H.264…
    sps = h264[:24]  # start code, SPS: a fingerprint of this very stream
    roles = {role for role, _ in relay.forwarded}
    assert roles == {"viewer", "agent"} and len(relay.forwarded) > 10
    for role, data in relay.forwarded:  # …and the relay saw none of it
        assert isinstance(data, bytes), f"the {role} sent text through the relay: {data!r}"
        assert sps not in data
        assert SECRET_TEXT.encode() not in data
        # No message in the clear: none parses as JSON (a ciphertext may start with "{",
        # one in 256 does, so the first byte alone would not say).
        assert b'"type"' not in data and not parses_as_json(data)
        assert granted.ticket.encode() not in data  # the ticket rides inside message 1


@on_sqlite
async def test_a_relay_that_flips_one_byte_ends_the_session(api: Api, relay: HostileRelay) -> None:
    relay.flip_at = 6  # after the handshake, in the middle of the video
    renewals = 0

    async with entitled_online_host(api) as host:
        granted = await open_session(api, host)

        async def renew() -> SessionGrant:
            nonlocal renewals
            renewals += 1
            return await open_session(api, host)

        async with ViewerSession(api.url, granted, renew=renew) as session:
            await session.wait_state("closed", 20)
            assert session.detail.startswith(
                "The session was closed: something between you and the computer altered it"
            )
            assert session._ws is not None and session._ws.close_code == CloseCode.TAMPERED
        await eventually(lambda: not host.sessions.live, 10, "the agent to end it too")
    assert renewals == 0, "no reconnecting into the hands that altered the session"


@on_sqlite
async def test_a_man_in_the_middle_on_the_direct_path_is_refused(
    api: Api, relay: HostileRelay
) -> None:
    impostor = StaticKey.generate()
    read_the_ticket: list[bool] = []

    async def middle(ws: ServerConnection) -> None:
        await ws.recv()  # the viewer's hello: no ticket in it on the direct path
        first = await ws.recv()
        try:
            respond(impostor, first)
        except HandshakeFailed:
            read_the_ticket.append(False)  # encrypted to the real computer's key
        # Answer as itself, the best a proxy with its own keys can do.
        toward_itself = Initiator(StaticKey.generate(), impostor.public_text, b"")
        own = respond(impostor, toward_itself.first_message)
        answer, _ = own.accept(encode_message(SessionAccepted(session_id="x")).encode())
        await ws.send(answer)
        await ws.wait_closed()

    async with (
        serve(middle, "127.0.0.1", 0) as proxy,
        entitled_online_host(api) as host,
    ):
        port = next(iter(proxy.sockets)).getsockname()[1]
        granted = await open_session(api, host)
        intercepted = replace(granted, direct_urls=(f"ws://127.0.0.1:{port}/session",))
        with pytest.raises(SessionEnded, match="could not prove its identity"):
            async with ViewerSession(api.url, intercepted):
                pass
        assert read_the_ticket == [False]
        # The same grant's session is not spent: the real computer accepts another.
        async with ViewerSession(api.url, await open_session(api, host)) as session:
            await session.next_picture(timeout_s=20)


def parses_as_json(data: bytes) -> bool:
    try:
        json.loads(data)
    except ValueError:
        return False
    return True
