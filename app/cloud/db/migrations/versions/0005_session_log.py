"""The session log: who opened a session to which computer, from which device and address,
when, for how long, by which path, and how it ended.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

from app.cloud.db.types import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "session_log",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "account_id",
            sa.String(36),
            sa.ForeignKey("accounts.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("computer_id", sa.String(36), nullable=False),
        sa.Column("computer_name", sa.String(200), nullable=False),
        sa.Column("device_name", sa.String(100), nullable=False),
        sa.Column("viewer_address", sa.String(100), nullable=False),
        sa.Column("granted_at", UTCDateTime(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=True),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.Column("path", sa.String(10), nullable=True),
        sa.Column("outcome", sa.String(20), nullable=True),
    )
    op.create_index("ix_session_log_account_granted", "session_log", ["account_id", "granted_at"])


def downgrade() -> None:
    op.drop_index("ix_session_log_account_granted", "session_log")
    op.drop_table("session_log")
