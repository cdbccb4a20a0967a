"""Alembic's environment for factbot's schema: one migration history for the fact store's tables
(facts/store/models.py) and the bot's own (bot/state/models.py), so existing databases upgrade in place.
This file runs only under Alembic (at start-up or for a developer), never when `facts` is imported.

At run time facts.store.db builds the Config in code and hands over its connection, already inside the
transaction that holds the migration lock (config.attributes["connection"]). A developer making a
new revision uses the root alembic.ini instead, and this file connects to DATABASE_URL (or the ini's
sqlalchemy.url) itself."""

import os

from alembic import context
from sqlmodel import SQLModel

import bot.state.models  # noqa: F401  (registers the bot's tables on SQLModel.metadata)
import facts.store.models  # noqa: F401  (registers the store's tables)
from facts.store.db import make_engine
from facts.store.models import UTCDateTime


def render_item(kind, obj, autogen_context):
    """New revisions spell the models' column types in plain SQLAlchemy, so they never import facts."""
    if kind == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if kind == "type" and type(obj).__name__ == "AutoString":  # sqlmodel's str type: VARCHAR
        return "sa.String()"
    return False


def run_migrations(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=True,
        compare_type=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("factbot's migrations run against a database (no --sql mode)")
connection = context.config.attributes.get("connection")
if connection is not None:
    run_migrations(connection)
else:
    url = os.environ.get("DATABASE_URL") or context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit("factbot's migrations need DATABASE_URL (or sqlalchemy.url in alembic.ini)")
    engine = make_engine(url)
    try:
        with engine.connect() as own:
            run_migrations(own)
    finally:
        engine.dispose()
