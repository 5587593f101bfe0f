"""Provider events: signature on the raw body, dedup by id, never backwards."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import Any

from app.cloud.payments.signatures import sign
from tests.conftest import WEBHOOK_SECRET
from tests.support.api import Api, EventStream, User
from tests.support.billing import BANK_TRANSFER, buy, purchases, subscription, wait_state


def event(
    kind: str, purchase: dict[str, Any], received: int | None = None, event_id: str | None = None
) -> bytes:
    return json.dumps(
        {
            "id": event_id or f"evt_{uuid.uuid4().hex}",
            "type": kind,
            "created": int(time.time()),
            "data": {
                "payment_id": f"sbx_pay_{purchase['id']}",
                "purchase_id": purchase["id"],
                "amount_cents": purchase["amount_cents"],
                "received_cents": purchase["amount_cents"] if received is None else received,
                "currency": purchase["currency"],
            },
        }
    ).encode()


async def deliver(
    api: Api, body: bytes, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None
) -> int:
    signature = sign(secret.encode(), body, timestamp or int(time.time()))
    response = await api.http.post(
        "/api/v1/payments/events",
        content=body,
        headers={"Stripe-Signature": signature, "Content-Type": "application/json"},
    )
    return response.status_code


async def pending_transfer(api: Api) -> tuple[User, dict[str, Any]]:
    user = await api.sign_up()
    bought = await buy(api, user, "year-1", BANK_TRANSFER, channel="web")
    return user, bought.json()


async def test_forged_events_change_nothing(api: Api) -> None:
    user, purchase = await pending_transfer(api)
    body = event("payment.succeeded", purchase)
    tampered = body.replace(b'"received_cents": ', b'"received_cents": 1')
    assert await deliver(api, body, secret="whsec_wrong") == 400
    stale = int(time.time()) - 3600
    assert await deliver(api, body, timestamp=stale) == 400
    signature = sign(WEBHOOK_SECRET.encode(), body, int(time.time()))
    response = await api.http.post(
        "/api/v1/payments/events", content=tampered, headers={"Stripe-Signature": signature}
    )
    assert response.status_code == 400 and response.json()["error"] == "invalid_signature"
    missing = await api.http.post("/api/v1/payments/events", content=body)
    assert missing.status_code == 400
    assert (await subscription(api, user))["state"] == "pending_payment"
    assert (await purchases(api, user))[0]["state"] == "pending"


async def test_replayed_events_apply_once(api: Api) -> None:
    user, purchase = await pending_transfer(api)
    body = event("payment.succeeded", purchase)
    async with EventStream(api, user) as events:
        assert await deliver(api, body) == 200
        first = await wait_state(api, user, events, "active")
    for _ in range(5):
        assert await deliver(api, body) == 200
    statuses = await asyncio.gather(*(deliver(api, body) for _ in range(5)))
    assert statuses == [200] * 5
    # Also the same payment told again under new event ids: still one period.
    await asyncio.gather(*(deliver(api, event("payment.succeeded", purchase)) for _ in range(5)))
    assert (await subscription(api, user))["current_period_end"] == first["current_period_end"]
    assert [p["state"] for p in await purchases(api, user)] == ["confirmed"]


async def test_out_of_order_events_never_move_backwards(api: Api) -> None:
    user, purchase = await pending_transfer(api)
    price = purchase["amount_cents"]
    async with EventStream(api, user) as events:
        assert await deliver(api, event("payment.succeeded", purchase)) == 200
        await wait_state(api, user, events, "active")
    # Late news: a partial receipt and a failure, both older than the success.
    assert (
        await deliver(api, event("payment.partially_received", purchase, received=price // 2))
        == 200
    )
    assert await deliver(api, event("payment.failed", purchase)) == 200
    [receipt] = await purchases(api, user)
    assert receipt["state"] == "confirmed" and receipt["received_cents"] == price
    assert (await subscription(api, user))["state"] == "active"


async def test_an_underpaid_success_does_not_activate(api: Api) -> None:
    user, purchase = await pending_transfer(api)
    async with EventStream(api, user) as events:
        assert await deliver(api, event("payment.succeeded", purchase, received=100)) == 200
        await events.wait_for(10, type="purchase.changed", purchase_id=purchase["id"])
    [receipt] = await purchases(api, user)
    assert receipt["state"] == "pending" and receipt["received_cents"] == 100
    assert receipt["amount_due_cents"] == purchase["amount_cents"] - 100
    assert (await subscription(api, user))["state"] == "pending_payment"


async def test_malformed_event_bodies(api: Api) -> None:
    for body in (b"not json", b"[]", b'{"id": 1, "type": "x", "data": {}}'):
        assert await deliver(api, body) == 400
