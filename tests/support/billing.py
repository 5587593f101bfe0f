"""Helpers for billing tests: buying, paying, moving the sandbox clock."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx

from tests.support.api import Api, EventStream, User

CARD = {
    "type": "card",
    "number": "4242 4242 4242 4242",
    "exp_month": 12,
    "exp_year": 2030,
    "cvc": "123",
}
DECLINED_CARD = {**CARD, "number": "4000 0000 0000 0002"}
RENEWAL_DECLINED_CARD = {**CARD, "number": "4000 0000 0000 0341"}
PAYPAL = {"type": "paypal", "email": "payer@example.com"}
BANK_TRANSFER = {"type": "bank_transfer"}


async def buy(
    api: Api,
    user: User,
    plan: str = "month-1",
    method: dict[str, Any] = CARD,
    *,
    channel: str = "app",
    key: str | None = None,
) -> httpx.Response:
    return await api.http.post(
        "/api/v1/purchases",
        headers={**user.headers, "Idempotency-Key": key or str(uuid.uuid4())},
        json={"plan": plan, "channel": channel, "payment_method": method},
    )


async def subscription(api: Api, user: User) -> dict[str, Any]:
    response = await api.http.get("/api/v1/subscription", headers=user.headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def purchases(api: Api, user: User) -> list[dict[str, Any]]:
    response = await api.http.get("/api/v1/purchases", headers=user.headers)
    assert response.status_code == 200, response.text
    return list(response.json())


async def advance(api: Api, seconds: float) -> None:
    response = await api.http.post("/sandbox/v1/clock/advance", json={"seconds": seconds})
    assert response.status_code == 200, response.text


async def receive(api: Api, reference: str, amount_cents: int | None = None) -> dict[str, Any]:
    response = await api.http.post(
        f"/sandbox/v1/payments/{reference}/receive", json={"amount_cents": amount_cents}
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


async def run_renewals(api: Api) -> dict[str, Any]:
    response = await api.http.post("/sandbox/v1/renewals/run")
    assert response.status_code == 200, response.text
    return dict(response.json())


async def wait_state(
    api: Api, user: User, events: EventStream, state: str, timeout_s: float = 10
) -> dict[str, Any]:
    """The subscription once it reaches ``state``, waking on the live events the cloud pushes."""
    async with asyncio.timeout(timeout_s):
        while (current := await subscription(api, user))["state"] != state:
            await events.wait_for(timeout_s, type="subscription.changed")
        return current
