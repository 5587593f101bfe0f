"""Failed sign-in throttling, per account and per client address, kept in the database so
every cloud process sees the same counts. Attempts are counted before the password is
checked, atomically, so a burst of concurrent guesses gets no more checks than a slow
series would."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

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


def reset_key(email: str) -> str:
    """Password-reset requests for one email, hashed like ``account_key``."""
    return "reset:" + hashlib.sha256(email.encode()).hexdigest()[:40]


def address_key(address: str) -> str:
    return "address:" + address[:90]


async def charge(
    session: AsyncSession,
    key: str,
    policy: ThrottlePolicy,
    now: datetime,
    what: str = "failed sign-ins",
) -> Attempt:
    """Count this attempt *before* the secret is checked: TooManyRequests while ``key`` is
    blocked. The count is an upsert, which holds the row (PostgreSQL) or the database
    (SQLite) until the caller commits, so concurrent attempts are decided one after the
    other; the one past the free attempts sets the block at once, as if it will fail, so
    a burst in flight behind it is refused, not checked. Call ``failed`` or ``succeeded``
    once the check is done."""
    failures, window_started_at, blocked_until = await _count_attempt(session, key, now)
    if blocked_until is not None and blocked_until > now:
        # Refused, and not counted: the caller's transaction, count included, is rolled
        # back with the error.
        _refuse(blocked_until - now, what)
    if now - window_started_at > policy.window:
        failures = 1
        await session.execute(
            update(SignInThrottle)
            .where(SignInThrottle.key == key)
            .values(failures=1, window_started_at=now, blocked_until=None)
        )
    blocks = failures > policy.free_failures
    if blocks:
        await _block(session, key, policy, failures, now)
    return Attempt(key, blocks)


@dataclass(frozen=True)
class Attempt:
    key: str
    #: Past the free attempts: the block it set stays if the secret is wrong.
    blocks: bool

    async def succeeded(self, session: AsyncSession, *, forget: bool) -> None:
        """The secret was right: ``forget`` the key's count (an account), or give this
        attempt back (an address, which many people may share), lifting its block."""
        if forget:
            await session.execute(delete(SignInThrottle).where(SignInThrottle.key == self.key))
            return
        values: dict[str, object] = {"failures": SignInThrottle.failures - 1}
        if self.blocks:
            values["blocked_until"] = None
        await session.execute(
            update(SignInThrottle)
            .where(SignInThrottle.key == self.key, SignInThrottle.failures > 0)
            .values(**values)
        )


async def _count_attempt(
    session: AsyncSession, key: str, now: datetime
) -> tuple[int, datetime, datetime | None]:
    """failures + 1 (a new row at 1), atomically, and the row as it is after."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(SignInThrottle)
        .values(key=key, failures=1, window_started_at=now, blocked_until=None)
        .on_conflict_do_update(
            index_elements=[SignInThrottle.key],
            set_={"failures": SignInThrottle.failures + 1},
        )
        .returning(
            SignInThrottle.failures, SignInThrottle.window_started_at, SignInThrottle.blocked_until
        )
    )
    row = (await session.execute(statement)).one()
    return int(row[0]), row[1], row[2]


async def _block(
    session: AsyncSession, key: str, policy: ThrottlePolicy, failures: int, now: datetime
) -> timedelta:
    excess = failures - policy.free_failures
    # Doubling waits make guessing slow without locking a person out for long.
    doubling = int(2 ** min(max(excess, 1) - 1, 20))
    block = min(policy.base_block * doubling, policy.window)
    await session.execute(
        update(SignInThrottle).where(SignInThrottle.key == key).values(blocked_until=now + block)
    )
    return block


def _refuse(wait: timedelta, what: str) -> None:
    seconds = wait.total_seconds()
    raise TooManyRequests(
        f"Too many {what}. Try again in {_human_wait(seconds)}.",
        retry_after_s=seconds,
    )


@contextlib.asynccontextmanager
async def guarded(
    sessions: async_sessionmaker[AsyncSession],
    key: str,
    policy: ThrottlePolicy,
    now: datetime,
    *,
    what: str,
    refund: bool,
    refund_in: AsyncSession | None = None,
) -> AsyncIterator[None]:
    """One attempt at something guessable (a code) or costly (a sign-up), counted first in
    its own transaction: refused while over the policy. An attempt the block refuses
    (an ApiError) keeps its count; one that works is given back when ``refund``: in
    ``refund_in``, the caller's session that commits the work (SQLite has one writer at
    a time), else in a transaction of its own."""
    async with sessions() as session:
        attempt = await charge(session, key, policy, now, what)
        await session.commit()
    yield
    if not refund:
        return
    if refund_in is not None:
        await attempt.succeeded(refund_in, forget=False)
        return
    async with sessions() as session:
        await attempt.succeeded(session, forget=False)
        await session.commit()


def allowing(count: int, window_s: float, base_block_s: float) -> ThrottlePolicy:
    """A policy that lets exactly ``count`` attempts through per window (``charge`` lets
    the one past the free attempts through, as it may be the right secret)."""
    return policy(max(0, count - 1), window_s, base_block_s)


def _human_wait(seconds: float) -> str:
    seconds = max(1, round(seconds))
    if seconds < 90:
        return f"{seconds} seconds"
    return f"{round(seconds / 60)} minutes"


def policy(free: int, window_s: float, base_block_s: float) -> ThrottlePolicy:
    return ThrottlePolicy(timedelta(seconds=window_s), free, timedelta(seconds=base_block_s))
