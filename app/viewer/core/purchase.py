"""Buying a subscription in the app, so that no pattern of clicks charges twice.

One purchase intent (a plan and a payment method, from the first click on Buy) gets one
Idempotency-Key, reused for every retry of that intent: after a network error (the first
request may have reached the cloud), and while the cloud says the same key is still in
flight. A new key only comes with a new intent: another plan or method, or after an
outcome. ``can_submit`` is false from the first click until an outcome, and concurrent
clicks share the one request.

Stages: idle → submitting → pending → active | declined | failed (retryable or not).
The outcome of a pending payment comes from live events fed to ``observe`` or, as a
bounded fallback, from polling the purchase in ``wait_outcome``. ``state_for`` is the
pure part: what a purchase record means to the person."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from app.protocol import PurchaseChanged, SubscriptionChanged
from app.viewer.core.banner import what_happens_next
from app.viewer.core.cloud import CloudClient
from app.viewer.core.errors import CloudError, InFlight, PaymentDeclined, SessionExpired
from app.viewer.core.events import FeedItem, Resync
from app.viewer.core.i18n import tr
from app.viewer.core.records import PaymentMethod, Purchase

log = logging.getLogger(__name__)
Stage = Literal["idle", "submitting", "pending", "active", "declined", "failed"]


@dataclass(frozen=True)
class PurchaseState:
    stage: Stage
    #: For people: what happens next, or why it did not work.
    message: str = ""
    #: card, paypal or bank_transfer.
    method: str | None = None
    #: Whether Retry (same intent, same key) may work; only for "failed".
    retryable: bool = False
    #: The latest record of the purchase (reference, bank details), once there is one.
    purchase: Purchase | None = None

    @property
    def outcome(self) -> bool:
        """An outcome was reached: the person may start a purchase again."""
        return self.stage in ("idle", "active", "declined", "failed")


def state_for(purchase: Purchase) -> PurchaseState:
    """What a purchase record means to the person."""
    method = purchase.method
    if purchase.state == "confirmed":
        return PurchaseState(
            "active", tr("Paid. Your subscription is active."), method, False, purchase
        )
    if purchase.state == "failed":
        message = purchase.failure_message or tr("The payment was declined.")
        return PurchaseState("declined", message, method, False, purchase)
    if purchase.state == "refunded":
        return PurchaseState("failed", tr("The payment was refunded."), method, False, purchase)
    message = what_happens_next(method, purchase.reference)
    return PurchaseState("pending", message, method, False, purchase)


class PurchaseFlow:
    def __init__(
        self,
        client: CloudClient,
        *,
        channel: str = "app",
        in_flight_retries: int = 10,
        max_retry_wait_s: float = 2.0,
        on_change: Callable[[PurchaseState], None] | None = None,
    ) -> None:
        self._client = client
        self._channel = channel
        self._in_flight_retries = in_flight_retries
        self._max_retry_wait_s = max_retry_wait_s
        self._on_change = on_change
        self.state = PurchaseState("idle")
        self._intent: tuple[str, PaymentMethod] | None = None
        self._key: str | None = None
        self._sending: asyncio.Task[PurchaseState] | None = None
        self._moved = asyncio.Event()

    @property
    def can_submit(self) -> bool:
        """False from the first click until an outcome: a click then does nothing."""
        return self._sending is None and self.state.outcome

    @property
    def idempotency_key(self) -> str | None:
        return self._key

    async def submit(self, plan: str, method: PaymentMethod) -> PurchaseState:
        """The person clicked Buy (or Retry). Clicks while a purchase is on its way get
        its state and send nothing."""
        if self._sending is not None:
            return await asyncio.shield(self._sending)
        if not self.can_submit:
            return self.state
        intent = (plan, method)
        retrying = self.state.stage == "failed" and self.state.retryable
        if not (retrying and self._intent == intent and self._key):
            self._intent, self._key = intent, str(uuid.uuid4())
        self._set(PurchaseState("submitting", tr("Sending your order…"), method.type))
        # Decided and marked before the first await: a second click finds it under way.
        # Shielded: a caller that goes away does not abandon a charge half-way.
        self._sending = asyncio.create_task(self._send(plan, method, self._key))
        return await asyncio.shield(self._sending)

    async def retry(self) -> PurchaseState:
        """Retry the last intent with its key (after a network error, say)."""
        if self._intent is None:
            return self.state
        return await self.submit(*self._intent)

    def start_over(self) -> None:
        """Drop the current intent ("Pay another way" while a payment is pending): the
        next click is a new purchase with a new key."""
        if self._sending is None:
            self._intent = self._key = None
            self._set(PurchaseState("idle"))

    async def _send(self, plan: str, method: PaymentMethod, key: str) -> PurchaseState:
        try:
            return await self._send_until_answered(plan, method, key)
        finally:
            self._sending = None

    async def _send_until_answered(
        self, plan: str, method: PaymentMethod, key: str
    ) -> PurchaseState:
        for attempt in range(self._in_flight_retries + 1):
            try:
                purchase = await self._client.purchase(plan, method, key, channel=self._channel)
            except InFlight as exc:
                # The cloud is still working on this very key: ask again, never re-key.
                if attempt < self._in_flight_retries:
                    await asyncio.sleep(min(exc.retry_after_s, self._max_retry_wait_s))
                    continue
                return self._set(PurchaseState("failed", exc.message, method.type, True))
            except PaymentDeclined as exc:
                return self._set(PurchaseState("declined", exc.message, method.type))
            except SessionExpired as exc:
                # Kept retryable: after signing in again, Retry sends the same key.
                self._set(PurchaseState("failed", exc.message, method.type, True))
                raise
            except CloudError as exc:
                return self._set(PurchaseState("failed", exc.message, method.type, exc.retryable))
            return self._set(state_for(purchase))
        raise AssertionError("unreachable")  # the loop always returns

    # -- learning the outcome ----------------------------------------------------------

    async def observe(self, item: FeedItem) -> PurchaseState:
        """Feed the account's live events in; a pending purchase reloads when they
        concern it (or after a reconnect, when some may have been missed)."""
        purchase = self.state.purchase
        if self.state.stage != "pending" or purchase is None:
            return self.state
        concerns_it = (
            isinstance(item, PurchaseChanged) and item.purchase_id == purchase.id
        ) or isinstance(item, SubscriptionChanged | Resync)
        if concerns_it:
            await self._reload(purchase.id)
        return self.state

    async def wait_outcome(self, timeout_s: float, poll_interval_s: float = 5.0) -> PurchaseState:
        """The state once the pending purchase has an outcome, or still pending after
        ``timeout_s`` (a bank transfer may take days). Woken by ``observe``; polls the
        purchase every ``poll_interval_s`` in case events do not arrive."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout_s):
                if self._sending is not None:
                    await asyncio.shield(self._sending)
                while self.state.stage == "pending":
                    moved = self._moved
                    try:
                        async with asyncio.timeout(poll_interval_s):
                            await moved.wait()
                    except TimeoutError:
                        if self.state.purchase is not None:
                            await self._reload(self.state.purchase.id)
        return self.state

    async def _reload(self, purchase_id: str) -> None:
        try:
            purchase = await self._client.purchase_status(purchase_id)
        except CloudError as exc:
            log.info("could not reload purchase %s: %s", purchase_id, exc.message)
            return  # still pending as far as we know; the next event or poll tries again
        current = self.state.purchase
        # Only if nothing moved on meanwhile (a start over, another event's reload).
        if self.state.stage == "pending" and current is not None and current.id == purchase_id:
            self._set(state_for(purchase))

    def _set(self, state: PurchaseState) -> PurchaseState:
        self.state = state
        if state.stage in ("active", "declined") or (
            state.stage == "failed" and not state.retryable
        ):
            self._intent = self._key = None  # settled: the next click is a new purchase
        # Wake whoever waits, then arm a fresh event for the next change.
        self._moved.set()
        self._moved = asyncio.Event()
        if self._on_change is not None:
            self._on_change(state)
        return state
