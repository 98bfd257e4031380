"""Shared fixtures: the app, a per-test transaction that is rolled back, clients, builders.

The suite runs on SQLite by default and on PostgreSQL when DATABASE_URL is set (CI runs
both). Application code may commit: each test's session is bound to one connection whose
outer transaction is rolled back, and commits become savepoints.
"""

from __future__ import annotations

import contextvars
import os
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from flask_migrate import upgrade
from flask_sqlalchemy.session import Session as FlaskSession
from itsdangerous import URLSafeTimedSerializer

from ecosystem import create_app
from ecosystem.core.cache import clear_all as clear_caches
from ecosystem.extensions import db

pytest_plugins = ["tests.builders"]


def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


def make_config(tmp_path: Path, url: str, **extra: object) -> dict[str, object]:
    config: dict[str, object] = {
        "ENV": "testing",
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": url,
        "CELERY_TASK_ALWAYS_EAGER": True,
        "MAIL_BACKEND": "file",
        "MAIL_FILE_DIR": str(tmp_path / "mail"),
        "MATCHING_INDEX_DIR": str(tmp_path / "matching"),
        "SEED_DEMO": False,
        "LOG_FORMAT": "text",
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_ENABLED": False,
    }
    config.update(extra)
    return config


def reset_database() -> None:
    """Start every test session from an empty schema, then migrate it up."""
    engine = db.engine
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
    else:
        db.drop_all()
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    upgrade()


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory):
    instance = tmp_path_factory.mktemp("instance")
    os.environ["ECOSYSTEM_INSTANCE"] = str(instance)
    application = create_app(make_config(instance, database_url(tmp_path_factory)))
    with application.app_context():
        reset_database()
    return application


class _BoundSession(FlaskSession):
    """Flask-SQLAlchemy's session picks the engine per table; in tests it must use our connection."""

    def get_bind(self, *args, **kwargs):
        return self.bind if self.bind is not None else super().get_bind(*args, **kwargs)


@pytest.fixture
def db_session(app):
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        db.session = db._make_scoped_session(
            {
                "bind": connection,
                "join_transaction_mode": "create_savepoint",
                "class_": _BoundSession,
            }
        )
        try:
            yield db.session
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()
            # Counted inside the test's transaction, a cached figure would outlive it.
            clear_caches()


class CSRFClient(FlaskClient):
    """A test client that sends the CSRF token like the real pages do (X-CSRFToken).

    Each request runs in a fresh context, so it gets its own app context (``g``, database
    session, locale) exactly as in production, even though the test holds one open.
    """

    def open(self, *args, **kwargs):
        method = (kwargs.get("method") or "GET").upper()
        if method not in {"GET", "HEAD", "OPTIONS"} and kwargs.pop("csrf", True):
            headers = dict(kwargs.pop("headers", None) or {})
            headers.setdefault("X-CSRFToken", self.csrf_token())
            kwargs["headers"] = headers
        # Read the whole body and close the response, as a WSGI server does: in-process
        # tasks run on close, after the response was sent (core.uow).
        kwargs.setdefault("buffered", True)
        return contextvars.Context().run(super().open, *args, **kwargs)

    def csrf_token(self) -> str:
        return contextvars.Context().run(self._csrf_token)

    def _csrf_token(self) -> str:
        with self.session_transaction() as session:
            raw = session.get("csrf_token")
            if raw is None:
                raw = os.urandom(20).hex()
                session["csrf_token"] = raw
        app = self.application
        return URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)


@pytest.fixture
def client(app, db_session):
    app.test_client_class = CSRFClient
    return app.test_client()


@pytest.fixture
def anon(client):
    return client


def html_text(response) -> str:
    """The visible text of a page, roughly: tags removed, white space collapsed."""
    body = response.get_data(as_text=True)
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).strip()


@pytest.fixture
def sql_count(db_session):
    """Counts statements, to catch N+1 queries on list pages."""
    statements: list[str] = []

    def _count(conn, cursor, statement, *args):
        statements.append(statement)

    engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", _count)
    yield statements
    sa.event.remove(engine, "before_cursor_execute", _count)


@pytest.fixture
def cli(app, db_session):
    """Runs ``flask ARGS`` as an operator would, with its own app context and so its own
    database session (on the test's connection: its commit or rollback stays in the test)."""
    runner = app.test_cli_runner()

    def invoke(*args: str, input: str | None = None):
        return contextvars.Context().run(runner.invoke, args=list(args), input=input)

    return invoke
