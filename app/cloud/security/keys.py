"""The cloud's keys: one set per purpose, each key named by a key id (``kid``), rotated
without breaking what it already signed.

Purposes:

- ``access``: API access tokens (Ed25519, compact JWS);
- ``web``: the portal's session cookie (Ed25519);
- ``ticket``: session tickets, which agents check with the public half (Ed25519);
- ``csrf``: the HMAC key of the portal's CSRF proofs;
- ``root``: never rotated; derives secrets that must stay stable for as long as what they
  protect (the sandbox's webhook secret, purchase-request fingerprints).

A key of one purpose never verifies another's tokens: the JWS header names the ``kid``
and the kid must belong to the purpose the token claims to be (and its ``typ`` too).

Rotation (``porthole cloud keys rotate``) adds generation n + 1 of a purpose, which
starts signing ``key_publish_s`` later: by then every cloud process has reloaded the keys
(each does every ``key_refresh_s``) and every connected agent has been told the new
ticket key over its control link. The key it replaces signs until then and verifies
until the last thing it signed has expired. ``--revoke`` is for a key that leaked: the
new key signs at once and the old ones stop verifying at once (everyone signs in again).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any, Final

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.cloud.clock import Clock
from app.cloud.db.models import CloudKey
from app.cloud.settings import Settings

ISSUER: Final = "porthole-cloud"
#: Purposes whose keys are Ed25519 seeds that sign tokens.
SIGNING_PURPOSES: Final = ("access", "web", "ticket")
#: What ``keys rotate`` replaces by default: everything but ``root``.
ROTATED_PURPOSES: Final = (*SIGNING_PURPOSES, "csrf")
ALL_PURPOSES: Final = (*ROTATED_PURPOSES, "root")
#: A token's ``typ`` claim → the purpose whose keys may sign it.
_PURPOSE_OF_TYPE: Final = {"access": "access", "web": "web", "session": "ticket"}
#: Clocks of cloud processes and agents differ a little: old keys verify this much longer.
_SKEW = timedelta(minutes=1)


class InvalidToken(Exception):
    """The token is malformed, forged, of the wrong kind, signed by an unknown key or
    expired."""


class KeyRotationConflict(Exception):
    """Another rotation of the same purpose committed first."""


@dataclass(frozen=True)
class Key:
    kid: str
    purpose: str
    generation: int
    secret: bytes
    signs_from: datetime
    verifies_until: datetime | None

    def verifies_at(self, now: datetime) -> bool:
        return self.verifies_until is None or now < self.verifies_until

    def state_at(self, now: datetime) -> str:
        """For ``keys list``: pending, signing, verifying (replaced) or expired."""
        if not self.verifies_at(now):
            return "expired"
        if self.signs_from > now:
            return "pending"
        return "signing" if self.verifies_until is None else "verifying"

    # Built once per key, not on every request that signs or verifies a token.
    @cached_property
    def private_key(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self.secret)

    @cached_property
    def public_key(self) -> Ed25519PublicKey:
        return self.private_key.public_key()

    @property
    def public_key_text(self) -> str:
        """``ed25519:<base64url>``, as agents are given it."""
        raw = self.public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
        return "ed25519:" + base64.urlsafe_b64encode(raw).decode().rstrip("=")


class KeyRing:
    """The keys one cloud process holds: which one signs, which ones verify. Reloaded from
    the database by :func:`refresh`; :meth:`changed` wakes who passes new keys on."""

    def __init__(self, keys: Iterable[Key]) -> None:
        self._keys: tuple[Key, ...] = tuple(keys)
        self._changed = asyncio.Event()

    @property
    def keys(self) -> tuple[Key, ...]:
        return self._keys

    def replace(self, keys: Sequence[Key]) -> bool:
        """Hold ``keys`` instead; True (and waiters woken) when they differ."""
        if tuple(keys) == self._keys:
            return False
        self._keys = tuple(keys)
        self._changed.set()
        self._changed = asyncio.Event()
        return True

    async def changed(self) -> None:
        """Return once the keys next change."""
        await self._changed.wait()

    def signing_key(self, purpose: str, now: datetime) -> Key:
        candidates = [
            key
            for key in self._keys
            if key.purpose == purpose and key.signs_from <= now and key.verifies_at(now)
        ]
        if not candidates:
            raise RuntimeError(f"the cloud has no {purpose} key that signs now")
        return max(candidates, key=lambda key: key.generation)

    def verifying(self, purpose: str, now: datetime) -> list[Key]:
        """Keys of ``purpose`` that verify now, newest first (pending ones included:
        another process may already sign with a key this one thinks is pending)."""
        keys = [key for key in self._keys if key.purpose == purpose and key.verifies_at(now)]
        return sorted(keys, key=lambda key: key.generation, reverse=True)

    def root_secret(self, label: str) -> bytes:
        """A stable secret for ``label``, derived from the root key."""
        root = next(key for key in self._keys if key.purpose == "root")
        return hmac.new(root.secret, f"porthole:{label}".encode(), hashlib.sha256).digest()

    def ticket_keys(self, now: datetime) -> list[tuple[str, str]]:
        """(kid, public key) of every ticket key an agent should accept now or soon."""
        return [(key.kid, key.public_key_text) for key in self.verifying("ticket", now)]

    def issue(self, claims: dict[str, Any], *, now: datetime, ttl_s: int) -> str:
        """A compact JWS of ``claims`` (which name their ``typ``), signed by the key of
        that type's purpose that signs now; its header names the key."""
        key = self.signing_key(_PURPOSE_OF_TYPE[claims["typ"]], now)
        payload = {
            **claims,
            "iss": ISSUER,
            "iat": int(now.timestamp()),
            "exp": int(now.timestamp()) + ttl_s,
        }
        return jwt.encode(payload, key.private_key, algorithm="EdDSA", headers={"kid": key.kid})

    def verify(self, token: str, *, kind: str, now: datetime) -> dict[str, Any]:
        purpose = _PURPOSE_OF_TYPE[kind]
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.PyJWTError as exc:
            raise InvalidToken("token is malformed") from exc
        # Tokens from before key ids were signed by generation 0 (the migrated seed).
        key = next(
            (
                key
                for key in self.verifying(purpose, now)
                if (key.kid == kid if kid is not None else key.generation == 0)
            ),
            None,
        )
        if key is None:
            raise InvalidToken(f"not signed by a current {kind} key")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key.public_key,
                algorithms=["EdDSA"],
                issuer=ISSUER,
                options={
                    "require": ["exp", "iat", "sub", "typ"],
                    "verify_exp": False,
                    "verify_iat": False,
                },
            )
        except jwt.PyJWTError as exc:
            raise InvalidToken("token is malformed or its signature is wrong") from exc
        if claims.get("typ") != kind:
            raise InvalidToken(f"not a {kind} token")
        # Expiry is checked against the injected clock, not the wall clock.
        if not isinstance(claims["exp"], int) or claims["exp"] <= now.timestamp():
            raise InvalidToken("token has expired")
        return claims

    def csrf_proof(self, message: str, now: datetime) -> str:
        return _mac(self.signing_key("csrf", now).secret, message)

    def csrf_matches(self, message: str, presented: str, now: datetime) -> bool:
        return any(
            hmac.compare_digest(presented, _mac(key.secret, message))
            for key in self.verifying("csrf", now)
        )


def _mac(key: bytes, message: str) -> str:
    digest = hmac.new(key, message.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def lifetimes(settings: Settings) -> dict[str, int]:
    """How long, in seconds, the longest-lived thing each purpose signs stays valid."""
    return {
        "access": settings.access_token_ttl_s,
        "web": settings.web_session_ttl_s,
        "ticket": settings.session_ticket_ttl_s,
        "csrf": settings.web_session_ttl_s,
    }


def _row(purpose: str, generation: int, now: datetime, signs_from: datetime) -> CloudKey:
    return CloudKey(
        kid=f"{purpose}-{generation}",
        purpose=purpose,
        generation=generation,
        # An Ed25519 private key is its 32-byte seed; an HMAC key is 32 random bytes.
        secret=secrets.token_bytes(32),
        created_at=now,
        signs_from=signs_from,
        verifies_until=None,
    )


async def load_keys(session: AsyncSession) -> list[Key]:
    rows = await session.scalars(select(CloudKey).order_by(CloudKey.purpose, CloudKey.generation))
    return [
        Key(
            kid=row.kid,
            purpose=row.purpose,
            generation=row.generation,
            secret=bytes(row.secret),
            signs_from=row.signs_from,
            verifies_until=row.verifies_until,
        )
        for row in rows
    ]


async def load_or_create_keys(sessions: async_sessionmaker[AsyncSession], clock: Clock) -> KeyRing:
    """The deployment's keys, shared through the database by every cloud process; a
    purpose with none gets its first key (generation 1, signing at once)."""
    async with sessions() as session:
        present = set(await session.scalars(select(CloudKey.purpose).distinct()))
        now = clock.now()
        for purpose in ALL_PURPOSES:
            if purpose in present:
                continue
            session.add(_row(purpose, 1, now, now))
            try:
                await session.commit()
            except IntegrityError:
                # Another process made it first (same kid): use theirs.
                await session.rollback()
        return KeyRing(await load_keys(session))


async def refresh(sessions: async_sessionmaker[AsyncSession], ring: KeyRing, clock: Clock) -> bool:
    """Reload the keys (another process may have rotated them), forgetting expired ones;
    True when they changed."""
    async with sessions() as session:
        await session.execute(delete(CloudKey).where(CloudKey.verifies_until <= clock.now()))
        await session.commit()
        return ring.replace(await load_keys(session))


async def rotate(
    session: AsyncSession,
    *,
    purposes: Sequence[str],
    now: datetime,
    publish_s: int,
    lifetimes_s: dict[str, int],
    revoke: bool = False,
) -> list[Key]:
    """Make generation n + 1 of each purpose and schedule the end of the older ones; the
    new keys are returned. One transaction: all purposes rotate, or none."""
    signs_from = now if revoke else now + timedelta(seconds=publish_s)
    made: list[CloudKey] = []
    for purpose in purposes:
        if purpose not in ROTATED_PURPOSES:
            raise ValueError(f"{purpose!r} keys are not rotated: choose from {ROTATED_PURPOSES}")
        newest = await session.scalar(
            select(func.max(CloudKey.generation)).where(CloudKey.purpose == purpose)
        )
        ends = now if revoke else signs_from + timedelta(seconds=lifetimes_s[purpose]) + _SKEW
        await session.execute(
            update(CloudKey)
            .where(CloudKey.purpose == purpose, CloudKey.verifies_until.is_(None))
            .values(verifies_until=ends)
        )
        row = _row(purpose, (newest or 0) + 1, now, signs_from)
        session.add(row)
        made.append(row)
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        raise KeyRotationConflict(
            "Another rotation of these keys ran at the same time; list them and try again."
        ) from None
    kids = {row.kid for row in made}
    return [key for key in await load_keys(session) if key.kid in kids]
