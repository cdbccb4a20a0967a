"""Facts say which way a rate or change went (direction: up, down or empty), so a fall is never shown as
growth. A server default fills the rows already there; the next build writes real values.

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
    with op.batch_alter_table("fact") as batch:
        batch.add_column(sa.Column("direction", sa.String(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("fact") as batch:
        batch.drop_column("direction")
