"""Idempotency keys: one purchase intent = one charge, whatever the client repeats.

The first request with a key inserts an "in flight" row (the primary key makes it the only
one); duplicates then get a retryable 409 while it runs and the stored first response once
it finished; the same key with other parameters is refused."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.cloud.db.models import IdempotencyKey
from app.cloud.errors import ApiError, Conflict


class IdempotencyError(ApiError):
    status = 422
    code = "idempotency_error"


class StillInFlight(Conflict):
    code = "idempotency_key_in_flight"

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": "1"}


@dataclass(frozen=True)
class StoredResponse:
    status: int
    body: dict[str, Any]


def fingerprint(secret: bytes, request: dict[str, Any]) -> bytes:
    # Keyed, because the request holds payment details that must not be guessable.
    canonical = json.dumps(request, sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(secret, canonical, hashlib.sha256).digest()


async def claim(
    sessions: async_sessionmaker[AsyncSession],
    account_id: str,
    key: str,
    print_: bytes,
    now: datetime,
    ttl: timedelta,
) -> StoredResponse | None:
    """None if this request owns the key now; the first response if it already ran."""
    for _ in range(3):
        async with sessions() as session:
            session.add(
                IdempotencyKey(
                    account_id=account_id,
                    key=key,
                    fingerprint=print_,
                    state="in_flight",
                    created_at=now,
                    expires_at=now + ttl,
                )
            )
            try:
                await session.commit()
                return None
            except IntegrityError:
                await session.rollback()
            existing = await session.get(IdempotencyKey, (account_id, key))
            if existing is None:
                continue  # expired and swept between our insert and read: try again
            if existing.expires_at <= now:
                await session.execute(
                    delete(IdempotencyKey).where(
                        IdempotencyKey.account_id == account_id,
                        IdempotencyKey.key == key,
                        IdempotencyKey.expires_at <= now,
                    )
                )
                await session.commit()
                continue
            if not hmac.compare_digest(existing.fingerprint, print_):
                raise IdempotencyError(
                    "This Idempotency-Key was already used for a different request; "
                    "use a new key for a new purchase."
                )
            if existing.state == "in_flight" or existing.response_body is None:
                raise StillInFlight(
                    "The same purchase is still being processed; retry in a moment."
                )
            assert existing.response_status is not None
            return StoredResponse(existing.response_status, json.loads(existing.response_body))
    raise StillInFlight("The same purchase is still being processed; retry in a moment.")


async def complete(
    sessions: async_sessionmaker[AsyncSession], account_id: str, key: str, response: StoredResponse
) -> None:
    async with sessions() as session:
        await session.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.account_id == account_id, IdempotencyKey.key == key)
            .values(
                state="completed",
                response_status=response.status,
                response_body=json.dumps(response.body),
            )
        )
        await session.commit()


async def release(sessions: async_sessionmaker[AsyncSession], account_id: str, key: str) -> None:
    """Forget a key whose request failed unexpectedly, so a retry can run it afresh."""
    async with sessions() as session:
        await session.execute(
            delete(IdempotencyKey).where(
                IdempotencyKey.account_id == account_id,
                IdempotencyKey.key == key,
                IdempotencyKey.state == "in_flight",
            )
        )
        await session.commit()


async def sweep_expired(sessions: async_sessionmaker[AsyncSession], now: datetime) -> None:
    async with sessions() as session:
        await session.execute(delete(IdempotencyKey).where(IdempotencyKey.expires_at <= now))
        await session.commit()
