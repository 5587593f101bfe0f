"""Changing a subscription: compare-and-set on its version, so two writers (a webhook and
the renewal job, or two cloud processes) never silently overwrite each other."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.cloud.db.models import Purchase, Subscription
from app.cloud.domain.billing.periods import add_months
from app.cloud.errors import Conflict

MAX_CAS_ATTEMPTS = 20


async def ensure(sessions: async_sessionmaker[AsyncSession], account_id: str, now: datetime) -> str:
    """The id of the account's one subscription row, created empty (state "none") on first
    need, in its own transaction so the unique account_id can settle a race."""
    async with sessions() as session:
        found = await session.scalar(
            select(Subscription.id).where(Subscription.account_id == account_id)
        )
        if found is not None:
            return found
        sub = Subscription(
            id=str(uuid.uuid4()),
            account_id=account_id,
            kind="paid",
            status="none",
            months_paid=0,
            auto_renew=False,
            renewal_attempt=0,
            version=0,
            created_at=now,
            updated_at=now,
        )
        session.add(sub)
        try:
            await session.commit()
            return sub.id
        except IntegrityError:
            await session.rollback()
        found = await session.scalar(
            select(Subscription.id).where(Subscription.account_id == account_id)
        )
        assert found is not None
        return found


async def change(
    session: AsyncSession,
    subscription_id: str,
    now: datetime,
    decide: Callable[[Subscription], dict[str, Any] | None],
) -> Subscription | None:
    """Apply ``decide(current row) → new values`` atomically; None from decide means no change."""
    for _ in range(MAX_CAS_ATTEMPTS):
        sub = await session.scalar(
            select(Subscription)
            .where(Subscription.id == subscription_id)
            .execution_options(populate_existing=True)
        )
        assert sub is not None
        values = decide(sub)
        if values is None:
            return None
        result = await session.execute(
            update(Subscription)
            .where(Subscription.id == sub.id, Subscription.version == sub.version)
            .values(**values, version=sub.version + 1, updated_at=now)
        )
        if result.rowcount == 1:  # type: ignore[attr-defined]
            await session.refresh(sub)
            return sub
    raise Conflict("The subscription is being changed by someone else; try again.", code="busy")


def activation(
    sub: Subscription, purchase: Purchase, months: int, now: datetime, has_access: bool
) -> dict[str, Any]:
    """New values once ``purchase`` is confirmed: renewals and purchases made while access
    lasts extend from the current end (anchor kept); otherwise a new period starts now."""
    if purchase.kind == "renewal" or (has_access and sub.anchor is not None):
        assert sub.anchor is not None
        anchor, months_paid = sub.anchor, sub.months_paid + months
    else:
        anchor, months_paid = now, months
    values: dict[str, Any] = {
        "kind": "paid",
        "status": "active",
        "plan_id": purchase.plan_id,
        "anchor": anchor,
        "months_paid": months_paid,
        "current_period_end": add_months(anchor, months_paid),
        "grace_until": None,
        "next_retry_at": None,
        "renewal_attempt": 0,
        "ended_reason": None,
    }
    if purchase.kind == "initial":
        # Card and PayPal can be charged again; a bank transfer cannot pull money.
        chargeable = purchase.method_type in ("card", "paypal")
        values["payment_method_id"] = purchase.payment_method_id if chargeable else None
        values["auto_renew"] = chargeable
    return values


def grace_after_failure(
    sub: Subscription, now: datetime, grace_days: int, retry_hours: int
) -> dict[str, Any]:
    assert sub.current_period_end is not None
    grace_until = sub.grace_until or sub.current_period_end + timedelta(days=grace_days)
    return {
        "status": "grace",
        "grace_until": grace_until,
        "renewal_attempt": sub.renewal_attempt + 1,
        "next_retry_at": now + timedelta(hours=retry_hours),
    }
