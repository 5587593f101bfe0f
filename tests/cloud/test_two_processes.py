"""Two cloud processes on one PostgreSQL database: the renewal job run in both at once
still charges a subscription once per period."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import pytest

from tests.support.api import Api, EventStream
from tests.support.billing import CARD, buy, purchases, wait_state
from tests.support.postgres import PostgresServer
from tests.support.server import CloudProcess

DAY = 24 * 3600


@pytest.fixture
def two_clouds(postgres: PostgresServer | None) -> Iterator[tuple[CloudProcess, CloudProcess]]:
    if postgres is None:
        pytest.skip("no PostgreSQL server")
    name = f"t_{uuid.uuid4().hex[:16]}"
    postgres.psql(f"CREATE DATABASE {name}")
    env = {
        "PORTHOLE_DATABASE_URL": postgres.url(name),
        "PORTHOLE_LOG_LEVEL": "warning",
        "PORTHOLE_SANDBOX_CARD_DELAY_S": "0",
        "PORTHOLE_ARGON2_TIME_COST": "1",
    }
    # Started together: they also race to migrate the empty database.
    first, second = CloudProcess(env), CloudProcess(env)
    yield first, second
    first.stop()
    second.stop()
    postgres.psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


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
