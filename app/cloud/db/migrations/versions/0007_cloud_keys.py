"""Keys per purpose, each with a key id, rotated: ``cloud_keys`` replaces the one
``signing_keys`` seed that signed everything.

A deployment that had a seed keeps it as generation 0 of each purpose, so what it signed
before the upgrade (agents' enrolment keys, portal cookies, access tokens) stays valid
until it would have expired; ``porthole cloud keys rotate`` then replaces it.

Revision ID: 0007
Revises: 0006
"""

import hashlib
import hmac

import sqlalchemy as sa
from alembic import op

from app.cloud.db.types import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

#: The table this replaces, typed so its times come back as aware datetimes.
_SIGNING_KEYS = sa.table(
    "signing_keys",
    sa.column("id", sa.Integer()),
    sa.column("private_key", sa.LargeBinary()),
    sa.column("created_at", UTCDateTime()),
)


def upgrade() -> None:
    keys = op.create_table(
        "cloud_keys",
        sa.Column("kid", sa.String(40), primary_key=True),
        sa.Column("purpose", sa.String(10), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("secret", sa.LargeBinary(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("signs_from", UTCDateTime(), nullable=False),
        sa.Column("verifies_until", UTCDateTime(), nullable=True),
        sa.UniqueConstraint("purpose", "generation", name="uq_cloud_keys_generation"),
    )
    legacy = (
        op.get_bind()
        .execute(
            sa.select(_SIGNING_KEYS.c.private_key, _SIGNING_KEYS.c.created_at).where(
                _SIGNING_KEYS.c.id == 1
            )
        )
        .first()
    )
    if legacy is not None:
        seed, created_at = bytes(legacy[0]), legacy[1]
        # The old CSRF key was derived from the seed; derive it the same way, so open
        # portal pages keep their proofs. ``root`` derives the other stable secrets.
        csrf = hmac.new(seed, b"porthole:csrf", hashlib.sha256).digest()
        rows = [(purpose, seed) for purpose in ("access", "web", "ticket", "root")] + [
            ("csrf", csrf)
        ]
        op.bulk_insert(
            keys,
            [
                {
                    "kid": f"{purpose}-0",
                    "purpose": purpose,
                    "generation": 0,
                    "secret": secret,
                    "created_at": created_at,
                    "signs_from": created_at,
                    "verifies_until": None,
                }
                for purpose, secret in rows
            ],
        )
    op.drop_table("signing_keys")


def downgrade() -> None:
    op.create_table(
        "signing_keys",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("private_key", sa.LargeBinary(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.drop_table("cloud_keys")
