"""Auto-renewal, Manage → auto-renewal, grace, bundles and refunds, with a travelling clock."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from app.cloud.domain.billing.periods import add_months
from tests.support.api import Api, EventStream, User
from tests.support.billing import (
    CARD,
    RENEWAL_DECLINED_CARD,
    advance,
    buy,
    purchases,
    run_renewals,
    subscription,
    wait_state,
)

DAY = 24 * 3600


async def active_monthly(
    api: Api, card: dict[str, object] = CARD
) -> tuple[User, dict[str, object]]:
    user = await api.sign_up()
    async with EventStream(api, user) as events:
        assert (await buy(api, user, "month-1", card)).status_code == 201
        await advance(api, 5)
        return user, await wait_state(api, user, events, "active")


async def travel(api: Api, user: User, seconds: float) -> User:
    """Move the sandbox clock; sign in again, as access tokens do not survive the trip."""
    await advance(api, seconds)
    return await api.sign_in(user.email)


async def test_renewal_job_run_many_times_charges_once(api: Api) -> None:
    user, first = await active_monthly(api)
    user = await travel(api, user, 32 * DAY)
    reports = [await run_renewals(api) for _ in range(3)]
    reports += await asyncio.gather(*(run_renewals(api) for _ in range(3)))
    assert sum(report["charged"] for report in reports) == 1
    renewals = [p for p in await purchases(api, user) if p["kind"] == "renewal"]
    assert len(renewals) == 1
    assert (await subscription(api, user))["state"] == "active"  # renewing meanwhile

    async with EventStream(api, user) as events:
        await advance(api, 5)
        await events.wait_for(10, type="purchase.changed", state="confirmed")
    renewed = await subscription(api, user)
    assert renewed["state"] == "active"
    initial = next(p for p in await purchases(api, user) if p["kind"] == "initial")
    anchor = datetime.fromisoformat(initial["period_start"])
    assert datetime.fromisoformat(str(first["current_period_end"])) == add_months(anchor, 1)
    # The renewal continues from the anchor, not from "now": two months after it.
    assert datetime.fromisoformat(renewed["current_period_end"]) == add_months(anchor, 2)


async def test_disable_auto_renewal_keeps_access_then_expires(api: Api) -> None:
    user, _ = await active_monthly(api)
    managed = await api.http.put(
        "/api/v1/subscription/auto-renew", headers=user.headers, json={"enabled": False}
    )
    assert managed.status_code == 200
    assert managed.json()["auto_renew"] is False and managed.json()["state"] == "active"
    assert "auto-renewal is off" in managed.json()["message"]

    user = await travel(api, user, 20 * DAY)
    assert (await subscription(api, user))["state"] == "active"  # access to the period end
    user = await travel(api, user, 12 * DAY)
    report = await run_renewals(api)
    assert report["charged"] == 0
    status = await subscription(api, user)
    assert status["state"] == "expired"
    assert [p["kind"] for p in await purchases(api, user)] == ["initial"]


async def test_enabling_again_before_the_end_resumes_renewal(api: Api) -> None:
    user, _ = await active_monthly(api)
    for enabled in (False, True):
        response = await api.http.put(
            "/api/v1/subscription/auto-renew", headers=user.headers, json={"enabled": enabled}
        )
        assert response.json()["auto_renew"] is enabled
    user = await travel(api, user, 32 * DAY)
    assert (await run_renewals(api))["charged"] == 1


async def test_declined_renewal_grace_then_recovery(api: Api) -> None:
    user, _ = await active_monthly(api, RENEWAL_DECLINED_CARD)
    user = await travel(api, user, 32 * DAY)
    report = await run_renewals(api)
    assert report["declined"] == 1
    grace = await subscription(api, user)
    assert grace["state"] == "grace" and grace["grace_until"]
    assert "update your payment method" in grace["message"]

    # The person puts in a working card: the retry is due at once and succeeds.
    updated = await api.http.put(
        "/api/v1/subscription/payment-method", headers=user.headers, json={"payment_method": CARD}
    )
    assert updated.status_code == 200
    assert (await run_renewals(api))["charged"] == 1
    async with EventStream(api, user) as events:
        await advance(api, 5)
        recovered = await wait_state(api, user, events, "active")
    assert recovered["grace_until"] is None


async def test_declined_renewal_grace_then_expiry(api: Api) -> None:
    user, _ = await active_monthly(api, RENEWAL_DECLINED_CARD)
    user = await travel(api, user, 32 * DAY)
    await run_renewals(api)
    assert (await subscription(api, user))["state"] == "grace"
    user = await travel(api, user, 2 * DAY)
    assert (await run_renewals(api))["declined"] == 1  # the daily retry, declined again
    user = await travel(api, user, 8 * DAY)
    await run_renewals(api)
    status = await subscription(api, user)
    assert status["state"] == "expired"


async def test_bundle_codes(api: Api) -> None:
    codes = (await api.http.post("/sandbox/v1/bundles", json={"months": 12, "count": 2})).json()[
        "codes"
    ]
    user = await api.sign_up()
    redeemed = await api.http.post(
        "/api/v1/bundles/redeem", headers=user.headers, json={"code": codes[0].lower()}
    )
    assert redeemed.status_code == 200
    status = redeemed.json()
    assert status["state"] == "bundled" and status["auto_renew"] is False
    again = await api.http.post(
        "/api/v1/bundles/redeem", headers=(await api.sign_up()).headers, json={"code": codes[0]}
    )
    assert again.status_code == 422 and again.json()["error"] == "invalid_bundle_code"
    manage = await api.http.put(
        "/api/v1/subscription/auto-renew", headers=user.headers, json={"enabled": True}
    )
    assert manage.status_code == 409 and manage.json()["error"] == "bundled"

    user = await travel(api, user, 370 * DAY)
    await run_renewals(api)
    assert (await subscription(api, user))["state"] == "expired"
    assert await purchases(api, user) == []  # never charged


async def test_refund_removes_access_at_once(api: Api) -> None:
    user, _ = await active_monthly(api)
    [purchase] = await purchases(api, user)
    async with EventStream(api, user) as events:
        assert (
            await api.http.post(f"/sandbox/v1/purchases/{purchase['id']}/refund")
        ).status_code == 200
        status = await wait_state(api, user, events, "expired")
    assert status["ended_reason"] == "refunded"
    assert (await purchases(api, user))[0]["state"] == "refunded"


@pytest.mark.parametrize(
    ("anchor", "expected_days"),
    [
        (
            datetime(2027, 1, 31, 9, 0, tzinfo=UTC),
            [28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31, 31, 29, 31, 30],
        ),
        (datetime(2027, 3, 15, 9, 0, tzinfo=UTC), [15] * 15),
    ],
)
def test_month_end_anchor_over_26_months(anchor: datetime, expected_days: list[int]) -> None:
    ends = [add_months(anchor, n) for n in range(1, 27)]
    assert [end.day for end in ends[: len(expected_days)]] == expected_days
    assert all(end.hour == 9 for end in ends)
    # The anchor is never lost: a 31st comes back after every short month.
    if anchor.day == 31:
        assert [end.day for end in ends if end.month in (1, 3, 5, 7, 8, 10, 12)] == [31] * len(
            [end for end in ends if end.month in (1, 3, 5, 7, 8, 10, 12)]
        )
    assert ends[-1] == anchor.replace(year=anchor.year + 2, month=anchor.month + 2)
