"""Whether an account may open remote sessions now."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.cloud.context import CloudContext
from app.cloud.db.models import Subscription
from app.cloud.domain.billing.state import standing
from app.cloud.errors import PaymentRequired


async def require_entitlement(ctx: CloudContext, session: AsyncSession, account_id: str) -> None:
    sub = await session.scalar(select(Subscription).where(Subscription.account_id == account_id))
    now = ctx.clock.now()
    if not standing(sub, None, now, timedelta(days=ctx.settings.grace_days)).has_access:
        raise PaymentRequired(
            "Reaching your computers needs an active subscription. "
            "Buy one in the app or on the web portal."
        )
