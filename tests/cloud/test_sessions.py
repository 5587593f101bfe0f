"""Opening a session: ownership, then entitlement (402), then presence (409)."""

from __future__ import annotations

import asyncio
import base64
import contextlib
from collections.abc import AsyncIterator

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from app.agent.link import ControlLink
from app.protocol.secure import StaticKey
from app.viewer.core.grants import session_request
from tests.support.api import Api, EventStream
from tests.support.billing import CARD, advance, buy, wait_state
from tests.support.sessions import entitled_user

VIEWER_KEY = StaticKey.generate()


async def test_no_subscription_is_402_with_a_clear_message(api: Api) -> None:
    user = await api.sign_up()
    computer_id = (await api.enroll(user))["computer_id"]
    response = await api.http.post(
        "/api/v1/sessions", headers=user.headers, json=session_request(computer_id, VIEWER_KEY)
    )
    assert response.status_code == 402
    assert response.json()["error"] == "subscription_required"
    assert "subscription" in response.json()["message"]
    # Another account's computer is not found, whatever that account pays.
    other = await api.sign_up()
    foreign = await api.http.post(
        "/api/v1/sessions", headers=other.headers, json=session_request(computer_id, VIEWER_KEY)
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
        "/api/v1/sessions",
        headers=user.headers,
        json=session_request(enrolled["computer_id"], VIEWER_KEY),
    )
    assert offline.status_code == 409 and offline.json()["error"] == "computer_offline"
    assert "'Studio' is offline" in offline.json()["message"]

    link = ControlLink(api.url, enrolled["agent_token"])
    task = asyncio.create_task(link.run_forever())
    try:
        async with asyncio.timeout(10):
            await link.connected.wait()
        granted = await api.http.post(
            "/api/v1/sessions",
            headers=user.headers,
            json=session_request(enrolled["computer_id"], VIEWER_KEY),
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
    # The ticket names both ends' keys, and the grant says which key to encrypt to.
    assert claims["vk"] == VIEWER_KEY.public_text
    assert claims["ak"] == enrolled["session_key"].public_text
    assert granted.json()["agent_public_key"] == claims["ak"]


@contextlib.asynccontextmanager
async def linked(api: Api, agent_token: str, session_key: str | None = None) -> AsyncIterator[None]:
    """An agent's control link up for the block (announcing ``session_key`` if given)."""
    link = ControlLink(api.url, agent_token, session_key=session_key)
    task = asyncio.create_task(link.run_forever())
    try:
        async with asyncio.timeout(10):
            await link.connected.wait()
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_a_session_needs_the_viewers_key_and_an_agent_with_one(api: Api) -> None:
    user = await entitled_user(api)
    enrolled = await api.enroll(user, "Studio")
    for bad in ({}, {"viewer_public_key": "x25519:short"}, {"viewer_public_key": "ed25519:x"}):
        refused = await api.http.post(
            "/api/v1/sessions",
            headers=user.headers,
            json={"computer_id": enrolled["computer_id"], **bad},
        )
        assert refused.status_code == 422, refused.text
    # An agent enrolled before sessions were encrypted registered no key: it says so.
    code = await api.http.post("/api/v1/enrollment-codes", headers=user.headers)
    old = await api.http.post(
        "/api/v1/agents", json={"enrollment_code": code.json()["code"], "name": "Old PC"}
    )
    request = session_request(old.json()["computer_id"], VIEWER_KEY)
    async with linked(api, old.json()["agent_token"]):
        outdated = await api.http.post("/api/v1/sessions", headers=user.headers, json=request)
    assert outdated.status_code == 409 and outdated.json()["error"] == "agent_outdated"
    assert "Update it" in outdated.json()["message"]
    # Once it announces a key on its link (an updated agent), sessions open.
    key = StaticKey.generate()
    async with linked(api, old.json()["agent_token"], key.public_text):
        granted = await api.http.post("/api/v1/sessions", headers=user.headers, json=request)
    assert granted.status_code == 201, granted.text
    assert granted.json()["agent_public_key"] == key.public_text
    listed = await api.computers(user)
    assert {c["name"]: c["session_public_key"] for c in listed}["Old PC"] == key.public_text
