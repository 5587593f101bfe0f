"""Sessions through the relay: the agent joins when offered, checks the viewer's ticket end
to end, and bytes flow both ways; bad tickets and lonely halves are closed clearly."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from app.agent.link import ControlLink
from app.agent.session import AgentSessions
from app.cloud.settings import Settings
from app.protocol import (
    PROTOCOL_VERSION,
    CloseCode,
    ErrorMessage,
    Heartbeat,
    HeartbeatAck,
    Hello,
    SessionAccepted,
    SessionStart,
    decode_message,
    encode_message,
)
from tests.conftest import fast_settings
from tests.support.api import Api, EventStream, User
from tests.support.billing import CARD, advance, buy, wait_state


@dataclass
class Host:
    user: User
    computer_id: str
    sessions: AgentSessions


@pytest.fixture
def settings(database_url: str) -> Settings:
    # Short relay timers, so lonely and idle halves are seen closing within the test.
    return fast_settings(database_url, relay_pair_timeout_s=1.0, relay_idle_s=2.0)


@contextlib.asynccontextmanager
async def entitled_online_host(api: Api, *, joins: bool = True) -> AsyncIterator[Host]:
    user = await api.sign_up()
    enrolled = await api.enroll(user, "Studio")
    async with EventStream(api, user) as events:
        await buy(api, user, "month-1", CARD)
        await advance(api, 5)
        await wait_state(api, user, events, "active")
    sessions = AgentSessions(
        api.url, enrolled["agent_token"], enrolled["computer_id"], enrolled["cloud_public_key"]
    )
    link = ControlLink(api.url, enrolled["agent_token"], on_offer=sessions.offer if joins else None)
    task = asyncio.create_task(link.run_forever())
    try:
        async with asyncio.timeout(10):
            await link.connected.wait()
        yield Host(user, enrolled["computer_id"], sessions)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await sessions.close()


async def open_session(api: Api, host: Host) -> dict[str, str]:
    response = await api.http.post(
        "/api/v1/sessions", headers=host.user.headers, json={"computer_id": host.computer_id}
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def viewer(api: Api, session_id: str, ticket: str) -> ClientConnection:
    ws = await connect(api.ws_url(f"/api/v1/relay/{session_id}"), open_timeout=10)
    await ws.send(encode_message(Hello(version=PROTOCOL_VERSION, role="viewer", token=ticket)))
    return ws


async def closed_with(ws: ClientConnection) -> tuple[int | None, ErrorMessage | None]:
    error = None
    with contextlib.suppress(ConnectionClosed):
        async with asyncio.timeout(10):
            while True:
                message = decode_message(await ws.recv())
                if isinstance(message, ErrorMessage):
                    error = message
    return ws.close_code, error


async def test_a_session_through_the_relay(api: Api) -> None:
    async with entitled_online_host(api) as host:
        granted = await open_session(api, host)
        ws = await viewer(api, granted["session_id"], granted["ticket"])
        try:
            await ws.send(encode_message(SessionStart(ticket=granted["ticket"])))
            async with asyncio.timeout(10):
                accepted = decode_message(await ws.recv())
            assert (
                isinstance(accepted, SessionAccepted)
                and accepted.session_id == granted["session_id"]
            )
            for seq in range(3):
                await ws.send(encode_message(Heartbeat(seq=seq, sent_at_us=seq)))
                async with asyncio.timeout(10):
                    ack = decode_message(await ws.recv())
                assert isinstance(ack, HeartbeatAck) and ack.seq == seq
        finally:
            await ws.close()
        assert host.sessions.accepted == 1


async def test_the_agent_refuses_a_ticket_for_another_session(api: Api) -> None:
    async with entitled_online_host(api) as host:
        first = await open_session(api, host)
        second = await open_session(api, host)
        # Admitted by the relay with the second session's ticket, but showing the agent the
        # first one's: the agent checks the ticket itself.
        ws = await viewer(api, second["session_id"], second["ticket"])
        await ws.send(encode_message(SessionStart(ticket=first["ticket"])))
        code, error = await closed_with(ws)
        assert error is not None and error.code == "ticket_refused"
        assert code in (CloseCode.UNAUTHORIZED, CloseCode.GOING_AWAY)
        assert host.sessions.accepted == 0


@pytest.mark.parametrize("tamper", ["forged", "other_session"])
async def test_the_relay_refuses_bad_tickets(api: Api, tamper: str) -> None:
    async with entitled_online_host(api) as host:
        granted = await open_session(api, host)
        ticket = granted["ticket"]
        if tamper == "forged":
            head, payload, signature = ticket.split(".")
            ticket = f"{head}.{payload}.{signature[::-1]}"
        session_id = granted["session_id"] if tamper == "forged" else "another-session"
        ws = await viewer(api, session_id, ticket)
        code, error = await closed_with(ws)
        assert code == CloseCode.UNAUTHORIZED
        assert error is not None and error.code == "ticket_refused"


async def test_a_second_viewer_with_the_same_ticket_is_refused(api: Api) -> None:
    async with entitled_online_host(api) as host:
        granted = await open_session(api, host)
        first = await viewer(api, granted["session_id"], granted["ticket"])
        try:
            await first.send(encode_message(SessionStart(ticket=granted["ticket"])))
            async with asyncio.timeout(10):
                assert isinstance(decode_message(await first.recv()), SessionAccepted)
            second = await viewer(api, granted["session_id"], granted["ticket"])
            code, _ = await closed_with(second)
            assert code in (CloseCode.REPLACED, CloseCode.NOT_FOUND)
        finally:
            await first.close()


async def test_an_expired_ticket_is_refused(api: Api) -> None:
    async with entitled_online_host(api) as host:
        granted = await open_session(api, host)
        await advance(api, 61)
        ws = await viewer(api, granted["session_id"], granted["ticket"])
        code, error = await closed_with(ws)
        assert code == CloseCode.UNAUTHORIZED and error is not None and "expired" in error.message


async def test_a_lonely_half_is_closed(api: Api) -> None:
    async with entitled_online_host(api, joins=False) as host:
        granted = await open_session(api, host)
        ws = await viewer(api, granted["session_id"], granted["ticket"])
        code, error = await closed_with(ws)
        assert code == CloseCode.TIMEOUT and error is not None and error.code == "peer_missing"


async def test_an_idle_session_is_closed(api: Api) -> None:
    async with entitled_online_host(api) as host:
        granted = await open_session(api, host)
        ws = await viewer(api, granted["session_id"], granted["ticket"])
        await ws.send(encode_message(SessionStart(ticket=granted["ticket"])))
        async with asyncio.timeout(10):
            assert isinstance(decode_message(await ws.recv()), SessionAccepted)
        code, _ = await closed_with(ws)  # then silence on both sides
        assert code == CloseCode.TIMEOUT
