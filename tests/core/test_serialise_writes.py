"""core.db.serialise_writes: on SQLite a unit of work that read before it writes can still
become the writer after another one committed (BEGIN IMMEDIATE), instead of failing."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from ecosystem.core.db import configure_sqlite, serialise_writes


@pytest.fixture
def engine(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'w.db'}")
    configure_sqlite(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (n INTEGER)")
    yield engine
    engine.dispose()


def _read_then_other_writes(engine) -> Session:
    session = Session(engine)
    session.execute(sa.text("SELECT count(*) FROM t")).scalar()  # a read snapshot
    with Session(engine) as other:
        other.execute(sa.text("INSERT INTO t VALUES (1)"))
        other.commit()
    return session


def test_without_it_the_stale_reader_cannot_write(engine):
    session = _read_then_other_writes(engine)
    with pytest.raises(OperationalError, match="locked"):
        session.execute(sa.text("INSERT INTO t VALUES (2)"))
    session.close()


def test_with_it_the_reader_becomes_the_writer(engine):
    session = _read_then_other_writes(engine)
    serialise_writes(session)
    assert session.execute(sa.text("SELECT count(*) FROM t")).scalar() == 1  # a fresh view
    session.execute(sa.text("INSERT INTO t VALUES (2)"))
    session.commit()
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM t").scalar() == 2


def test_a_connection_someone_else_owns_is_left_alone(engine):
    """The tests' rolled-back transaction (and any caller's own connection): no rollback."""
    with engine.connect() as connection:
        connection.begin()
        session = Session(bind=connection)
        session.execute(sa.text("INSERT INTO t VALUES (3)"))
        serialise_writes(session)
        assert session.execute(sa.text("SELECT count(*) FROM t")).scalar() == 1
        session.close()
