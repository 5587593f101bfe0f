"""Provider events: verified on the raw body, stored first (the event id deduplicates),
then applied exactly once. State only moves forward: a replayed or late event that would
take a purchase backwards changes nothing."""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.cloud.context import CloudContext
from app.cloud.db.models import PaymentEvent, Purchase, Subscription
from app.cloud.domain.billing import notify, subscriptions
from app.cloud.domain.billing.state import standing
from app.cloud.errors import ApiError, BadRequest
from app.cloud.payments.signatures import InvalidSignature, verify

log = logging.getLogger(__name__)
KNOWN_TYPES = {
    "payment.succeeded",
    "payment.partially_received",
    "payment.failed",
    "payment.refunded",
}


class SignatureRefused(ApiError):
    status = 400
    code = "invalid_signature"


@dataclass(frozen=True)
class Change:
    account_id: str
    purchase_id: str
    purchase_state: str
    subscription_changed: bool


async def record(ctx: CloudContext, raw: bytes, signature: str | None) -> bool:
    """Store a verified event; False if it was already stored (a duplicate delivery)."""
    try:
        verify(
            ctx.secrets.webhook,
            raw,
            signature,
            now=ctx.clock.now().timestamp(),
            tolerance_s=ctx.settings.webhook_tolerance_s,
        )
    except InvalidSignature as exc:
        raise SignatureRefused(f"Event refused: {exc}.") from None
    try:
        event = json.loads(raw)
        event_id, kind, data = event["id"], event["type"], event["data"]
        if not (isinstance(event_id, str) and isinstance(kind, str) and isinstance(data, dict)):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        raise BadRequest(
            "The event is not a valid provider event.", code="malformed_event"
        ) from None
    async with ctx.sessions() as session:
        session.add(
            PaymentEvent(
                id=event_id[:100], type=kind[:60], payload=data, received_at=ctx.clock.now()
            )
        )
        try:
            await session.commit()
        except IntegrityError:
            return False
    return True


async def run_processor(ctx: CloudContext, idle_s: float = 5.0) -> None:
    """Apply stored events as they come; also every few seconds, for events stored by a
    process that stopped before applying them."""
    while True:
        try:
            async with asyncio.timeout(idle_s):
                await ctx.events_waiting.wait()
        except TimeoutError:
            pass
        ctx.events_waiting.clear()
        try:
            while await process_pending(ctx) > 0:
                pass
        except Exception:
            log.exception("applying payment events failed; retrying on the next round")


async def process_pending(ctx: CloudContext, limit: int = 200) -> int:
    """Apply stored events not yet applied, oldest first; returns how many were applied."""
    async with ctx.sessions() as session:
        ids = (
            await session.scalars(
                select(PaymentEvent.id)
                .where(PaymentEvent.processed_at.is_(None))
                .order_by(PaymentEvent.received_at, PaymentEvent.id)
                .limit(limit)
            )
        ).all()
    applied = 0
    for event_id in ids:
        change = await _apply_one(ctx, event_id)
        if change is not None:
            applied += 1
            await notify.purchase_changed(
                ctx, change.account_id, change.purchase_id, change.purchase_state
            )
            if change.subscription_changed:
                await notify.subscription_changed(ctx, change.account_id, "changed")
    return applied


async def _apply_one(ctx: CloudContext, event_id: str) -> Change | None:
    now = ctx.clock.now()
    async with ctx.sessions() as session:
        # Claiming the event and applying it share one transaction: exactly once.
        claimed = await session.execute(
            update(PaymentEvent)
            .where(PaymentEvent.id == event_id, PaymentEvent.processed_at.is_(None))
            .values(processed_at=now)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            return None
        event = await session.get(PaymentEvent, event_id)
        assert event is not None
        outcome, change = await _apply(ctx, session, event.type, event.payload)
        event.outcome = outcome[:200]
        await session.commit()
        return change


async def _apply(
    ctx: CloudContext, session: AsyncSession, kind: str, data: dict[str, Any]
) -> tuple[str, Change | None]:
    if kind not in KNOWN_TYPES:
        return "ignored: unknown type", None
    purchase = await session.get(Purchase, str(data.get("purchase_id", "")))
    if purchase is None:
        return "ignored: unknown purchase", None
    payment_id = data.get("payment_id")
    if purchase.provider_payment_id not in (None, payment_id):
        return "ignored: payment does not belong to the purchase", None
    now = ctx.clock.now()
    received = data.get("received_cents")
    received = received if isinstance(received, int) and received >= 0 else 0
    moved = False
    subscription_moved = False
    if kind in ("payment.succeeded", "payment.partially_received"):
        fully_paid = received >= purchase.amount_cents
        result = await session.execute(
            update(Purchase)
            .where(
                Purchase.id == purchase.id,
                Purchase.state == "pending",
                Purchase.received_cents <= received,
            )
            .values(
                received_cents=received,
                provider_payment_id=payment_id,
                state="confirmed" if fully_paid else "pending",
                updated_at=now,
            )
        )
        moved = result.rowcount == 1  # type: ignore[attr-defined]
        if moved and fully_paid:
            subscription_moved = await _activate(ctx, session, purchase)
    elif kind == "payment.failed":
        result = await session.execute(
            update(Purchase)
            .where(Purchase.id == purchase.id, Purchase.state == "pending")
            .values(state="failed", failure_message="The payment was declined.", updated_at=now)
        )
        moved = result.rowcount == 1  # type: ignore[attr-defined]
        if moved and purchase.kind == "renewal":
            subscription_moved = await renewal_failed(ctx, session, purchase.subscription_id)
    elif kind == "payment.refunded":
        result = await session.execute(
            update(Purchase)
            .where(Purchase.id == purchase.id, Purchase.state == "confirmed")
            .values(state="refunded", updated_at=now)
        )
        moved = result.rowcount == 1  # type: ignore[attr-defined]
        if moved:
            subscription_moved = await _revoke(session, purchase.subscription_id, now)
    if not moved:
        return "no change: state already past this event", None
    await session.refresh(purchase)
    return "applied", Change(purchase.account_id, purchase.id, purchase.state, subscription_moved)


async def _activate(ctx: CloudContext, session: AsyncSession, purchase: Purchase) -> bool:
    now = ctx.clock.now()
    months = ctx.plans[purchase.plan_id].months
    window = timedelta(days=ctx.settings.grace_days)

    def decide(sub: Subscription) -> dict[str, Any]:
        has_access = standing(sub, None, now, window).has_access
        return subscriptions.activation(sub, purchase, months, now, has_access)

    before = await session.get(Subscription, purchase.subscription_id)
    previous_end = before.current_period_end if before else None
    sub = await subscriptions.change(session, purchase.subscription_id, now, decide)
    assert sub is not None and sub.current_period_end is not None
    # A new anchor means a fresh period from now; otherwise it continues the previous one.
    start = now if sub.anchor == now or previous_end is None else previous_end
    await session.execute(
        update(Purchase)
        .where(Purchase.id == purchase.id)
        .values(period_start=start, period_end=sub.current_period_end)
    )
    return True


async def renewal_failed(ctx: CloudContext, session: AsyncSession, subscription_id: str) -> bool:
    now = ctx.clock.now()
    settings = ctx.settings

    def decide(sub: Subscription) -> dict[str, Any] | None:
        if sub.status not in ("active", "grace"):
            return None
        return subscriptions.grace_after_failure(
            sub, now, settings.grace_days, settings.renewal_retry_hours
        )

    return await subscriptions.change(session, subscription_id, now, decide) is not None


async def _revoke(session: AsyncSession, subscription_id: str, now: datetime) -> bool:
    def decide(sub: Subscription) -> dict[str, Any]:
        return {
            "status": "refunded",
            "auto_renew": False,
            "ended_reason": "refunded",
            "next_retry_at": None,
        }

    return await subscriptions.change(session, subscription_id, now, decide) is not None
