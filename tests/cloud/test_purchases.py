"""Buying: plans per channel, idempotency, card / PayPal / bank transfer, live activation."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime
from typing import Any

from app.protocol import PurchaseChanged
from tests.support.api import Api, EventStream, User
from tests.support.billing import (
    BANK_TRANSFER,
    CARD,
    DECLINED_CARD,
    PAYPAL,
    advance,
    buy,
    purchases,
    receive,
    subscription,
    wait_state,
)


async def purchase_of(api: Api, user: User, purchase_id: str) -> dict[str, Any]:
    response = await api.http.get(f"/api/v1/purchases/{purchase_id}", headers=user.headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_plans_per_channel(api: Api) -> None:
    app_plans = (await api.http.get("/api/v1/plans", params={"channel": "app"})).json()
    web_plans = (await api.http.get("/api/v1/plans", params={"channel": "web"})).json()
    assert [p["id"] for p in app_plans] == ["month-1", "year-1"]
    assert [p["id"] for p in web_plans] == ["year-1", "year-2"]
    assert all(
        isinstance(p["price_cents"], int) and p["currency"] == "EUR" for p in app_plans + web_plans
    )
    assert [p["months"] for p in web_plans] == [12, 24]


async def test_a_plan_bought_on_the_wrong_channel_is_refused(api: Api) -> None:
    user = await api.sign_up()
    response = await buy(api, user, "year-2", channel="app")
    assert response.status_code == 422
    assert response.json()["error"] == "plan_not_offered"
    assert await purchases(api, user) == []


async def test_purchase_needs_an_idempotency_key(api: Api) -> None:
    user = await api.sign_up()
    response = await api.http.post(
        "/api/v1/purchases",
        headers=user.headers,
        json={"plan": "month-1", "channel": "app", "payment_method": CARD},
    )
    assert response.status_code == 400 and response.json()["error"] == "idempotency_key_required"


async def test_twenty_identical_purchases_at_once_charge_once(api: Api) -> None:
    user = await api.sign_up()
    key = str(uuid.uuid4())
    responses = await asyncio.gather(*(buy(api, user, key=key) for _ in range(20)))
    statuses = [r.status_code for r in responses]
    assert set(statuses) <= {201, 409}, statuses
    created = [r.json() for r in responses if r.status_code == 201]
    assert len({body["id"] for body in created}) == 1
    for conflict in (r for r in responses if r.status_code == 409):
        assert conflict.json()["error"] == "idempotency_key_in_flight"
        assert conflict.headers["Retry-After"] == "1"
    # Once finished, every repeat gets the first response.
    again = await buy(api, user, key=key)
    assert again.status_code == 201 and again.json()["id"] == created[0]["id"]
    assert len(await purchases(api, user)) == 1


async def test_double_click_50_ms_apart_charges_once(api: Api) -> None:
    user = await api.sign_up()
    key = str(uuid.uuid4())
    first = asyncio.create_task(buy(api, user, key=key))
    await asyncio.sleep(0.05)  # the user's second click, not a synchronisation
    second = await buy(api, user, key=key)
    first_response = await first
    # Under load the second click can reach the cloud first: whichever came second is
    # told the first is in flight (409), or gets the same purchase once it finished.
    answers = [first_response, second]
    assert {r.status_code for r in answers} <= {201, 409}, [r.text for r in answers]
    created = [r.json() for r in answers if r.status_code == 201]
    assert created and all(body == created[0] for body in created)
    assert len(await purchases(api, user)) == 1


async def test_same_key_with_other_parameters_is_refused(api: Api) -> None:
    user = await api.sign_up()
    key = str(uuid.uuid4())
    assert (await buy(api, user, "month-1", key=key)).status_code == 201
    other = await buy(api, user, "year-1", key=key)
    assert other.status_code == 422
    assert other.json()["error"] == "idempotency_error"
    assert len(await purchases(api, user)) == 1


async def test_card_confirms_and_the_subscription_goes_active_live(api: Api) -> None:
    user = await api.sign_up()
    async with EventStream(api, user) as events:
        bought = await buy(api, user, "year-1", CARD)
        assert bought.status_code == 201
        body = bought.json()
        assert body["state"] == "pending" and body["method_label"] == "Visa •••• 4242"
        assert "few minutes" in body["next_step"]

        pending = await subscription(api, user)
        assert pending["state"] == "pending_payment"
        assert pending["pending"]["method"] == "card" and pending["pending"]["since"]

        await advance(api, 5)  # the sandbox card delay passes
        active = await wait_state(api, user, events, "active")
        assert active["plan"] == "year-1" and active["auto_renew"] is True
        assert active["payment_method"] == "Visa •••• 4242"
        assert active["computers_limit"] == 5 and active["computers_used"] == 0
        end = datetime.fromisoformat(active["current_period_end"])
        assert (end - datetime.fromisoformat(body["created_at"])).days in (365, 366)
    [receipt] = await purchases(api, user)
    assert receipt["state"] == "confirmed" and receipt["period_end"] == active["current_period_end"]


async def test_declined_card(api: Api) -> None:
    user = await api.sign_up()
    bought = await buy(api, user, "month-1", DECLINED_CARD)
    assert bought.status_code == 201
    assert bought.json()["state"] == "failed"
    assert bought.json()["failure_message"] == "Your card was declined."
    assert (await subscription(api, user))["state"] == "none"


async def test_invalid_card_number(api: Api) -> None:
    user = await api.sign_up()
    bad = await buy(api, user, "month-1", {**CARD, "number": "4242 4242 4242 4241"})
    assert bad.status_code == 422 and bad.json()["error"] == "payment_method_invalid"


async def test_bank_transfer_underpaid_then_topped_up(api: Api) -> None:
    user = await api.sign_up()
    async with EventStream(api, user) as events:
        bought = (await buy(api, user, "year-1", BANK_TRANSFER, channel="web")).json()
        price = bought["amount_cents"]
        assert bought["payment_instructions"]["reference"] == bought["reference"]
        assert bought["payment_instructions"]["amount_cents"] == price

        await receive(api, bought["reference"], 1000)
        async with asyncio.timeout(10):
            # Woken by each live purchase event until the partial payment shows.
            while (partly := await purchase_of(api, user, bought["id"]))["received_cents"] != 1000:
                changed = await events.wait_for(10, type="purchase.changed")
                assert isinstance(changed, PurchaseChanged) and changed.state == "pending"
        assert partly["state"] == "pending" and partly["amount_due_cents"] == price - 1000
        status = await subscription(api, user)
        assert status["state"] == "pending_payment"
        assert status["pending"]["amount_due_cents"] == price - 1000
        assert "money arrives" in status["message"]

        await receive(api, bought["reference"], price - 1000 + 250)  # a little too much
        active = await wait_state(api, user, events, "active")
        assert active["auto_renew"] is False  # a transfer cannot renew by itself
    [receipt] = await purchases(api, user)
    assert receipt["state"] == "confirmed" and receipt["overpaid_cents"] == 250


async def test_paypal_stays_pending_until_received(api: Api) -> None:
    user = await api.sign_up()
    async with EventStream(api, user) as events:
        bought = (await buy(api, user, "year-2", PAYPAL, channel="web")).json()
        await advance(api, 600)  # nothing happens by itself
        assert (await subscription(api, user))["state"] == "pending_payment"
        await receive(api, bought["reference"])
        active = await wait_state(api, user, events, "active")
        assert active["plan"] == "year-2" and active["auto_renew"] is True


async def test_buying_while_active_extends_from_the_period_end(api: Api) -> None:
    user = await api.sign_up()
    async with EventStream(api, user) as events:
        await buy(api, user, "month-1")
        await advance(api, 5)
        first = await wait_state(api, user, events, "active")
        await buy(api, user, "year-1")
        await advance(api, 5)
        async with asyncio.timeout(10):
            while (status := await subscription(api, user))["plan"] != "year-1":
                await events.wait_for(10, type="subscription.changed")
    start = datetime.fromisoformat(first["current_period_end"])
    extended = datetime.fromisoformat(status["current_period_end"])
    assert 364 <= (extended - start).days <= 366


async def test_purchases_of_another_account_are_not_found(api: Api) -> None:
    owner = await api.sign_up()
    other = await api.sign_up()
    bought = (await buy(api, owner)).json()
    response = await api.http.get(f"/api/v1/purchases/{bought['id']}", headers=other.headers)
    assert response.status_code == 404
    assert await purchases(api, other) == []


async def test_idempotency_keys_are_kept_at_least_a_day(api: Api) -> None:
    user = await api.sign_up()
    key = str(uuid.uuid4())
    first = await buy(api, user, key=key)
    await advance(api, 25 * 3600)
    user = await api.sign_in(user.email)
    replay = await buy(api, user, key=key)
    assert replay.status_code == 201 and replay.json()["id"] == first.json()["id"]
    # Long after (48 h), the key is forgotten and may start a new purchase.
    await advance(api, 24 * 3600)
    user = await api.sign_in(user.email)
    fresh = await buy(api, user, key=key)
    assert fresh.status_code == 201 and fresh.json()["id"] != first.json()["id"]
