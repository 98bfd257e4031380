"""Database engine set-up that the ORM alone does not give us."""

from __future__ import annotations

import contextvars
from typing import Any

from flask import g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

# Set by serialise_writes(): the next transaction on SQLite starts as BEGIN IMMEDIATE.
_IMMEDIATE: contextvars.ContextVar[bool] = contextvars.ContextVar("sqlite_immediate", default=False)


def configure_sqlite(engine: Engine) -> None:
    """WAL, foreign keys, a busy timeout, and transactions SQLAlchemy fully controls.

    pysqlite opens transactions lazily and ignores SAVEPOINT semantics; taking over BEGIN
    (the recipe from SQLAlchemy's SQLite notes) makes nested transactions work, which the
    per-test rollback and the import dry run rely on.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        if not _is_memory(engine):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        immediate = _IMMEDIATE.get() or _writes()
        _IMMEDIATE.set(False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _writes() -> bool:
    """Whether the transaction about to begin is a request's that will write.

    SQLite lets a reading transaction upgrade to a writer only if no one else committed since
    it began; otherwise the write fails at once ("database is locked"), whatever the busy
    timeout. A form post, an API write or the book-keeping step therefore takes the write
    lock when it begins, and waits its turn (busy timeout) instead of failing. Page views
    read in parallel; tasks and commands keep deferred transactions, so a long rebuild does
    not hold the lock while it reads.
    """
    if not has_request_context():
        return False
    return request.method not in ("GET", "HEAD", "OPTIONS") or bool(g.get("write_transaction"))


def serialise_writes(session: Any) -> None:
    """Make the rest of this unit of work the database's only writer (SQLite).

    SQLite admits one writer at a time, but a transaction that has read before it writes
    cannot become the writer once another one committed ("database is locked", at once).
    An operation that must check and then write as one step (a booking's free slot) calls
    this before it reads anything it will judge: on SQLite the transaction so far, which
    has only read, is ended and the next one starts with BEGIN IMMEDIATE, waiting (busy
    timeout) for the write lock instead of failing. PostgreSQL needs nothing here: its
    row locks and constraints do the work. Call it before the unit of work has written.
    """
    bind = session.get_bind()
    if bind.dialect.name != "sqlite" or isinstance(bind, Connection):
        return  # PostgreSQL; or a connection whose transaction someone else owns (tests)
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("serialise_writes() must run before the unit of work writes")
    _IMMEDIATE.set(True)
    session.rollback()


def _is_memory(engine: Engine) -> bool:
    database = engine.url.database
    return not database or database == ":memory:" or "mode=memory" in str(engine.url)


# Full-text structures are created by hand-written migration steps and are not in the
# models: autogenerate (and the drift test) must not try to drop them.
UNMODELLED_TABLE_PREFIXES = ("search_fts",)
UNMODELLED_COLUMNS = {("search_entries", "search_vector")}
UNMODELLED_INDEXES = {"ix_search_entries_search_vector"}


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    if type_ == "table" and name and name.startswith(UNMODELLED_TABLE_PREFIXES):
        return False
    if type_ == "column" and (getattr(obj.table, "name", None), name) in UNMODELLED_COLUMNS:
        return False
    return not (type_ == "index" and name in UNMODELLED_INDEXES)
