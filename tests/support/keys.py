"""Cloud key rings made in memory, as ``load_or_create_keys`` makes them in the database."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from app.cloud.security.keys import ALL_PURPOSES, Key, KeyRing

LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


def new_key(
    purpose: str,
    generation: int = 1,
    *,
    signs_from: datetime = LONG_AGO,
    verifies_until: datetime | None = None,
) -> Key:
    return Key(
        kid=f"{purpose}-{generation}",
        purpose=purpose,
        generation=generation,
        secret=secrets.token_bytes(32),
        signs_from=signs_from,
        verifies_until=verifies_until,
    )


def fresh_ring() -> KeyRing:
    """Generation 1 of every purpose, signing since long ago."""
    return KeyRing(new_key(purpose) for purpose in ALL_PURPOSES)


def in_a_while(seconds: float) -> datetime:
    return datetime.now(UTC) + timedelta(seconds=seconds)
