"""The live event feed against the real cloud: an agent coming online shows up as a
presence event; after the connection is dropped, or goes silent, the feed comes back by
itself and keeps delivering; an expired access token is refreshed on the way; an ended
sign-in stops the feed with the reason."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable
from datetime import timedelta

import pytest

from app.agent.link import ControlLink
from app.cloud.clock import OffsetClock
from app.protocol import ComputerAdded, ComputerPresence, ComputerRenamed
from app.viewer.core.backoff import Backoff
from app.viewer.core.cloud import CloudClient
from app.viewer.core.errors import SessionExpired
from app.viewer.core.events import EventFeed, FeedItem, Resync
from app.viewer.core.records import Tokens
from tests.support.api import Api
from tests.support.proxy import DroppingProxy
from tests.support.viewer_cloud import signed_up

on_sqlite = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
QUICK = Backoff(first_s=0.05, cap_s=0.2)


async def enroll(api: Api, client: CloudClient, name: str) -> dict[str, str]:
    code = await client.enrollment_code()
    enrolled = await api.http.post(
        "/api/v1/agents", json={"enrollment_code": code.code, "name": name, "os": "Linux"}
    )
    assert enrolled.status_code == 201, enrolled.text
    return dict(enrolled.json())


@contextlib.asynccontextmanager
async def agent_online(api: Api, agent_token: str) -> AsyncIterator[None]:
    link = ControlLink(api.url, agent_token)
    task = asyncio.create_task(link.run_forever())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def port_of(api: Api) -> int:
    return int(api.url.rsplit(":", 1)[1])


async def wait_for(item: Awaitable[FeedItem], timeout_s: float = 10) -> FeedItem:
    async with asyncio.timeout(timeout_s):
        return await item


async def next_event(feed: EventFeed, timeout_s: float = 10) -> FeedItem:
    """The next item that is not a Resync."""
    while isinstance(item := await feed.next(timeout_s), Resync):
        pass
    return item


@on_sqlite
async def test_an_agent_coming_online_shows_up_live(api: Api) -> None:
    states: list[str] = []
    async with (
        signed_up(api.url) as client,
        EventFeed(client, on_state=lambda state, _: states.append(state)) as feed,
    ):
        assert await feed.next(10) == Resync(1)  # live: load the lists now
        enrolled = await enroll(api, client, "Den")
        added = await feed.next(10)
        assert added == ComputerAdded(
            computer_id=enrolled["computer_id"], name="Den", os="Linux", online=False
        )
        async with agent_online(api, enrolled["agent_token"]):
            online = await feed.next(10)
            assert isinstance(online, ComputerPresence) and online.online
            assert online.computer_id == enrolled["computer_id"]
        offline = await feed.next(10)
        assert isinstance(offline, ComputerPresence) and not offline.online
    assert states == ["live", "closed"]
    assert feed.state == "closed" and feed.error is None
    # Closed cleanly: iteration ends, no error.
    assert [item async for item in feed] == []


@on_sqlite
async def test_a_dropped_connection_comes_back_and_keeps_delivering(api: Api) -> None:
    async with (
        DroppingProxy(port_of(api)) as proxy,
        signed_up(proxy.url) as client,
    ):
        enrolled = await enroll(api, client, "Den")
        delivered: asyncio.Queue[FeedItem] = asyncio.Queue()
        states: list[str] = []
        async with EventFeed(
            client,
            on_event=delivered.put_nowait,  # the callback flavour, as a Qt slot would use
            on_state=lambda state, _: states.append(state),
            backoff=QUICK,
        ) as feed:
            assert await wait_for(delivered.get()) == Resync(1)
            proxy.drop()
            # Events may have been missed while away: the feed says to reload.
            assert await wait_for(delivered.get()) == Resync(2)
            assert states == ["live", "reconnecting", "live"] and feed.connections == 2
            await client.rename_computer(enrolled["computer_id"], "Study")
            assert await wait_for(delivered.get()) == ComputerRenamed(
                computer_id=enrolled["computer_id"], name="Study"
            )


@on_sqlite
async def test_a_silent_path_is_noticed_by_pings_and_replaced(api: Api) -> None:
    async with (
        DroppingProxy(port_of(api)) as proxy,
        signed_up(proxy.url) as client,
    ):
        enrolled = await enroll(api, client, "Den")
        async with EventFeed(client, backoff=QUICK, keepalive_s=0.3) as feed:
            assert await feed.next(10) == Resync(1)
            proxy.silence()  # no FIN, no RST: only missing pongs tell
            assert await feed.next(10) == Resync(2)
            async with agent_online(api, enrolled["agent_token"]):
                online = await next_event(feed)
                assert isinstance(online, ComputerPresence) and online.online


@on_sqlite
async def test_an_expired_access_token_is_refreshed_when_reconnecting(
    api: Api, clock: OffsetClock
) -> None:
    seen: list[Tokens | None] = []
    async with (
        DroppingProxy(port_of(api)) as proxy,
        signed_up(proxy.url, on_tokens=seen.append) as client,
    ):
        enrolled = await enroll(api, client, "Den")
        async with EventFeed(client, backoff=QUICK) as feed:
            assert await feed.next(10) == Resync(1)
            clock.advance(timedelta(hours=1))
            proxy.drop()
            # The cloud refuses the old token (4401); the feed refreshes and is back.
            assert await feed.next(10) == Resync(2)
            assert len(seen) == 2
            async with agent_online(api, enrolled["agent_token"]):
                online = await next_event(feed)
                assert isinstance(online, ComputerPresence) and online.online


@on_sqlite
async def test_an_ended_sign_in_stops_the_feed_with_the_reason(api: Api) -> None:
    async with (
        DroppingProxy(port_of(api)) as proxy,
        signed_up(proxy.url) as client,
        EventFeed(client, backoff=QUICK) as feed,
    ):
        assert await feed.next(10) == Resync(1)
        # Signed out on another device with this sign-in: the cloud ends it.
        ended = await api.http.post(
            "/api/v1/auth/logout",
            headers={"Authorization": f"Bearer {await client.access_token()}"},
        )
        assert ended.status_code == 204
        proxy.drop()
        with pytest.raises(SessionExpired) as expired:
            await feed.next(10)
        assert expired.value.message == "This sign-in has ended. Sign in again."
        assert feed.state == "closed" and feed.error is expired.value
        assert feed.detail == "This sign-in has ended. Sign in again."
