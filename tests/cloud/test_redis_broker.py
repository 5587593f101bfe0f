"""The Redis broker against a real redis-server: two brokers stand for two cloud
processes; the server is stopped and started again to play an outage."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
import redis.asyncio as redis
from pydantic import SecretStr
from websockets.exceptions import ConnectionClosed

from app.cloud.broker import Subscription
from app.cloud.clock import OffsetClock
from app.cloud.redis_broker import BrokerUnavailable, RedisBroker
from app.cloud.settings import Settings
from app.protocol import CloseCode, ErrorMessage
from tests.support.api import Api, EventStream
from tests.support.redis_server import RedisServer
from tests.support.server import CloudThread

TIMEOUT_S = 10
T = TypeVar("T")


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path).start()
    yield server
    server.stop()


@pytest.fixture
async def brokers(redis_server: RedisServer) -> AsyncIterator[tuple[RedisBroker, RedisBroker]]:
    first, second = RedisBroker(redis_server.url), RedisBroker(redis_server.url)
    await first.start()
    await second.start()
    yield first, second
    await first.close()
    await second.close()


async def next_payload(subscription: Subscription) -> str | None:
    async with asyncio.timeout(TIMEOUT_S):
        return await subscription.get()


async def test_a_publish_reaches_listeners_in_every_process(
    brokers: tuple[RedisBroker, RedisBroker],
) -> None:
    first, second = brokers
    here = await first.subscribe("account:a")
    there = await second.subscribe("account:a")
    elsewhere = await second.subscribe("account:b")
    # subscribe() returned: Redis confirmed, so a publish right away is not missed.
    assert await first.publish("account:a", '{"n": 1}')
    assert await next_payload(here) == '{"n": 1}'
    assert await next_payload(there) == '{"n": 1}'
    assert await second.publish("account:b", '{"n": 2}')
    assert await next_payload(elsewhere) == '{"n": 2}'  # and nothing of account:a came
    assert elsewhere._queue.empty()


async def test_the_last_listener_leaving_unsubscribes_the_process(
    brokers: tuple[RedisBroker, RedisBroker], redis_server: RedisServer
) -> None:
    first, second = brokers
    one, two = await first.subscribe("computer:c"), await first.subscribe("computer:c")
    first.unsubscribe(one)
    assert await second.publish("computer:c", "still")
    assert await next_payload(two) == "still"
    first.unsubscribe(two)

    client = redis.Redis.from_url(redis_server.url)
    try:
        for _ in range(1000):  # the UNSUBSCRIBE goes out in the background
            if (await client.pubsub_numsub("computer:c"))[0][1] == 0:
                break
            await asyncio.sleep(0.01)
        else:
            pytest.fail("the process is still subscribed with no listener left")
    finally:
        await client.aclose()


async def test_an_outage_ends_listeners_and_the_broker_comes_back(
    brokers: tuple[RedisBroker, RedisBroker], redis_server: RedisServer
) -> None:
    first, second = brokers
    listening = await first.subscribe("account:a")
    redis_server.stop()
    # The listener is told it missed events (its client reconnects and reloads)...
    assert await next_payload(listening) is None
    # ...publishing says it failed rather than pretending, and new listeners are refused
    # with an error their endpoint turns into "try again".
    assert not await second.publish("account:a", "lost")
    with pytest.raises(BrokerUnavailable):
        await first.subscribe("account:a")
    first.unsubscribe(listening)

    redis_server.start()
    again = await when_back(lambda: first.subscribe("account:a"))
    assert await when_back(lambda: second.publish("account:a", "back"))
    assert await next_payload(again) == "back"


async def when_back(attempt: Callable[[], Awaitable[T]]) -> T:
    """The first success of an attempt retried while the broker reconnects (backoff)."""
    for _ in range(600):
        try:
            result = await attempt()
        except BrokerUnavailable:
            result = None
        if result:
            return result
        await asyncio.sleep(0.05)
    pytest.fail("the broker did not come back within 30 s")


async def test_no_redis_at_start_up_is_a_clear_error(tmp_path: Path) -> None:
    server = RedisServer(tmp_path)  # a free port, nothing started on it
    broker = RedisBroker(server.url)
    with pytest.raises(BrokerUnavailable, match="cannot reach Redis"):
        await broker.start()
    await broker.close()


async def test_a_cloud_whose_redis_goes_away_says_try_again_and_recovers(
    redis_server: RedisServer, settings: Settings, clock: OffsetClock
) -> None:
    cloud = CloudThread(
        settings.model_copy(update={"broker_url": SecretStr(redis_server.url)}), clock
    ).start()
    try:
        async with Api(cloud.url) as api:
            user = await api.sign_up()
            async with EventStream(api, user) as events:
                redis_server.stop()
                said = await events.next(timeout_s=TIMEOUT_S)
                assert isinstance(said, ErrorMessage) and said.code == "events_interrupted"
                assert "message broker" in said.message
                with pytest.raises(ConnectionClosed) as closed:
                    await events.next(timeout_s=TIMEOUT_S)
            assert closed.value.rcvd is not None
            assert closed.value.rcvd.code == CloseCode.TRY_AGAIN_LATER
            assert "message broker" in closed.value.rcvd.reason
            # Nothing is lost meanwhile: the database still answers.
            assert await api.computers(user) == []

            redis_server.start()

            async def listening_again() -> EventStream | None:
                stream = EventStream(api, user)
                try:
                    return await stream.__aenter__()
                except (ConnectionClosed, AssertionError):
                    return None  # refused with "try again" while the broker reconnects

            stream = await when_back(listening_again)
            assert stream is not None
            try:
                await api.enroll(user, "After the outage")
                added = await stream.wait_for(TIMEOUT_S, type="computer.added")
                assert getattr(added, "name", None) == "After the outage"
            finally:
                await stream.__aexit__(None, None, None)
    finally:
        cloud.stop()
