"""A signed-up, subscribed account with an online computer whose agent joins sessions."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from websockets.asyncio.client import ClientConnection, connect

from app.agent.approval import AutoApprove, HostUI, Indicator, Visitor
from app.agent.link import ControlLink
from app.agent.session import AgentSessions
from app.protocol import SessionAccepted, decode_message, encode_message, our_hello
from app.protocol.secure import Initiator, StaticKey
from app.sealed import SealedConnection
from app.tls import websocket_tls
from app.viewer.core.grants import grant_from_response, session_request
from app.viewer.core.session import SessionGrant
from tests.support.api import Api, EventStream, User
from tests.support.billing import CARD, advance, buy, wait_state
from tests.support.waiting import eventually_async


@dataclass
class Host:
    user: User
    computer_id: str
    sessions: AgentSessions
    agent_token: str


@contextlib.asynccontextmanager
async def entitled_online_host(
    api: Api,
    *,
    joins: bool = True,
    source: str = "demo",
    display_name: str | None = None,
    direct: bool = False,
    host_ui: HostUI | None = None,
    home: Path | None = None,
    sound: bool | None = None,
) -> AsyncIterator[Host]:
    user = await entitled_user(api)
    async with online_host(
        api,
        user,
        joins=joins,
        source=source,
        display_name=display_name,
        direct=direct,
        host_ui=host_ui,
        home=home,
        sound=sound,
    ) as host:
        yield host


@contextlib.asynccontextmanager
async def online_host(
    api: Api,
    user: User,
    *,
    joins: bool = True,
    source: str = "demo",
    display_name: str | None = None,
    direct: bool = False,
    host_ui: HostUI | None = None,
    home: Path | None = None,
    sound: bool | None = None,
) -> AsyncIterator[Host]:
    """A computer of ``user``'s, enrolled and linked to the cloud at ``api``; nobody is
    asked before sessions unless ``host_ui`` says how. Sessions reach the files of
    ``home`` (by default a fresh empty folder: never the home of whoever runs the tests)."""
    enrolled = await api.enroll(user, "Studio")
    own_home = None if home else Path(tempfile.mkdtemp(prefix="porthole-test-home-"))
    sessions = AgentSessions(
        api.url,
        enrolled["agent_token"],
        enrolled["computer_id"],
        enrolled["cloud_public_key"],
        cloud_key_id=enrolled["cloud_key_id"],
        session_key=enrolled["session_key"],
        source=source,
        display_name=display_name,
        host_ui=host_ui,
        home=home or own_home,
        sound=sound,
    )
    endpoint = await sessions.listen("127.0.0.1", 0) if direct else None
    link = ControlLink(
        api.url,
        enrolled["agent_token"],
        on_offer=sessions.offer if joins else None,
        endpoint_url=endpoint,
        on_ticket_keys=sessions.learn_ticket_keys,
    )
    sessions.on_report = link.report
    # The key was registered at enrolment (api.enroll): the link need not announce it.
    task = asyncio.create_task(link.run_forever())
    try:
        async with asyncio.timeout(10):
            await link.connected.wait()
        yield Host(user, enrolled["computer_id"], sessions, enrolled["agent_token"])
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await sessions.close()
        if own_home is not None:
            shutil.rmtree(own_home, ignore_errors=True)


async def entitled_user(api: Api) -> User:
    """A new account whose card subscription is active."""
    user = await api.sign_up()
    async with EventStream(api, user) as events:
        await buy(api, user, "month-1", CARD)
        await advance(api, 5)
        await wait_state(api, user, events, "active")
    return user


async def open_session(api: Api, host: Host, viewer_key: StaticKey | None = None) -> SessionGrant:
    """A session grant for a viewer with ``viewer_key`` (a new key when None)."""
    key = viewer_key or StaticKey.generate()
    response = await api.http.post(
        "/api/v1/sessions",
        headers=host.user.headers,
        json=session_request(host.computer_id, key),
    )
    assert response.status_code == 201, response.text
    return grant_from_response(response, key)


async def relay_viewer(api: Api, grant: SessionGrant, token: str | None = None) -> ClientConnection:
    """A hand-driven viewer at the relay, admitted with ``token`` (the grant's ticket)."""
    url = api.ws_url(f"/api/v1/relay/{grant.session_id}")
    ws = await connect(url, open_timeout=10, **websocket_tls(url))
    await ws.send(encode_message(our_hello("viewer", token or grant.ticket)))
    return ws


async def send_handshake(
    ws: ClientConnection, grant: SessionGrant, ticket: str | None = None
) -> Initiator:
    """Message 1 of the encrypted handshake, carrying ``ticket`` (the grant's)."""
    handshake = Initiator(
        grant.viewer_key, grant.agent_public_key, (ticket or grant.ticket).encode()
    )
    await ws.send(handshake.first_message)
    return handshake


async def start_encrypted(ws: ClientConnection, grant: SessionGrant) -> SealedConnection:
    """The whole handshake, by hand: the agent's answer must open and accept the session."""
    handshake = await send_handshake(ws, grant)
    async with asyncio.timeout(10):
        answer = await ws.recv()
    assert isinstance(answer, bytes), answer
    payload, channel = handshake.finish(answer)
    accepted = decode_message(payload.decode())
    assert isinstance(accepted, SessionAccepted) and accepted.session_id == grant.session_id
    return SealedConnection(ws, channel)


async def session_logged(api: Api, user: User, outcome: str) -> None:
    """Until the account's newest session-log entry has this outcome (``declined``,
    ``ended``, ``ended_by_host``, ``running``)."""

    async def latest_is() -> bool:
        answer = await api.http.get("/api/v1/sessions/history", headers=user.headers)
        return bool(answer.json()[0]["outcome"] == outcome)

    await eventually_async(latest_is, 20, f"the session log to say {outcome}")


class AskedHost:
    """The agent's own prompt (``--approve ask``), answered by the test for the person at
    the computer (the real prompt is the subject of tests/agent/test_approval.py)."""

    def __init__(self) -> None:
        self.asked = asyncio.Event()
        #: Set when the question was taken back before anybody answered.
        self.withdrawn = asyncio.Event()
        self.answer: asyncio.Future[bool] = asyncio.get_running_loop().create_future()

    async def ask(self, visitor: Visitor) -> bool:
        self.asked.set()
        try:
            return await self.answer
        except asyncio.CancelledError:
            self.withdrawn.set()
            raise

    async def show_indicator(self, visitor: Visitor) -> Indicator:
        return await AutoApprove().show_indicator(visitor)
