"""Fixtures every test package shares: a real store built from the repository's seeds/, and real
databases of both kinds.

PostgreSQL tests get a fresh database `factbot_test_<random>` for the run, made through the admin URL
in FACTBOT_TEST_POSTGRES_URL and dropped at the end. Its TimeZone is Asia/Shanghai, so a datetime
that depends on the session's time zone shows up. Each test then gets a schema of its own in it
(search_path in the URL): creating and dropping a schema is quick, and nothing leaks between tests.
An unreachable server fails these tests; they are never skipped."""

import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine, make_url

from facts.store.db import make_engine
from facts.store.service import FactService
from facts.store.settings import FactSettings

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
POSTGRES_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
E2E = Path(__file__).resolve().parent / "e2e"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything under tests/e2e runs the bot against the fake Telegram server: marked e2e."""
    for item in items:
        if E2E in item.path.parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def service(tmp_path_factory) -> FactService:
    """A FactService over a SQLite store built from the repository's seeds/."""
    url = f"sqlite:///{tmp_path_factory.mktemp('store') / 'facts.db'}"
    service = FactService(make_engine(url), FactSettings(database_url=url, factbot_seeds_dir=SEEDS))
    report = service.build()
    assert report.documents == 5 and not report.skipped
    return service


def autocommit(url: str) -> Engine:
    return create_engine(url, isolation_level="AUTOCOMMIT", pool_pre_ping=True)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL database made for this test run (dropped after it)."""
    admin_url = make_url(os.environ.get("FACTBOT_TEST_POSTGRES_URL", POSTGRES_ADMIN_URL))
    name = f"factbot_test_{secrets.token_hex(4)}"
    admin = autocommit(admin_url)
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
            connection.exec_driver_sql(f"ALTER DATABASE \"{name}\" SET timezone TO 'Asia/Shanghai'")
        yield admin_url.set(database=name).render_as_string(hide_password=False)
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()


@contextmanager
def postgres_schema(postgres_url: str) -> Iterator[str]:
    """An empty schema in the run's database; the URL selects it through search_path."""
    schema = f"t_{secrets.token_hex(6)}"
    admin = autocommit(postgres_url)
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
        yield (
            make_url(postgres_url)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
        with admin.connect() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
    finally:
        admin.dispose()


@contextmanager
def empty_database(backend: str, folder: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """The URL of an empty database of `backend`: a SQLite file in `folder`, or a PostgreSQL schema."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'facts.db'}"
    else:
        with postgres_schema(request.getfixturevalue("postgres_url")) as url:
            yield url


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path) -> Iterator[str]:
    """An empty database, once on SQLite and once on PostgreSQL."""
    with empty_database(request.param, tmp_path, request) as url:
        yield url


@pytest.fixture(scope="session")
def empty_databases(request, tmp_path_factory) -> Callable[[str], AbstractContextManager[str]]:
    """For fixtures of a wider scope than database_url's: `with empty_databases(backend) as url`."""
    return lambda backend: empty_database(backend, tmp_path_factory.mktemp(backend), request)


@pytest.fixture
def engines() -> Iterator[Callable[[str], Engine]]:
    """make_engine for a test: every engine it made is disposed after it (no connection outlives it)."""
    made: list[Engine] = []

    def make(url: str) -> Engine:
        made.append(make_engine(url))
        return made[-1]

    yield make
    for engine in made:
        engine.dispose()
