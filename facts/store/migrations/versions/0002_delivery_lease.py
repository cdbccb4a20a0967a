"""Delivery leases: the replica sending a slot (owner), until when its claim holds (lease_until), how
many messages of the digest are out (parts); and an index on status, which takeovers search by.

Batch mode, so SQLite gets the same change (here plain ALTER TABLE ADD COLUMN, no table copy). The
server defaults fill the rows already there, and keep a replica still on the old code able to insert.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("delivery") as batch:
        batch.add_column(sa.Column("owner", sa.String(), nullable=False, server_default=""))
        batch.add_column(sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("parts", sa.Integer(), nullable=False, server_default="0"))
        batch.create_index("ix_delivery_status", ["status"])


def downgrade() -> None:
    with op.batch_alter_table("delivery") as batch:
        batch.drop_index("ix_delivery_status")
        batch.drop_column("parts")
        batch.drop_column("lease_until")
        batch.drop_column("owner")
