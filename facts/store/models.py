"""Tables: the reports, their facts, the store's version and what each reload changed.

The schema changes only through a migration (facts/store/migrations/versions), one per change; the
bot's own tables (bot/state/models.py) share that one migration history."""

from datetime import UTC, datetime

from sqlalchemy import JSON, Column, DateTime, Table, Text, TypeDecorator, inspect
from sqlmodel import Field, SQLModel


def table_of(model: type[SQLModel]) -> Table:
    """The Core table behind a table model, for the statements that skip the ORM (bulk inserts, plain
    column reads, upserts). SQLModel sets `__table__` on each table model but does not declare it."""
    table = inspect(model).local_table
    if not isinstance(table, Table):
        raise TypeError(f"{model.__name__} is not a table model")
    return table


class UTCDateTime(TypeDecorator):
    """Aware UTC in, aware UTC out, whatever the database. PostgreSQL keeps `timestamp with time zone`
    (an instant, so the session's TimeZone cannot shift it, and server-side now() compares right);
    SQLite keeps the UTC wall clock as text, as it always has."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


class Document(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True)  # the file name
    title: str
    sha256: str
    encoding_note: str = ""
    report_year: int | None = None
    main_year: int | None = None
    district: str | None = None
    lines: int = 0
    facts: int = 0
    words: list = Field(default_factory=list, sa_column=Column(JSON))  # names learned from the report


class Fact(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    doc: str = Field(index=True)
    line: int
    value: float
    value_text: str
    value_max: float | None = None
    unit: str
    qualifier: str = ""
    figure: str  # as written: 约148亿元, 67%—79%
    kind: str  # actual | target | forecast | cumulative
    measure: str  # amount | growth | share | rank
    period_label: str | None = None
    period_start: int | None = None  # month index year*12+month-1; None = "up to"
    period_end: int | None = None
    period_inferred: bool = False
    subject_kind: str | None = None
    subject_name: str | None = None
    subject_key: str | None = None
    subject_place: str | None = None
    subject_explicit: bool = False
    sub_scope: bool = False
    district: str | None = Field(default=None, index=True)  # the report's district: 江津
    indicator: str = ""
    quote: str = Field(sa_column=Column(Text))  # verbatim span of the file
    sentence: str = Field(sa_column=Column(Text))  # the same span, repaired, for display
    terms: dict = Field(default_factory=dict, sa_column=Column(JSON))
    orgs: list = Field(default_factory=list, sa_column=Column(JSON))
    direction: str = Field(default="", sa_column_kwargs={"server_default": ""})  # up | down | ""


class StoreInfo(SQLModel, table=True):
    """One row: which build is serving. Readers compare `version` to know when to reload."""

    id: int = Field(default=1, primary_key=True)
    version: int = 0
    built_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    seeds_dir: str = ""
    documents: int = 0
    facts: int = 0


class FactChange(SQLModel, table=True):
    """What a reload changed, kept so each chat's next digest can say "since the last digest"."""

    id: int | None = Field(default=None, primary_key=True)
    version: int = Field(index=True)  # the store version the reload produced
    at: datetime = Field(sa_type=UTCDateTime)
    change: str  # added | removed | changed
    text: str = Field(sa_column=Column(Text))
