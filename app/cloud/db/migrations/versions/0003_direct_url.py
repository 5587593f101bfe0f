"""Computers: where viewers may reach the agent directly.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("computers") as batch_op:
        batch_op.add_column(sa.Column("direct_url", sa.String(300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("computers") as batch_op:
        batch_op.drop_column("direct_url")
