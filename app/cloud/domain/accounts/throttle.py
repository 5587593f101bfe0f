"""Failed sign-in throttling, per account and per client address, kept in the database so
every cloud process sees the same counts."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.cloud.db.models import SignInThrottle
from app.cloud.errors import TooManyRequests


@dataclass(frozen=True)
class ThrottlePolicy:
    window: timedelta
    free_failures: int
    base_block: timedelta


def account_key(email: str) -> str:
    # Hashed so the table does not hold a list of every email anyone tried.
    return "account:" + hashlib.sha256(email.encode()).hexdigest()[:40]


def address_key(address: str) -> str:
    return "address:" + address[:90]


async def ensure_not_blocked(session: AsyncSession, keys: list[str], now: datetime) -> None:
    rows = await session.scalars(select(SignInThrottle).where(SignInThrottle.key.in_(keys)))
    waits = [(row.blocked_until - now).total_seconds() for row in rows if row.blocked_until]
    longest = max((wait for wait in waits if wait > 0), default=0.0)
    if longest > 0:
        raise TooManyRequests(
            f"Too many failed sign-ins. Try again in {_human_wait(longest)}.",
            retry_after_s=longest,
        )


async def record_failure(
    session: AsyncSession, key: str, policy: ThrottlePolicy, now: datetime
) -> None:
    row = await session.get(SignInThrottle, key, with_for_update=True)
    if row is None:
        session.add(SignInThrottle(key=key, failures=1, window_started_at=now, blocked_until=None))
        return
    if now - row.window_started_at > policy.window:
        row.failures, row.window_started_at, row.blocked_until = 1, now, None
        return
    row.failures += 1
    excess = row.failures - policy.free_failures
    if excess > 0:
        # Doubling waits make guessing slow without locking a person out for long.
        block = min(policy.base_block * (2 ** min(excess - 1, 20)), policy.window)
        row.blocked_until = now + block


async def clear(session: AsyncSession, key: str) -> None:
    await session.execute(delete(SignInThrottle).where(SignInThrottle.key == key))


def _human_wait(seconds: float) -> str:
    seconds = max(1, round(seconds))
    if seconds < 90:
        return f"{seconds} seconds"
    return f"{round(seconds / 60)} minutes"
