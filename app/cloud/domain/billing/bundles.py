"""Subscriptions that came with another product: single-use codes, never charged."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update

from app.cloud.context import CloudContext
from app.cloud.db.models import BundleCode, Subscription
from app.cloud.domain.billing import notify, subscriptions
from app.cloud.domain.billing.periods import add_months
from app.cloud.errors import ApiError
from app.cloud.security.secrets import BUNDLE_CODE_GROUPS, digest, new_code, normalise_code


class BundleRefused(ApiError):
    status = 422
    code = "invalid_bundle_code"


def _normalise(code: str) -> str:
    raw = normalise_code(code.upper().removeprefix("BNDL-").removeprefix("BNDL"))
    return f"BNDL-{raw}"


async def issue(ctx: CloudContext, months: int, count: int) -> list[str]:
    now = ctx.clock.now()
    codes = [f"BNDL-{new_code(BUNDLE_CODE_GROUPS)}" for _ in range(count)]
    async with ctx.sessions() as session:
        session.add_all(
            BundleCode(code_hash=digest(code), months=months, created_at=now) for code in codes
        )
        await session.commit()
    return codes


async def redeem(ctx: CloudContext, account_id: str, code: str) -> None:
    now = ctx.clock.now()
    code_hash = digest(_normalise(code))
    subscription_id = await subscriptions.ensure(ctx.sessions, account_id, now)
    async with ctx.sessions() as session:
        bundle = await session.get(BundleCode, code_hash)
        if bundle is None:
            raise BundleRefused("This code is not valid. Check it and try again.")
        claimed = await session.execute(
            update(BundleCode)
            .where(BundleCode.code_hash == code_hash, BundleCode.redeemed_at.is_(None))
            .values(redeemed_at=now, redeemed_by=account_id)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            raise BundleRefused("This code was already used.")
        months = bundle.months

        def decide(sub: Subscription) -> dict[str, Any]:
            return _bundled(sub, months, now)

        await subscriptions.change(session, subscription_id, now, decide)
        await session.commit()
    await notify.subscription_changed(ctx, account_id, "bundled")


def _bundled(sub: Subscription, months: int, now: datetime) -> dict[str, Any]:
    """A bundle adds its months after whatever access is left; it has nothing to renew."""
    current_end = sub.current_period_end if sub.status in ("active", "grace") else None
    if current_end is not None and current_end > now and sub.anchor is not None:
        anchor, months_paid = sub.anchor, sub.months_paid + months
    else:
        anchor, months_paid = now, months
    return {
        "kind": "bundled",
        "status": "active",
        "plan_id": None,
        "anchor": anchor,
        "months_paid": months_paid,
        "current_period_end": add_months(anchor, months_paid),
        "auto_renew": False,
        "grace_until": None,
        "next_retry_at": None,
        "ended_reason": None,
    }
