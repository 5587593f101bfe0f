"""Buying a subscription: an idempotent purchase, charged through the provider."""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import Select, select, update

from app.cloud.context import CloudContext
from app.cloud.db.models import PaymentMethod, Purchase
from app.cloud.domain.billing import idempotency, notify, subscriptions
from app.cloud.domain.billing.plans import plan_for_purchase
from app.cloud.errors import ApiError, NotFound
from app.cloud.payments.provider import ChargeRequest

_REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
SANDBOX_IBAN = "DE89 3704 0044 0532 0130 00"


def new_reference() -> str:
    raw = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))
    return f"PH-{raw[:4]}-{raw[4:]}"


async def buy(
    ctx: CloudContext, account_id: str, key: str, request: dict[str, Any]
) -> idempotency.StoredResponse:
    now = ctx.clock.now()
    print_ = idempotency.fingerprint(ctx.secrets.idempotency, request)
    ttl = timedelta(hours=ctx.settings.idempotency_ttl_h)
    replay = await idempotency.claim(ctx.sessions, account_id, key, print_, now, ttl)
    if replay is not None:
        return replay
    try:
        # The purchase records which claim of the key made it: a key may be used again once
        # its claim expired, and the unique index still allows one purchase per claim.
        claim = f"{key}#{now.timestamp():.6f}"
        response = idempotency.StoredResponse(201, await _purchase(ctx, account_id, claim, request))
    except ApiError as exc:
        # A refusal is an answer too: repeating the key gets the same one.
        response = idempotency.StoredResponse(
            exc.status, {"error": exc.code, "message": exc.message}
        )
    except BaseException:
        await idempotency.release(ctx.sessions, account_id, key)
        raise
    await idempotency.complete(ctx.sessions, account_id, key, response)
    return response


async def _purchase(
    ctx: CloudContext, account_id: str, key: str, request: dict[str, Any]
) -> dict[str, Any]:
    plan = plan_for_purchase(ctx.plans, request["plan"], request["channel"])
    method = await ctx.payments.register_method(request["payment_method"])
    now = ctx.clock.now()
    subscription_id = await subscriptions.ensure(ctx.sessions, account_id, now)
    async with ctx.sessions() as session:
        payment_method = PaymentMethod(
            id=str(uuid.uuid4()),
            account_id=account_id,
            type=request["payment_method"]["type"],
            label=method.label,
            provider_ref=method.provider_ref,
            created_at=now,
        )
        session.add(payment_method)
        await session.flush()  # the purchase refers to it; no ORM relationship orders them
        # The reference has 31^8 values; a collision fails this request, a retry draws anew.
        purchase = Purchase(
            id=str(uuid.uuid4()),
            account_id=account_id,
            subscription_id=subscription_id,
            kind="initial",
            plan_id=plan.id,
            channel=request["channel"],
            amount_cents=plan.price_cents,
            currency=plan.currency,
            method_type=payment_method.type,
            payment_method_id=payment_method.id,
            state="pending",
            reference=new_reference(),
            idempotency_key=key,
            received_cents=0,
            created_at=now,
            updated_at=now,
        )
        session.add(purchase)
        await session.commit()
    result = await ctx.payments.charge(
        ChargeRequest(
            purchase_id=purchase.id,
            reference=purchase.reference,
            amount_cents=purchase.amount_cents,
            currency=purchase.currency,
            method_type=payment_method.type,  # type: ignore[arg-type]
            method_ref=payment_method.provider_ref,
            recurring=False,
        )
    )
    async with ctx.sessions() as session:
        values: dict[str, Any] = {
            "provider_payment_id": result.provider_payment_id,
            "updated_at": ctx.clock.now(),
        }
        if result.declined:
            values.update(
                state="failed", failure_message=result.message or "The payment was declined."
            )
        await session.execute(
            update(Purchase)
            .where(Purchase.id == purchase.id, Purchase.state == "pending")
            .values(**values)
        )
        await session.commit()
        stored = await session.get(Purchase, purchase.id, populate_existing=True)
        assert stored is not None
    await notify.purchase_changed(ctx, account_id, stored.id, stored.state)
    await notify.subscription_changed(ctx, account_id, "changed")
    return describe_purchase(stored, payment_method.label)


def next_step(purchase: Purchase) -> str:
    if purchase.state == "confirmed":
        return "Paid. Your subscription is active."
    if purchase.state == "failed":
        return "The payment did not go through. Try another payment method."
    if purchase.state == "refunded":
        return "Refunded."
    if purchase.method_type == "card":
        return (
            "Your card payment is being confirmed; this usually takes a few minutes. "
            "The subscription starts by itself as soon as it is confirmed."
        )
    if purchase.method_type == "paypal":
        return (
            "The subscription starts by itself as soon as PayPal tells us the money was received."
        )
    due = purchase.amount_cents - purchase.received_cents
    return (
        f"Transfer {due / 100:.2f} {purchase.currency} with the reference {purchase.reference}. "
        "The subscription starts by itself as soon as the money arrives."
    )


def describe_purchase(purchase: Purchase, method_label: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": purchase.id,
        "state": purchase.state,
        "kind": purchase.kind,
        "plan": purchase.plan_id,
        "channel": purchase.channel,
        "amount_cents": purchase.amount_cents,
        "currency": purchase.currency,
        "method": purchase.method_type,
        "method_label": method_label,
        "reference": purchase.reference,
        "received_cents": purchase.received_cents,
        "amount_due_cents": max(0, purchase.amount_cents - purchase.received_cents)
        if purchase.state == "pending"
        else 0,
        "overpaid_cents": max(0, purchase.received_cents - purchase.amount_cents),
        "failure_message": purchase.failure_message,
        "next_step": next_step(purchase),
        "created_at": purchase.created_at.isoformat(),
        "period_start": purchase.period_start.isoformat() if purchase.period_start else None,
        "period_end": purchase.period_end.isoformat() if purchase.period_end else None,
    }
    if purchase.method_type == "bank_transfer" and purchase.state == "pending":
        body["payment_instructions"] = {
            "iban": SANDBOX_IBAN,
            "beneficiary": "Porthole",
            "reference": purchase.reference,
            "amount_cents": purchase.amount_cents - purchase.received_cents,
            "currency": purchase.currency,
        }
    return body


def _with_method_labels(*conditions: Any) -> Select[Purchase, str]:
    # An outer join: the label is None for a purchase whose payment method was removed.
    return (
        select(Purchase, PaymentMethod.label)
        .outerjoin(PaymentMethod, PaymentMethod.id == Purchase.payment_method_id)
        .where(*conditions)
    )


async def history(ctx: CloudContext, account_id: str) -> list[dict[str, Any]]:
    query = _with_method_labels(Purchase.account_id == account_id).order_by(
        Purchase.created_at.desc(), Purchase.id
    )
    async with ctx.sessions() as session:
        rows = (await session.execute(query)).all()
    return [describe_purchase(purchase, label) for purchase, label in rows]


async def one(ctx: CloudContext, account_id: str, purchase_id: str) -> dict[str, Any]:
    query = _with_method_labels(Purchase.id == purchase_id, Purchase.account_id == account_id)
    async with ctx.sessions() as session:
        row = (await session.execute(query)).first()
    if row is None:
        raise NotFound("No such purchase in this account.", code="purchase_not_found")
    return describe_purchase(row[0], row[1])
