"""Migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import UTC, datetime

import jwt
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection, Integer, LargeBinary, column, table

from app.cloud.app import close_context, open_context
from app.cloud.clock import OffsetClock
from app.cloud.context import CloudContext
from app.cloud.db.engine import create_engine
from app.cloud.db.migrate import upgrade_database
from app.cloud.db.models import Base
from app.cloud.db.types import UTCDateTime
from tests.conftest import fast_settings

#: Where the one key was kept before revision 0007.
_SIGNING_KEYS = table(
    "signing_keys",
    column("id", Integer()),
    column("private_key", LargeBinary()),
    column("created_at", UTCDateTime()),
)


def _differences(connection: Connection) -> list[object]:
    return list(compare_metadata(MigrationContext.configure(connection), Base.metadata))


async def test_migrated_schema_matches_the_models(cloud_context: CloudContext) -> None:
    async with cloud_context.engine.connect() as connection:
        assert await connection.run_sync(_differences) == []


async def test_migrating_again_is_harmless(cloud_context: CloudContext) -> None:
    # Every cloud process migrates at start; the second one must find nothing to do.
    await upgrade_database(cloud_context.engine)
    async with cloud_context.engine.connect() as connection:
        assert await connection.run_sync(_differences) == []


async def test_a_deployment_keeps_what_its_one_key_signed(database_url: str) -> None:
    """Before key ids, one Ed25519 seed signed everything: after the upgrade it is
    generation 0 of each purpose, so tokens and cookies without a ``kid`` still verify,
    and the secrets derived from it (CSRF proofs, the webhook secret) stay the same."""
    engine = create_engine(database_url)
    await upgrade_database(engine, "0006")
    seed = secrets.token_bytes(32)
    async with engine.begin() as connection:
        await connection.execute(
            _SIGNING_KEYS.insert().values(id=1, private_key=seed, created_at=datetime.now(UTC))
        )
    await engine.dispose()
    now = datetime.now(UTC)
    old_token = jwt.encode(
        {
            "sub": "acc-1",
            "sid": "si-1",
            "typ": "web",
            "iss": "porthole-cloud",
            "iat": int(now.timestamp()),
            "exp": int(now.timestamp()) + 600,
        },
        Ed25519PrivateKey.from_private_bytes(seed),
        algorithm="EdDSA",
    )
    old_csrf_key = hmac.new(seed, b"porthole:csrf", hashlib.sha256).digest()
    old_proof = (
        base64.urlsafe_b64encode(hmac.new(old_csrf_key, b"csrf:si-1", hashlib.sha256).digest())
        .decode()
        .rstrip("=")
    )

    ctx = await open_context(fast_settings(database_url), OffsetClock())
    try:
        assert ctx.keys.verify(old_token, kind="web", now=now)["sid"] == "si-1"
        assert ctx.keys.csrf_matches("csrf:si-1", old_proof, now)
        webhook = hmac.new(seed, b"porthole:payment-webhook", hashlib.sha256).digest()
        assert ctx.keys.root_secret("payment-webhook") == webhook
        # What it signs from now on names its key.
        issued = ctx.keys.issue({"sub": "a", "sid": "s", "typ": "access"}, now=now, ttl_s=60)
        assert jwt.get_unverified_header(issued)["kid"] == "access-0"
    finally:
        await close_context(ctx)
