"""What a subscription means right now: the state people see and what it entitles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from app.cloud.db.models import Purchase, Subscription

# States of GET /api/v1/subscription.
NONE, PENDING, ACTIVE, GRACE, EXPIRED, BUNDLED = (
    "none",
    "pending_payment",
    "active",
    "grace",
    "expired",
    "bundled",
)
ENTITLED = {ACTIVE, GRACE, BUNDLED}


@dataclass(frozen=True)
class Standing:
    state: str
    has_access: bool


def standing(
    sub: Subscription | None, pending: Purchase | None, now: datetime, renewal_window: timedelta
) -> Standing:
    """The effective state. Stored status can lag (the renewal job runs now and then), so
    the clock decides: a period that ended is over, whatever the row still says."""
    if sub is None or sub.status == "none":
        return Standing(PENDING if pending else NONE, False)
    ended = Standing(PENDING if pending else EXPIRED, False)
    end = sub.current_period_end
    if sub.status in ("refunded", "expired") or end is None:
        return ended
    if sub.kind == "bundled":
        return Standing(BUNDLED, True) if now < end else ended
    if sub.status == "grace" and sub.grace_until and now < sub.grace_until:
        return Standing(GRACE, True)
    if sub.status == "active" and (now < end or (sub.auto_renew and now < end + renewal_window)):
        # Past the end with auto-renewal on, the renewal is being charged: access goes on
        # meanwhile, for at most the grace window.
        return Standing(ACTIVE, True)
    return ended
