"""A signed-up, subscribed account with an online computer whose agent joins sessions."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

from app.agent.link import ControlLink
from app.agent.session import AgentSessions
from tests.support.api import Api, EventStream, User
from tests.support.billing import CARD, advance, buy, wait_state


@dataclass
class Host:
    user: User
    computer_id: str
    sessions: AgentSessions


@contextlib.asynccontextmanager
async def entitled_online_host(
    api: Api,
    *,
    joins: bool = True,
    source: str = "demo",
    display_name: str | None = None,
    direct: bool = False,
) -> AsyncIterator[Host]:
    user = await entitled_user(api)
    async with online_host(
        api, user, joins=joins, source=source, display_name=display_name, direct=direct
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
) -> AsyncIterator[Host]:
    """A computer of ``user``'s, enrolled and linked to the cloud at ``api``."""
    enrolled = await api.enroll(user, "Studio")
    sessions = AgentSessions(
        api.url,
        enrolled["agent_token"],
        enrolled["computer_id"],
        enrolled["cloud_public_key"],
        source=source,
        display_name=display_name,
    )
    endpoint = await sessions.listen("127.0.0.1", 0) if direct else None
    link = ControlLink(
        api.url,
        enrolled["agent_token"],
        on_offer=sessions.offer if joins else None,
        endpoint_url=endpoint,
    )
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


async def entitled_user(api: Api) -> User:
    """A new account whose card subscription is active."""
    user = await api.sign_up()
    async with EventStream(api, user) as events:
        await buy(api, user, "month-1", CARD)
        await advance(api, 5)
        await wait_state(api, user, events, "active")
    return user


async def open_session(api: Api, host: Host) -> dict[str, str]:
    response = await api.http.post(
        "/api/v1/sessions", headers=host.user.headers, json={"computer_id": host.computer_id}
    )
    assert response.status_code == 201, response.text
    return dict(response.json())
