"""Two cloud processes on one PostgreSQL database: the renewal job run in both at once
still charges a subscription once per period; with Redis between them, presence, events
and sessions cross from one process to the other."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.viewer.core.session import ViewerSession
from tests.support.api import Api, EventStream
from tests.support.billing import CARD, buy, purchases, wait_state
from tests.support.ports import free_port
from tests.support.postgres import PostgresServer
from tests.support.redis_server import RedisServer
from tests.support.server import CloudProcess
from tests.support.sessions import entitled_user, online_host, open_session

DAY = 24 * 3600


@pytest.fixture
def shared_database(postgres: PostgresServer | None) -> Iterator[dict[str, str]]:
    """The environment of cloud processes sharing one new PostgreSQL database."""
    if postgres is None:
        pytest.skip("no PostgreSQL server")
    name = f"t_{uuid.uuid4().hex[:16]}"
    postgres.psql(f"CREATE DATABASE {name}")
    yield {
        "PORTHOLE_DATABASE_URL": postgres.url(name),
        "PORTHOLE_LOG_LEVEL": "warning",
        "PORTHOLE_SANDBOX_CARD_DELAY_S": "0",
        "PORTHOLE_ARGON2_TIME_COST": "1",
    }
    postgres.psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def two_clouds(shared_database: dict[str, str]) -> Iterator[tuple[CloudProcess, CloudProcess]]:
    # Started together: they also race to migrate the empty database.
    first, second = CloudProcess(shared_database), CloudProcess(shared_database)
    yield first, second
    first.stop()
    second.stop()


@pytest.mark.postgres
async def test_renewal_jobs_in_two_processes_charge_once(
    two_clouds: tuple[CloudProcess, CloudProcess],
) -> None:
    first, second = two_clouds
    async with Api(first.url) as one, Api(second.url) as two:
        user = await one.sign_up()
        async with EventStream(one, user) as events:
            assert (await buy(one, user, "month-1", CARD)).status_code == 201
            await wait_state(one, user, events, "active", timeout_s=20)
        for api in (one, two):
            await api.http.post("/sandbox/v1/clock/advance", json={"seconds": 32 * DAY})
        runs = [api.http.post("/sandbox/v1/renewals/run") for _ in range(4) for api in (one, two)]
        reports = [response.json() for response in await asyncio.gather(*runs)]
        assert sum(report["charged"] for report in reports) == 1, reports
        user = await two.sign_in(user.email)
        assert [p["kind"] for p in await purchases(two, user)].count("renewal") == 1


@pytest.fixture
def two_clouds_with_redis(
    shared_database: dict[str, str], tmp_path: Path
) -> Iterator[tuple[CloudProcess, CloudProcess]]:
    """Two cloud processes sharing one database and one Redis, each with its own relay
    address, as behind a load balancer."""
    redis_server = RedisServer(tmp_path).start()
    env = {**shared_database, "PORTHOLE_BROKER_URL": redis_server.url}
    ports = free_port(), free_port()
    first, second = (
        CloudProcess({**env, "PORTHOLE_RELAY_PUBLIC_URL": f"http://127.0.0.1:{port}"}, port=port)
        for port in ports
    )
    yield first, second
    first.stop()
    second.stop()
    redis_server.stop()


@pytest.mark.postgres
async def test_presence_events_and_sessions_cross_processes_through_redis(
    two_clouds_with_redis: tuple[CloudProcess, CloudProcess],
) -> None:
    """The viewer talks to one process, the computer's link is held by the other."""
    first, second = two_clouds_with_redis
    async with Api(first.url) as viewer_side, Api(second.url) as agent_side:
        user = await entitled_user(viewer_side)
        async with EventStream(viewer_side, user) as events:
            async with online_host(agent_side, user) as host:
                await events.wait_for(
                    10, type="computer.presence", computer_id=host.computer_id, online=True
                )
                granted = await open_session(viewer_side, host)
                # Both halves meet at the relay of the process that granted the session.
                assert (granted.relay_url or "").startswith(f"ws://127.0.0.1:{first.port}/")
                async with ViewerSession(first.url, granted) as session:
                    picture = await session.next_picture(timeout_s=20)
                    assert picture.image.shape[:2] == (720, 1280)
                    assert session.path == "relay"
            # The link closed on the second process: the first one's listener hears it.
            await events.wait_for(
                10, type="computer.presence", computer_id=host.computer_id, online=False
            )
