"""The cloud's Ed25519 key: signs access tokens and session tickets."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.cloud.clock import Clock
from app.cloud.db.models import SigningKey

_ISSUER = "porthole-cloud"


class InvalidToken(Exception):
    """The token is malformed, forged, of the wrong kind or expired."""


@dataclass(frozen=True)
class Signer:
    private_key: Ed25519PrivateKey

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.private_key.public_key()

    @property
    def public_key_text(self) -> str:
        raw = self.public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
        return "ed25519:" + base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def issue(self, claims: dict[str, Any], *, now: datetime, ttl_s: int) -> str:
        payload = {
            **claims,
            "iss": _ISSUER,
            "iat": int(now.timestamp()),
            "exp": int(now.timestamp()) + ttl_s,
        }
        return jwt.encode(payload, self.private_key, algorithm="EdDSA")

    def verify(self, token: str, *, kind: str, now: datetime) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self.public_key,
                algorithms=["EdDSA"],
                issuer=_ISSUER,
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


def signer_from_seed(seed: bytes) -> Signer:
    return Signer(Ed25519PrivateKey.from_private_bytes(seed))


def seed_of(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


async def load_or_create_signer(sessions: async_sessionmaker[AsyncSession], clock: Clock) -> Signer:
    """The deployment's key, shared through the database by every cloud process."""
    async with sessions() as session:
        existing = await session.scalar(select(SigningKey).where(SigningKey.id == 1))
        if existing is not None:
            return signer_from_seed(existing.private_key)
        session.add(
            SigningKey(
                id=1, private_key=seed_of(Ed25519PrivateKey.generate()), created_at=clock.now()
            )
        )
        try:
            await session.commit()
        except IntegrityError:
            # Another process created it first; use theirs.
            await session.rollback()
        stored = await session.scalar(select(SigningKey).where(SigningKey.id == 1))
        assert stored is not None
        return signer_from_seed(stored.private_key)
