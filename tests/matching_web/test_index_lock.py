"""The lock around index changes holds for the whole rebuild, across its progress commits."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import text

from ecosystem.extensions import db
from ecosystem.matching import saved_index
from tests.auth.support import separate_app


def _lock_is_free() -> bool:
    with db.engine.connect() as connection:
        free = connection.execute(
            text("SELECT pg_try_advisory_lock(:key)"), {"key": saved_index._ADVISORY_KEY}
        ).scalar()
        if free:
            connection.execute(
                text("SELECT pg_advisory_unlock(:key)"), {"key": saved_index._ADVISORY_KEY}
            )
        connection.commit()
    return bool(free)


@pytest.mark.skipif(not os.environ.get("DATABASE_URL"), reason="an advisory lock: PostgreSQL")
def test_the_lock_outlives_the_commits_inside_it(tmp_path):
    with separate_app(tmp_path) as application, application.app_context():
        assert _lock_is_free()
        with saved_index.index_lock():
            db.session.execute(text("SELECT 1"))
            db.session.commit()  # a job reporting its progress
            assert not _lock_is_free()
            with saved_index.index_lock():  # re-entrant: no deadlock with itself
                db.session.commit()
            assert not _lock_is_free()
        assert _lock_is_free()


def test_the_lock_is_reentrant_and_released(app, db_session):
    with saved_index.index_lock():
        with saved_index.index_lock():
            pass
        assert saved_index._held.depth == 1
    assert saved_index._held.depth == 0
    if db.session.get_bind().dialect.name != "postgresql":
        assert saved_index._process_lock.acquire(blocking=False)
        saved_index._process_lock.release()
