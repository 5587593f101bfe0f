"""Computers: the agent's X25519 key for end-to-end encrypted sessions.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("computers") as batch_op:
        batch_op.add_column(sa.Column("session_public_key", sa.String(100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("computers") as batch_op:
        batch_op.drop_column("session_public_key")
