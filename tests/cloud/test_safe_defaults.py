"""A cloud started as a new operator would start it hands out nothing for free: the payment
sandbox is off unless asked for, operator calls need the operator's token (never a
customer's), ``cloud serve`` says which provider is on, and the database file is private."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.api import Api
from tests.support.server import OPERATOR_HEADERS, CloudProcess

OPERATOR_PATHS: tuple[tuple[str, dict[str, int]], ...] = (
    ("/sandbox/v1/bundles", {"months": 12, "count": 1}),
    ("/sandbox/v1/clock/advance", {"seconds": 60}),
    ("/sandbox/v1/renewals/run", {}),
    ("/sandbox/v1/payments/PH-AAAA-BBBB/receive", {}),
)


@pytest.fixture
def plain_cloud(tmp_path: Path) -> Iterator[CloudProcess]:
    """``porthole cloud serve`` with nothing but a database configured."""
    cloud = CloudProcess(
        {
            "PORTHOLE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'data' / 'cloud.db'}",
        },
        unset=("PORTHOLE_PAYMENT_PROVIDER", "PORTHOLE_OPERATOR_TOKEN"),
    )
    yield cloud
    cloud.stop()


async def test_a_default_cloud_mints_nothing_and_says_why(
    plain_cloud: CloudProcess, tmp_path: Path
) -> None:
    assert any("Payment provider: disabled" in line for line in plain_cloud.output)
    async with httpx.AsyncClient(base_url=plain_cloud.url, timeout=30) as anonymous:
        for path, body in OPERATOR_PATHS:
            response = await anonymous.post(path, json=body)
            assert response.status_code == 404, (path, response.text)
    async with Api(plain_cloud.url) as api:
        user = await api.sign_up()
        plans = await api.http.get("/api/v1/plans?channel=app")
        assert plans.status_code == 200
        subscription = await api.http.get("/api/v1/subscription", headers=user.headers)
        assert subscription.json()["state"] == "none"
    database = tmp_path / "data" / "cloud.db"
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    assert stat.S_IMODE(database.parent.stat().st_mode) == 0o700
    for companion in database.parent.glob("cloud.db-*"):  # SQLite's -wal and -shm
        assert stat.S_IMODE(companion.stat().st_mode) & 0o077 == 0, companion


async def test_operator_calls_need_the_operator_token(api: Api) -> None:
    user = await api.sign_up()
    async with httpx.AsyncClient(base_url=api.url, timeout=30) as customer:
        for path, body in OPERATOR_PATHS:
            for headers in (
                {},
                user.headers,
                {"X-Porthole-Operator": "guessed"},
                {"X-Porthole-Operator": user.access_token},
            ):
                refused = await customer.post(path, json=body, headers=headers)
                assert refused.status_code == 403, (path, headers, refused.text)
                assert refused.json()["error"] == "operator_only"
        minted = await customer.post(
            "/sandbox/v1/bundles", json={"months": 1}, headers=OPERATOR_HEADERS
        )
        assert minted.status_code == 200 and len(minted.json()["codes"]) == 1


async def test_a_sandbox_cloud_without_operator_token_refuses_operator_calls(
    tmp_path: Path,
) -> None:
    cloud = CloudProcess(
        {
            "PORTHOLE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cloud.db'}",
            "PORTHOLE_PAYMENT_PROVIDER": "sandbox",
        },
        unset=("PORTHOLE_OPERATOR_TOKEN",),
    )
    try:
        assert any("TEST MONEY" in line for line in cloud.output)
        async with httpx.AsyncClient(base_url=cloud.url, timeout=30) as client:
            refused = await client.post(
                "/sandbox/v1/bundles", json={"months": 1}, headers=OPERATOR_HEADERS
            )
        assert refused.status_code == 403
        assert "PORTHOLE_OPERATOR_TOKEN" in refused.json()["message"]
    finally:
        cloud.stop()
