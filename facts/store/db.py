"""Engine factory and schema upgrades. Nothing connects at import time.

The schema is Alembic's (facts/migrations, shipped inside the package, one revision per change).
`upgrade_schema` runs on every start: an up-to-date database costs one small query; a database the
old code made with create_all (tables, no alembic_version) is adopted by stamping it first."""

import logging
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event, inspect, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlmodel import create_engine

from facts.errors import FactbotError

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).parent / "migrations"
# pg_advisory_xact_lock key for schema changes ("factbot"); any two starters on one database wait for each other
MIGRATION_LOCK = 0x66616374626F74
TELEGRAM_IDS = {
    "subscription": ("chat_id", "thread_id"),
    "delivery": ("chat_id", "thread_id"),
    "auditentry": ("user_id",),
}


class SchemaError(FactbotError):
    """The database holds tables this code cannot bring up to date."""


class StoreUnavailable(FactbotError):
    """The SQLite file was deleted, replaced or made read-only while the process ran: nothing written
    now would last (and a new connection to a recreated file could share a stale WAL index)."""


@dataclass
class SqliteFile:
    """The file an engine opened first, and what has become of it."""

    path: Path
    identity: tuple[int, int] | None = None  # (device, inode) when first opened
    reported: str | None = None  # the last problem logged (each new one is logged once)

    def problem(self) -> str | None:
        """Why the store cannot be written any more, or None while it is the file we opened, writable."""
        problem: str | None
        try:
            status = self.path.stat()
        except FileNotFoundError:
            problem = f"the database file {self.path} was deleted while the bot ran"
        else:
            if self.identity is not None and (status.st_dev, status.st_ino) != self.identity:
                problem = f"the database file {self.path} was replaced while the bot ran"
            elif not os.access(self.path, os.W_OK) or not status.st_mode & 0o222:
                problem = f"the database file {self.path} is read-only"
            else:
                problem = None
        if problem != self.reported:
            if problem:
                log.error("%s: nothing is written until it is fixed (and the bot restarted)", problem)
            else:
                log.warning("the database file %s is writable again", self.path)
            self.reported = problem
        return problem


def sqlite_file(engine: Engine) -> SqliteFile | None:
    return engine.__dict__.get("_factbot_sqlite_file")


def store_problem(engine: Engine) -> str | None:
    """For /healthz and writers: what is wrong with a SQLite store's file (None for PostgreSQL)."""
    watched = sqlite_file(engine)
    return watched.problem() if watched is not None else None


def watch_sqlite_file(engine: Engine, path: Path) -> None:
    """No new connection to a file that is not the one first opened (a recreated file beside the old
    WAL index is how a process dies of SIGBUS), and no write to a deleted, replaced or read-only one
    (through a connection opened before: the write would be lost)."""
    watched = SqliteFile(path)
    engine.__dict__["_factbot_sqlite_file"] = watched

    @event.listens_for(engine, "do_connect")
    def _same_file(_dialect, _record, _cargs, _cparams):
        if watched.identity is not None and (problem := watched.problem()) and "read-only" not in problem:
            raise StoreUnavailable(problem)

    @event.listens_for(engine, "connect")
    def _remember(_dbapi_connection, _record):
        if watched.identity is None:
            status = path.stat()
            watched.identity = (status.st_dev, status.st_ino)

    @event.listens_for(engine, "before_cursor_execute")
    def _writable(_connection, _cursor, statement, _parameters, _context, _executemany):
        if not statement.lstrip()[:6].upper().startswith(("SELECT", "PRAGMA")) and (
            problem := watched.problem()
        ):
            raise StoreUnavailable(problem)


def make_engine(url: str) -> Engine:
    """An engine for `url`. SQLite files get their folder created and WAL mode (readers never block);
    PostgreSQL goes through psycopg 3 (also for a bare postgresql:// or postgres:// URL)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        if parsed.database and parsed.database != ":memory:" and not parsed.database.startswith("file:"):
            watch_sqlite_file(engine, Path(parsed.database))

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()
    else:
        if parsed.drivername in ("postgresql", "postgres"):
            parsed = parsed.set(drivername="postgresql+psycopg")
        # Each replica: 5 kept connections, 10 more in bursts (a rebuild in its worker thread while
        # questions and digests are answered), 30 s to wait for one as the digest fan-out does;
        # connections are checked before use and renewed after 30 min, so a restarted server or a
        # proxy closing idle ones costs a reconnect, not an error.
        engine = create_engine(
            parsed, pool_pre_ping=True, pool_size=5, max_overflow=10, pool_timeout=30, pool_recycle=1800
        )
    return engine


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration, built in code: no alembic.ini is needed at run time."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


@cache
def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # an installation without its migrations would otherwise never create a table
        raise SchemaError(f"no migration revisions in {MIGRATIONS}")
    return head


def schema_revision(connection: Connection) -> str | None:
    """The revision the database is at; None for an empty one or one the old code made."""
    return MigrationContext.configure(connection).get_current_revision()


def upgrade_schema(engine: Engine) -> None:
    """Bring the database to the newest revision: create it when empty, adopt one the old code made,
    do nothing when it is up to date. Concurrent starters wait for one another (PostgreSQL: an
    advisory lock held until the upgrade commits; SQLite: the database's write lock)."""
    with engine.connect() as connection:
        if schema_revision(connection) == head_revision():
            return
    with engine.connect() as connection, connection.begin():
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN IMMEDIATE")  # the driver would begin only at the first write
        elif connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        config = alembic_config(connection)
        current = schema_revision(connection)  # again: another starter may have upgraded meanwhile
        if current == head_revision():
            return
        if current is None and (legacy := legacy_revision(connection)):
            if connection.dialect.name == "postgresql":
                widen_telegram_ids(connection)
            command.stamp(config, legacy)
        command.upgrade(config, "head")


def legacy_revision(connection: Connection) -> str | None:
    """The revision whose schema a database made by SQLModel's create_all (before migrations) has."""
    tables = set(inspect(connection).get_table_names())
    if not tables & {"document", "fact", "storeinfo", "subscription", "delivery"}:
        return None
    wanted = {
        "document",
        "fact",
        "storeinfo",
        "dailycount",
        "auditentry",
        "subscription",
        "delivery",
        "factchange",
    }
    if missing := sorted(wanted - tables):
        raise SchemaError(
            f"the database has factbot tables from before the digests but not {', '.join(missing)}: "
            "start from an empty database and rebuild the facts"
        )
    delivery = {c["name"] for c in inspect(connection).get_columns("delivery")}
    return "0002" if {"owner", "lease_until", "parts"} <= delivery else "0001"


def widen_telegram_ids(connection: Connection) -> None:
    """create_all made Telegram ids INTEGER, which a supergroup's -100… id overflows on PostgreSQL."""
    for table, columns in TELEGRAM_IDS.items():
        changes = ", ".join(f"ALTER COLUMN {column} TYPE BIGINT" for column in columns)
        connection.exec_driver_sql(f"ALTER TABLE {table} {changes}")
