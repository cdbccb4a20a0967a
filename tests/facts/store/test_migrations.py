"""The schema's migrations, on SQLite and on PostgreSQL: from empty, from a database the old code made,
twice, and from two starters at once."""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import event, inspect
from sqlalchemy.engine import Engine, make_url
from sqlmodel import SQLModel

import bot.state.subscriptions as subs
from bot.state.models import AuditEntry
from facts.store.db import MIGRATION_LOCK, alembic_config, head_revision, schema_revision, upgrade_schema


def old_metadata(commit: str) -> sa.MetaData:
    """The tables SQLModel's create_all made before migrations: at ce26c7f, or at 1cb0697 (which added
    Delivery's lease columns). Telegram ids were INTEGER then."""
    metadata = sa.MetaData()
    sa.Table(
        "document",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("title", sa.String, nullable=False),
        sa.Column("sha256", sa.String, nullable=False),
        sa.Column("encoding_note", sa.String, nullable=False),
        sa.Column("report_year", sa.Integer),
        sa.Column("main_year", sa.Integer),
        sa.Column("district", sa.String),
        sa.Column("lines", sa.Integer, nullable=False),
        sa.Column("facts", sa.Integer, nullable=False),
        sa.Column("words", sa.JSON),
        sa.Index("ix_document_name", "name", unique=True),
    )
    sa.Table(
        "fact",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("doc", sa.String, nullable=False),
        sa.Column("line", sa.Integer, nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("value_text", sa.String, nullable=False),
        sa.Column("value_max", sa.Float),
        *(
            sa.Column(name, sa.String, nullable=False)
            for name in ("unit", "qualifier", "figure", "kind", "measure")
        ),
        sa.Column("period_label", sa.String),
        sa.Column("period_start", sa.Integer),
        sa.Column("period_end", sa.Integer),
        sa.Column("period_inferred", sa.Boolean, nullable=False),
        *(
            sa.Column(name, sa.String)
            for name in ("subject_kind", "subject_name", "subject_key", "subject_place")
        ),
        sa.Column("subject_explicit", sa.Boolean, nullable=False),
        sa.Column("sub_scope", sa.Boolean, nullable=False),
        sa.Column("district", sa.String),
        sa.Column("indicator", sa.String, nullable=False),
        sa.Column("quote", sa.Text),
        sa.Column("sentence", sa.Text),
        sa.Column("terms", sa.JSON),
        sa.Column("orgs", sa.JSON),
        sa.Index("ix_fact_doc", "doc"),
        sa.Index("ix_fact_district", "district"),
    )
    sa.Table(
        "storeinfo",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True)),
        sa.Column("seeds_dir", sa.String, nullable=False),
        sa.Column("documents", sa.Integer, nullable=False),
        sa.Column("facts", sa.Integer, nullable=False),
    )
    sa.Table(
        "dailycount",
        metadata,
        sa.Column("day", sa.String, primary_key=True),
        sa.Column("answered", sa.Integer, nullable=False),
        sa.Column("abstained", sa.Integer, nullable=False),
    )
    sa.Table(
        "auditentry",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer),
        sa.Column("username", sa.String, nullable=False),
        sa.Column("action", sa.String, nullable=False),
        sa.Column("detail", sa.Text),
        sa.Column("outcome", sa.String, nullable=False),
        sa.Index("ix_auditentry_at", "at"),
    )
    sa.Table(
        "subscription",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("chat_id", sa.Integer, nullable=False),
        sa.Column("thread_id", sa.Integer, nullable=False),
        sa.Column("schedule", sa.String, nullable=False),
        sa.Column("timezone", sa.String, nullable=False),
        sa.Column("topics", sa.JSON),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_digest_version", sa.Integer, nullable=False),
        sa.Column("note", sa.String, nullable=False),
        sa.UniqueConstraint("chat_id", "thread_id"),
        sa.Index("ix_subscription_chat_id", "chat_id"),
    )
    lease = [
        sa.Column("owner", sa.String, nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True)),
        sa.Column("parts", sa.Integer, nullable=False),
        sa.Index("ix_delivery_status", "status"),
    ]
    sa.Table(
        "delivery",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("chat_id", sa.Integer, nullable=False),
        sa.Column("thread_id", sa.Integer, nullable=False),
        sa.Column("slot", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("error", sa.String, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        *(lease if commit == "1cb0697" else []),
        sa.UniqueConstraint("chat_id", "thread_id", "slot"),
        sa.Index("ix_delivery_chat_id", "chat_id"),
    )
    sa.Table(
        "factchange",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("change", sa.String, nullable=False),
        sa.Column("text", sa.Text),
        sa.Index("ix_factchange_version", "version"),
    )
    return metadata


AT = datetime(2026, 1, 5, 1, 0, 0, 123456, tzinfo=UTC)


def old_rows(commit: str) -> dict[str, list[dict]]:
    """A row for every table, as the old code wrote them (ids from the sequences)."""
    delivery = {
        "chat_id": -4567,
        "thread_id": 0,
        "slot": AT,
        "status": "sent",
        "attempts": 1,
        "error": "",
        "updated_at": AT,
    }
    if commit == "1cb0697":
        delivery |= {"owner": "host:1", "lease_until": None, "parts": 2}
    return {
        "document": [
            {
                "name": "001.txt",
                "title": "报告",
                "sha256": "ab",
                "encoding_note": "",
                "report_year": 2023,
                "main_year": 2022,
                "district": "江津",
                "lines": 300,
                "facts": 1,
                "words": ["江津班列"],
            }
        ],
        "fact": [
            {
                "doc": "001.txt",
                "line": 161,
                "value": 536.0,
                "value_text": "536",
                "value_max": None,
                "unit": "列",
                "qualifier": "",
                "figure": "536列",
                "kind": "actual",
                "measure": "amount",
                "period_label": "2022年",
                "period_start": 2022 * 12,
                "period_end": 2022 * 12 + 11,
                "period_inferred": False,
                "subject_kind": None,
                "subject_name": None,
                "subject_key": None,
                "subject_place": None,
                "subject_explicit": False,
                "sub_scope": False,
                "district": "江津",
                "indicator": "班列开行",
                "quote": "开行536列",
                "sentence": "开行536列",
                "terms": {"班列": 1.0},
                "orgs": [],
            }
        ],
        "storeinfo": [
            {"id": 1, "version": 3, "built_at": AT, "seeds_dir": "seeds", "documents": 1, "facts": 1}
        ],
        "dailycount": [{"day": "2026-01-05", "answered": 7, "abstained": 2}],
        "auditentry": [
            {"at": AT, "user_id": 42, "username": "admin", "action": "reload", "detail": "", "outcome": "ok"}
        ],
        "subscription": [
            {
                "chat_id": -4567,
                "thread_id": 0,
                "schedule": "daily 09:00",
                "timezone": "Asia/Shanghai",
                "topics": ["班列"],
                "active": True,
                "created_at": AT,
                "updated_at": AT,
                "last_digest_version": 3,
                "note": "",
            }
        ],
        "delivery": [delivery],
        "factchange": [{"version": 3, "at": AT, "change": "added", "text": "001.txt: 班列开行 536列"}],
    }


def differences(engine: Engine) -> list:
    """What alembic autogenerate would change to make the database the models' schema."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, SQLModel.metadata)


def widened_on_sqlite(diff) -> bool:
    """INTEGER → BIGINT on SQLite: the same 64-bit storage, only the declared name differs."""
    return (
        isinstance(diff, list)
        and len(diff) == 1
        and diff[0][0] == "modify_type"
        and isinstance(diff[0][5], sa.Integer)
        and isinstance(diff[0][6], sa.BigInteger)
    )


def test_upgrade_from_empty_gives_the_models_schema(database_url, engines):
    engine = engines(database_url)
    upgrade_schema(engine)
    assert differences(engine) == []
    with engine.connect() as connection:
        assert schema_revision(connection) == head_revision() == "0003"
        assert set(inspect(connection).get_table_names()) == set(SQLModel.metadata.tables) | {
            "alembic_version"
        }


@pytest.mark.parametrize("commit", ["ce26c7f", "1cb0697"])
def test_database_made_by_the_old_code_is_adopted(database_url, engines, commit):
    engine = engines(database_url)
    metadata = old_metadata(commit)
    with engine.begin() as connection:
        metadata.create_all(connection)
        for name, rows in old_rows(commit).items():
            connection.execute(metadata.tables[name].insert(), rows)

    upgrade_schema(engine)

    with engine.connect() as connection:
        assert schema_revision(connection) == head_revision()
        for name, rows in old_rows(commit).items():
            kept = [dict(row._mapping) for row in connection.execute(SQLModel.metadata.tables[name].select())]
            assert [{key: row[key] for key in rows[0]} for row in kept] == rows, name
        delivery = dict(
            connection.execute(sa.text("SELECT owner, lease_until, parts FROM delivery")).one()._mapping
        )
    assert delivery == (
        {"owner": "", "lease_until": None, "parts": 0}
        if commit == "ce26c7f"
        else {"owner": "host:1", "lease_until": None, "parts": 2}
    )
    left = differences(engine)
    if engine.dialect.name == "sqlite":
        left = [diff for diff in left if not widened_on_sqlite(diff)]
    assert left == []
    # the ids the old schema could not hold on PostgreSQL, and sequences that go on from the old rows
    sub = subs.subscribe(
        engine,
        -1001234567890,
        0,
        schedule=None,
        topics=("班列",),
        timezone=None,
        default_timezone="Asia/Shanghai",
        version=3,
    )
    assert sub.chat_id == -1001234567890 and sub.id == 2
    assert subs.claim(engine, -1001234567890, 0, AT)
    assert [(d.id, d.chat_id) for d in subs.deliveries(engine)] == [(1, -4567), (2, -1001234567890)]


def statements_of(engine: Engine, action: Callable[[], object]) -> list[str]:
    seen = []

    def listener(_conn, _cursor, statement, *_args):
        return seen.append(statement)

    event.listen(engine, "before_cursor_execute", listener)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return seen


def test_upgrading_twice_changes_nothing(database_url, engines):
    engine = engines(database_url)
    upgrade_schema(engine)
    with engine.begin() as connection:
        connection.execute(
            AuditEntry.__table__.insert(), [{"at": AT, "username": "a", "action": "build", "outcome": "ok"}]
        )
    again = statements_of(engine, lambda: upgrade_schema(engine))
    assert again and all(s.split()[0].upper() in ("SELECT", "PRAGMA") for s in again), (
        again
    )  # a look, no change
    assert differences(engine) == []
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM alembic_version")).scalar() == 1
        assert connection.execute(sa.text("SELECT count(*) FROM auditentry")).scalar() == 1


def test_downgrade_to_nothing_and_back(database_url, engines):
    engine = engines(database_url)
    upgrade_schema(engine)
    with engine.connect() as connection, connection.begin():
        command.downgrade(alembic_config(connection), "base")
    with engine.connect() as connection:
        assert set(inspect(connection).get_table_names()) == {"alembic_version"}
    upgrade_schema(engine)
    assert differences(engine) == []


class MigrationLock:
    """Holds what upgrade_schema waits for, from a connection of its own: PostgreSQL's advisory lock,
    or SQLite's write lock."""

    def __init__(self, engine: Engine):
        self.connection = engine.connect()

    def __enter__(self):
        if self.connection.dialect.name == "sqlite":
            self.connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            self.connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        return self

    def __exit__(self, *_exc):
        self.connection.rollback()
        self.connection.close()


def bounded(url: str) -> str:
    """On PostgreSQL, lock waits that end in an error after 20 s (had the lock gone, two migrations
    could block each other): the test fails instead of hanging."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return url
    options = f"{parsed.query.get('options', '')} -clock_timeout=20s".strip()
    return parsed.update_query_dict({"options": options}).render_as_string(hide_password=False)


def test_two_starters_at_once_migrate_once(database_url, engines):
    """Two processes starting together on an empty database: both wait for the lock, one migrates,
    the other then finds the schema up to date."""
    starters = [engines(bounded(database_url)) for _ in range(2)]
    everyone = threading.Barrier(len(starters))

    def start(engine: Engine) -> str:
        everyone.wait()
        upgrade_schema(engine)
        with engine.connect() as connection:
            return schema_revision(connection)

    observer = engines(database_url)
    with ThreadPoolExecutor(len(starters)) as pool:
        with MigrationLock(observer):
            started = [pool.submit(start, engine) for engine in starters]
            threading.Event().wait(0.5)
            assert not any(f.done() for f in started), [f.exception() for f in started if f.done()]
            assert not inspect(observer).get_table_names()  # nobody got past the lock
        assert [f.result(timeout=60) for f in started] == [head_revision()] * len(starters)
    assert differences(observer) == []
    with observer.connect() as connection:
        assert connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all() == [
            "0003"
        ]


def test_facts_of_a_0002_store_keep_their_rows_and_gain_a_direction(database_url, engines):
    engine = engines(database_url)
    with engine.connect() as connection, connection.begin():
        command.upgrade(alembic_config(connection), "0002")
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO fact (doc, line, value, value_text, unit, qualifier, figure, kind, measure,"
                " period_inferred, subject_explicit, sub_scope, indicator, quote, sentence, terms, orgs)"
                " VALUES ('a.txt', 3, 37.4, '37.4', '%', '', '37.4%', 'actual', 'growth',"
                " false, false, false, '出栏牛增速', '下降37.4%', '下降37.4%', '{}', '[]')"
            )
        )
    upgrade_schema(engine)
    assert differences(engine) == []
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT value, direction FROM fact")).one() == (37.4, "")
