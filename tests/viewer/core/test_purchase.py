"""Buying in the app against the real cloud and its sandbox payment provider: no pattern
of clicks charges twice (three at once, a retry after a lost answer, a retry while the
cloud is still busy with the same key); a declined card says why and a new attempt is a
new purchase; the outcome arrives through live events, or by polling when they do not."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest

from app.viewer.core.banner import banner_for
from app.viewer.core.cloud import CloudClient
from app.viewer.core.events import EventFeed
from app.viewer.core.purchase import PurchaseFlow, PurchaseState
from app.viewer.core.records import BankTransfer, Card, PayPal
from tests.support.api import Api
from tests.support.billing import advance, receive
from tests.support.viewer_cloud import signed_up

on_sqlite = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
CARD = Card("4242 4242 4242 4242", 12, 2030, "123")
DECLINED = Card("4000 0000 0000 0002", 12, 2030, "123")
PURCHASES = "/api/v1/purchases"


@contextlib.asynccontextmanager
async def feeding(flow: PurchaseFlow, client: CloudClient) -> AsyncIterator[EventFeed]:
    """Live events go to the flow, as the app wires them."""
    async with EventFeed(client) as feed:

        async def pump() -> None:
            async for item in feed:
                await flow.observe(item)

        task = asyncio.create_task(pump())
        await feed.wait_state("live", 10)
        try:
            yield feed
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


class Recording(httpx.AsyncBaseTransport):
    """The real network to the cloud, noting the Idempotency-Key of each purchase sent;
    it can lose the answer to the first one (the cloud did the work, the app never hears)
    or hold the first one back with the cloud's "still in flight" refusal."""

    def __init__(self, *, lose_first: bool = False, busy_first: bool = False) -> None:
        self._network = httpx.AsyncHTTPTransport()
        self._lose_first = lose_first
        self._busy_first = busy_first
        self.keys: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        buying = request.method == "POST" and request.url.path == PURCHASES
        if buying:
            self.keys.append(request.headers["Idempotency-Key"])
        if buying and self._busy_first:
            self._busy_first = False
            body = {
                "error": "idempotency_key_in_flight",
                "message": "The same purchase is still being processed; retry in a moment.",
            }
            return httpx.Response(409, headers={"Retry-After": "1"}, content=json.dumps(body))
        response = await self._network.handle_async_request(request)
        if buying and self._lose_first:
            self._lose_first = False
            await response.aread()
            await response.aclose()
            raise httpx.ReadError("connection reset before the answer arrived", request=request)
        return response

    async def aclose(self) -> None:
        await self._network.aclose()


@on_sqlite
async def test_three_clicks_at_once_charge_once_and_the_card_activates_it(api: Api) -> None:
    async with signed_up(api.url) as client:
        changes: list[tuple[str, bool]] = []
        flow = PurchaseFlow(
            client, on_change=lambda state: changes.append((state.stage, flow.can_submit))
        )
        async with feeding(flow, client):
            assert flow.can_submit
            states = await asyncio.gather(*(flow.submit("month-1", CARD) for _ in range(3)))
            assert {s.stage for s in states} == {"pending"} and len(set(states)) == 1
            pending = states[0]
            assert pending.method == "card" and pending.message == (
                "Card payments are usually confirmed within a few minutes; "
                "the subscription starts by itself then."
            )
            assert not flow.can_submit
            # A click while pending sends nothing either.
            assert await flow.submit("month-1", CARD) == pending
            assert len(await client.purchases()) == 1

            await advance(api, 5)  # the sandbox's card confirmation delay passes
            done = await flow.wait_outcome(timeout_s=10, poll_interval_s=60)  # events only
            assert done.stage == "active" and done.message == "Paid. Your subscription is active."
            assert flow.can_submit and flow.idempotency_key is None
        # The button is disabled from the first click until the outcome.
        assert changes == [("submitting", False), ("pending", False), ("active", True)]
        assert (await client.subscription()).state == "active"
        assert len(await client.purchases()) == 1


@on_sqlite
async def test_a_declined_card_says_why_and_another_try_is_a_new_purchase(api: Api) -> None:
    async with signed_up(api.url) as client:
        flow = PurchaseFlow(client)
        declined = await flow.submit("month-1", DECLINED)
        assert declined.stage == "declined" and declined.message == "Your card was declined."
        assert flow.can_submit
        [failed] = await client.purchases()
        assert failed.state == "failed"

        pending = await flow.submit("month-1", CARD)
        assert pending.stage == "pending"
        assert len(await client.purchases()) == 2  # a new intent, a new key

        # Invalid card numbers are refused before any charge.
        flow = PurchaseFlow(client)
        refused = await flow.submit("month-1", Card("1234 5678 9012 3456", 1, 2030, "123"))
        assert refused == PurchaseState("declined", "The card number is not valid.", "card")


@on_sqlite
async def test_an_answer_lost_on_the_way_then_retry_sends_the_same_key(api: Api) -> None:
    network = Recording(lose_first=True)
    async with signed_up(api.url, transport=network) as client:
        flow = PurchaseFlow(client)
        lost = await flow.submit("year-1", CARD)
        assert lost.stage == "failed" and lost.retryable
        assert "cannot be reached" in lost.message and flow.can_submit
        retried = await flow.retry()
        assert retried.stage == "pending"
        assert len(network.keys) == 2 and network.keys[0] == network.keys[1]
        # The cloud answered the retry with the first request's purchase: one charge.
        [purchase] = await client.purchases()
        assert purchase.plan == "year-1" and retried.purchase == purchase


@on_sqlite
async def test_still_in_flight_is_retried_with_the_same_key(api: Api) -> None:
    network = Recording(busy_first=True)
    async with signed_up(api.url, transport=network) as client:
        flow = PurchaseFlow(client, max_retry_wait_s=0.05)
        pending = await flow.submit("month-1", CARD)
        assert pending.stage == "pending"
        assert len(network.keys) == 2 and network.keys[0] == network.keys[1]
        assert len(await client.purchases()) == 1


@on_sqlite
async def test_paypal_waits_for_the_money_and_polling_finds_the_outcome(api: Api) -> None:
    async with signed_up(api.url) as client:
        flow = PurchaseFlow(client)
        pending = await flow.submit("month-1", PayPal("payer@example.com"))
        assert pending.stage == "pending" and pending.method == "paypal"
        assert pending.message == (
            "The subscription starts by itself as soon as PayPal tells us the money was received."
        )
        # Nothing happens until the money arrives: a bounded wait says it is still pending.
        assert (await flow.wait_outcome(timeout_s=0.3, poll_interval_s=0.1)).stage == "pending"
        assert pending.purchase is not None and pending.purchase.reference
        await receive(api, pending.purchase.reference)
        # No live events here: polling the purchase is the fallback.
        active = await flow.wait_outcome(timeout_s=10, poll_interval_s=0.1)
        assert active.stage == "active"


@on_sqlite
async def test_bank_transfer_gives_the_reference_and_can_be_started_over(api: Api) -> None:
    async with signed_up(api.url) as client:
        flow = PurchaseFlow(client)
        pending = await flow.submit("year-1", BankTransfer())
        assert pending.purchase is not None and pending.purchase.instructions is not None
        reference = pending.purchase.instructions.reference
        assert pending.message == (
            f"Transfer the amount with the reference {reference}. "
            "The subscription starts by itself as soon as the money arrives."
        )
        assert pending.purchase.instructions.amount_cents == 4999
        assert not flow.can_submit
        # The banner above the list says the same, not a bare "Buy" button.
        status = await client.subscription()
        assert status.pending is not None and status.pending.reference == reference
        banner = banner_for(status, datetime.now(UTC))
        assert (banner.title, banner.action) == ("Payment pending", None)
        assert banner.lines[1] == pending.message
        # "Pay another way": the person drops this intent and pays by card instead.
        flow.start_over()
        assert flow.can_submit and flow.state.stage == "idle"
        assert (await flow.submit("year-1", CARD)).stage == "pending"
        assert len(await client.purchases()) == 2
