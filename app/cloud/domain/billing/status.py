"""``GET /api/v1/subscription``: everything a banner needs, in every state."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from app.cloud.context import CloudContext
from app.cloud.db.models import Computer, PaymentMethod, Purchase, Subscription
from app.cloud.domain.billing import notify, subscriptions
from app.cloud.domain.billing.purchases import next_step
from app.cloud.domain.billing.state import ACTIVE, BUNDLED, EXPIRED, GRACE, NONE, PENDING, standing
from app.cloud.errors import Conflict
from app.cloud.payments.provider import PaymentMethodRefused


def _date(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


async def describe(ctx: CloudContext, account_id: str) -> dict[str, Any]:
    now = ctx.clock.now()
    async with ctx.sessions() as session:
        sub = await session.scalar(
            select(Subscription).where(Subscription.account_id == account_id)
        )
        pending = await session.scalar(
            select(Purchase)
            .where(
                Purchase.account_id == account_id,
                Purchase.state == "pending",
                Purchase.kind == "initial",
            )
            .order_by(Purchase.created_at.desc())
            .limit(1)
        )
        used = await session.scalar(
            select(func.count()).select_from(Computer).where(Computer.account_id == account_id)
        )
        method = (
            await session.get(PaymentMethod, sub.payment_method_id)
            if sub and sub.payment_method_id
            else None
        )
    state = standing(sub, pending, now, timedelta(days=ctx.settings.grace_days)).state
    body: dict[str, Any] = {
        "state": state,
        "plan": sub.plan_id if sub and state != NONE else None,
        "current_period_end": _date(sub.current_period_end) if sub else None,
        "auto_renew": bool(sub and sub.auto_renew and state in (ACTIVE, GRACE)),
        "grace_until": _date(sub.grace_until) if sub and state == GRACE else None,
        "ended_reason": sub.ended_reason if sub and state == EXPIRED else None,
        "payment_method": method.label if method else None,
        "pending": None,
        "computers_used": used or 0,
        "computers_limit": ctx.settings.computers_per_subscription,
    }
    if pending is not None:
        body["pending"] = {
            "purchase_id": pending.id,
            "method": pending.method_type,
            "since": pending.created_at.isoformat(),
            "plan": pending.plan_id,
            "reference": pending.reference,
            "amount_due_cents": pending.amount_cents - pending.received_cents,
            "currency": pending.currency,
            "next_step": next_step(pending),
        }
    body["message"] = _message(state, body)
    return body


def _message(state: str, body: dict[str, Any]) -> str:
    end = (body["current_period_end"] or "")[:10]
    if state == ACTIVE:
        return f"Renews on {end}." if body["auto_renew"] else f"Ends on {end}; auto-renewal is off."
    if state == BUNDLED:
        return f"Included with your purchase until {end}."
    if state == GRACE:
        until = (body["grace_until"] or "")[:10]
        return (
            f"The renewal payment failed. Access continues until {until}: "
            "update your payment method."
        )
    if state == PENDING:
        return str(body["pending"]["next_step"])
    if state == EXPIRED:
        return "Your subscription has ended. Buy a subscription to reach your computers again."
    return "No subscription yet. Buy a subscription to reach your computers."


async def set_auto_renew(ctx: CloudContext, account_id: str, enabled: bool) -> dict[str, Any]:
    now = ctx.clock.now()
    window = timedelta(days=ctx.settings.grace_days)
    async with ctx.sessions() as session:
        sub = await session.scalar(
            select(Subscription).where(Subscription.account_id == account_id)
        )
        if sub is None or not standing(sub, None, now, window).has_access:
            raise Conflict("There is no running subscription to manage.", code="no_subscription")
        if sub.kind == "bundled":
            raise Conflict(
                "A bundled subscription is never charged: there is nothing to renew.",
                code="bundled",
            )
        if enabled and sub.payment_method_id is None:
            raise Conflict(
                "A bank transfer cannot renew by itself: pay with a card or PayPal "
                "to turn auto-renewal on.",
                code="no_payment_method",
            )

        def decide(current: Subscription) -> dict[str, Any] | None:
            return None if current.auto_renew == enabled else {"auto_renew": enabled}

        await subscriptions.change(session, sub.id, now, decide)
        await session.commit()
    await notify.subscription_changed(ctx, account_id, "auto_renew")
    return await describe(ctx, account_id)


async def replace_payment_method(
    ctx: CloudContext, account_id: str, details: dict[str, Any]
) -> dict[str, Any]:
    """A new card or PayPal for renewals; in grace, the next retry is due at once."""
    if details.get("type") not in ("card", "paypal"):
        raise PaymentMethodRefused("Renewals need a card or PayPal.")
    registered = await ctx.payments.register_method(details)
    now = ctx.clock.now()
    async with ctx.sessions() as session:
        sub = await session.scalar(
            select(Subscription).where(Subscription.account_id == account_id)
        )
        if sub is None or sub.kind == "bundled" or sub.status not in ("active", "grace"):
            raise Conflict("There is no paid subscription to update.", code="no_subscription")
        method = PaymentMethod(
            id=str(uuid.uuid4()),
            account_id=account_id,
            type=str(details["type"]),
            label=registered.label,
            provider_ref=registered.provider_ref,
            created_at=now,
        )
        session.add(method)
        await session.flush()

        def decide(current: Subscription) -> dict[str, Any]:
            values: dict[str, Any] = {"payment_method_id": method.id, "auto_renew": True}
            if current.status == "grace":
                values["next_retry_at"] = now
            return values

        await subscriptions.change(session, sub.id, now, decide)
        await session.commit()
    await notify.subscription_changed(ctx, account_id, "payment_method")
    return await describe(ctx, account_id)
