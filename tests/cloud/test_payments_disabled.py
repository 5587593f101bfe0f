"""A production setting turns the sandbox and /sandbox/v1 off."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from app.cloud.clock import OffsetClock
from tests.conftest import fast_settings
from tests.support.api import Api
from tests.support.billing import buy
from tests.support.server import CloudThread


@pytest.fixture
async def api_without_payments(database_url: str, clock: OffsetClock) -> AsyncIterator[Api]:
    cloud = CloudThread(fast_settings(database_url, payment_provider="disabled"), clock).start()
    try:
        async with Api(cloud.url) as api:
            yield api
    finally:
        cloud.stop()


async def test_no_sandbox_and_purchases_refused_clearly(api_without_payments: Api) -> None:
    api = api_without_payments
    for path in ("/sandbox/v1/clock/advance", "/sandbox/v1/renewals/run"):
        assert (await api.http.post(path, json={"seconds": 1})).status_code == 404
    user = await api.sign_up()
    refused = await buy(api, user)
    assert refused.status_code == 503
    assert refused.json()["error"] == "payments_unavailable"
    assert "Nothing was charged" in refused.json()["message"]
    listed = await api.http.get("/api/v1/purchases", headers=user.headers)
    assert listed.json() == []
