"""Both ways of making the schema (the migrations the app runs, and db.create_all) give the
database its no-overlap rule: the exclusion constraint on PostgreSQL, the trigger on SQLite."""

from __future__ import annotations

import os
import uuid

import pytest
import sqlalchemy as sa

from ecosystem.app import import_models
from ecosystem.extensions import db

# In this connection's own schema: other private schemas (the browser tests' live server)
# may exist at the same moment.
EXCLUSION = (
    "SELECT count(*) FROM pg_constraint WHERE conname = 'ex_lab_holds_no_overlap'"
    " AND connamespace = current_schema()::regnamespace"
)
TRIGGERS = "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'lab_holds_no_overlap%'"


def _count(connection) -> int:
    sql = EXCLUSION if connection.dialect.name == "postgresql" else TRIGGERS
    return connection.exec_driver_sql(sql).scalar()


def test_the_migrated_database_has_the_rule(app, db_session):
    expected = 1 if db.engine.dialect.name == "postgresql" else 2
    assert _count(db.session.connection()) == expected


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_create_all_makes_the_rule_too(tmp_path, backend):
    url = os.environ.get("DATABASE_URL")
    if backend == "postgresql" and not url:
        pytest.skip("PostgreSQL: set DATABASE_URL")

    import_models()
    if backend == "sqlite":
        engine = sa.create_engine(f"sqlite:///{tmp_path / 'create_all.db'}")
        db.metadata.create_all(engine)
        with engine.connect() as connection:
            assert _count(connection) == 2
        engine.dispose()
        return
    schema = f"t_{uuid.uuid4().hex[:10]}"
    url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    admin = sa.create_engine(url)
    with admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    engine = sa.create_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    try:
        db.metadata.create_all(engine)
        with engine.connect() as connection:
            found = connection.exec_driver_sql(
                "SELECT count(*) FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace"
                f" WHERE c.conname = 'ex_lab_holds_no_overlap' AND n.nspname = '{schema}'"
            ).scalar()
            assert found == 1
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()
