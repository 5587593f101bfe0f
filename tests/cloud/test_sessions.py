"""Opening a session: ownership, then entitlement (402), then presence (409)."""

from __future__ import annotations

import asyncio
import base64
import contextlib

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from app.agent.link import ControlLink
from tests.support.api import Api, EventStream
from tests.support.billing import CARD, advance, buy, wait_state


async def test_no_subscription_is_402_with_a_clear_message(api: Api) -> None:
    user = await api.sign_up()
    computer_id = (await api.enroll(user))["computer_id"]
    response = await api.http.post(
        "/api/v1/sessions", headers=user.headers, json={"computer_id": computer_id}
    )
    assert response.status_code == 402
    assert response.json()["error"] == "subscription_required"
    assert "subscription" in response.json()["message"]
    # Another account's computer is not found, whatever that account pays.
    other = await api.sign_up()
    foreign = await api.http.post(
        "/api/v1/sessions", headers=other.headers, json={"computer_id": computer_id}
    )
    assert foreign.status_code == 404


async def test_entitled_account_gets_a_ticket_the_agent_can_check(api: Api) -> None:
    user = await api.sign_up()
    enrolled = await api.enroll(user, "Studio")
    async with EventStream(api, user) as events:
        await buy(api, user, "month-1", CARD)
        await advance(api, 5)
        await wait_state(api, user, events, "active")

    offline = await api.http.post(
        "/api/v1/sessions", headers=user.headers, json={"computer_id": enrolled["computer_id"]}
    )
    assert offline.status_code == 409 and offline.json()["error"] == "computer_offline"
    assert "'Studio' is offline" in offline.json()["message"]

    link = ControlLink(api.url, enrolled["agent_token"])
    task = asyncio.create_task(link.run_forever())
    try:
        async with asyncio.timeout(10):
            await link.connected.wait()
        granted = await api.http.post(
            "/api/v1/sessions", headers=user.headers, json={"computer_id": enrolled["computer_id"]}
        )
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    assert granted.status_code == 201
    raw_key = enrolled["cloud_public_key"].removeprefix("ed25519:")
    public_key = Ed25519PublicKey.from_public_bytes(
        base64.urlsafe_b64decode(raw_key + "=" * (-len(raw_key) % 4))
    )
    claims = jwt.decode(
        granted.json()["ticket"],
        public_key,
        algorithms=["EdDSA"],
        options={"verify_exp": False, "verify_iat": False},
    )
    assert claims["typ"] == "session" and claims["cid"] == enrolled["computer_id"]
    assert claims["sid"] == granted.json()["session_id"]
    assert claims["exp"] - claims["iat"] <= 60
