"""Baseline: the tables as commit ce26c7f made them, with every Telegram id BIGINT.

SQLite stores any INTEGER in 64 bits, so databases the old code made (SQLModel create_all, no
alembic_version) are adopted by stamping this revision; on PostgreSQL, facts.store.db widens their id
columns first. Supergroup chat ids like -1001234567890 overflow a PostgreSQL INTEGER.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "document",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("sha256", sa.String(), nullable=False),
        sa.Column("encoding_note", sa.String(), nullable=False),
        sa.Column("report_year", sa.Integer(), nullable=True),
        sa.Column("main_year", sa.Integer(), nullable=True),
        sa.Column("district", sa.String(), nullable=True),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("facts", sa.Integer(), nullable=False),
        sa.Column("words", sa.JSON(), nullable=True),
    )
    op.create_index("ix_document_name", "document", ["name"], unique=True)

    op.create_table(
        "fact",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("doc", sa.String(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("value_text", sa.String(), nullable=False),
        sa.Column("value_max", sa.Float(), nullable=True),
        sa.Column("unit", sa.String(), nullable=False),
        sa.Column("qualifier", sa.String(), nullable=False),
        sa.Column("figure", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("measure", sa.String(), nullable=False),
        sa.Column("period_label", sa.String(), nullable=True),
        sa.Column("period_start", sa.Integer(), nullable=True),
        sa.Column("period_end", sa.Integer(), nullable=True),
        sa.Column("period_inferred", sa.Boolean(), nullable=False),
        sa.Column("subject_kind", sa.String(), nullable=True),
        sa.Column("subject_name", sa.String(), nullable=True),
        sa.Column("subject_key", sa.String(), nullable=True),
        sa.Column("subject_place", sa.String(), nullable=True),
        sa.Column("subject_explicit", sa.Boolean(), nullable=False),
        sa.Column("sub_scope", sa.Boolean(), nullable=False),
        sa.Column("district", sa.String(), nullable=True),
        sa.Column("indicator", sa.String(), nullable=False),
        sa.Column("quote", sa.Text(), nullable=True),
        sa.Column("sentence", sa.Text(), nullable=True),
        sa.Column("terms", sa.JSON(), nullable=True),
        sa.Column("orgs", sa.JSON(), nullable=True),
    )
    op.create_index("ix_fact_doc", "fact", ["doc"])
    op.create_index("ix_fact_district", "fact", ["district"])

    op.create_table(
        "storeinfo",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("seeds_dir", sa.String(), nullable=False),
        sa.Column("documents", sa.Integer(), nullable=False),
        sa.Column("facts", sa.Integer(), nullable=False),
    )

    op.create_table(
        "dailycount",
        sa.Column("day", sa.String(), primary_key=True),
        sa.Column("answered", sa.Integer(), nullable=False),
        sa.Column("abstained", sa.Integer(), nullable=False),
    )

    op.create_table(
        "auditentry",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("username", sa.String(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("outcome", sa.String(), nullable=False),
    )
    op.create_index("ix_auditentry_at", "auditentry", ["at"])

    op.create_table(
        "subscription",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("thread_id", sa.BigInteger(), nullable=False),
        sa.Column("schedule", sa.String(), nullable=False),
        sa.Column("timezone", sa.String(), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_digest_version", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(), nullable=False),
        sa.UniqueConstraint("chat_id", "thread_id"),
    )
    op.create_index("ix_subscription_chat_id", "subscription", ["chat_id"])

    op.create_table(
        "delivery",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("thread_id", sa.BigInteger(), nullable=False),
        sa.Column("slot", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("chat_id", "thread_id", "slot"),
    )
    op.create_index("ix_delivery_chat_id", "delivery", ["chat_id"])

    op.create_table(
        "factchange",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("change", sa.String(), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
    )
    op.create_index("ix_factchange_version", "factchange", ["version"])


def downgrade() -> None:
    for table in (
        "factchange",
        "delivery",
        "subscription",
        "auditentry",
        "dailycount",
        "storeinfo",
        "fact",
        "document",
    ):
        op.drop_table(table)
