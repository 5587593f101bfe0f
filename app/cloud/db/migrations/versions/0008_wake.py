"""Computers: the network adapters their agents report and the address their control
link came from, for Wake-on-LAN.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("computers") as batch_op:
        batch_op.add_column(sa.Column("adapters", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("link_address", sa.String(100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("computers") as batch_op:
        batch_op.drop_column("link_address")
        batch_op.drop_column("adapters")
