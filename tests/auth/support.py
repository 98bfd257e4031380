"""Helpers shared by the account tests and the browser journeys.

``Mailbox`` reads what the file mail backend wrote; ``separate_app`` builds an application
with its own database (a SQLite file, or a private schema of the DATABASE_URL database) for
tests that need real commits, another configuration or a live server.
"""

from __future__ import annotations

import email
import html
import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from email import policy
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlsplit

import sqlalchemy as sa
from celery import _state as celery_state
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from ecosystem import create_app
from ecosystem.auth.models import User
from ecosystem.auth.operations import email_key
from ecosystem.core.audit import AuditEvent
from ecosystem.extensions import db, limiter
from tests.conftest import CSRFClient, make_config


class Mailbox:
    """The .eml files written by the file mail backend, oldest first."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)

    def clear(self) -> None:
        for path in self.folder.glob("*.eml"):
            path.unlink()

    def messages(self, to: str | None = None) -> list[EmailMessage]:
        paths = sorted(self.folder.glob("*.eml"), key=lambda p: (p.stat().st_mtime_ns, p.name))
        found = [email.message_from_bytes(p.read_bytes(), policy=policy.default) for p in paths]
        return [m for m in found if to is None or m["To"] == to]

    def one(self, to: str) -> EmailMessage:
        found = self.messages(to)
        assert len(found) == 1, f"expected one e-mail to {to}, found {len(found)}"
        return found[0]


def body(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def link_path(message: EmailMessage, prefix: str) -> str:
    """The path of the first link in the message whose path starts with ``prefix``."""
    for url in re.findall(r"https?://\S+", body(message)):
        path = urlsplit(url).path
        if path.startswith(prefix):
            return path
    raise AssertionError(f"no link to {prefix} in:\n{body(message)}")


def field_error(response, field_id: str) -> str | None:
    """The error shown under the form field ``field_id`` (as the forms macro renders it)."""
    page = response.get_data(as_text=True)
    found = re.search(rf'<div id="{re.escape(field_id)}-error"[^>]*>(.*?)</div>', page, re.S)
    return html.unescape(found.group(1)).strip() if found else None


def flashes(response) -> list[str]:
    page = response.get_data(as_text=True)
    found = re.findall(
        r'<div class="alert alert-[a-z]+ alert-dismissible[^"]*">\s*(.*?)\s*<button', page, re.S
    )
    return [html.unescape(text).strip() for text in found]


def user_by_email(address: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email_key == email_key(address)))


def user_count() -> int:
    return db.session.scalar(select(func.count(User.id)))


def audit_rows(action: str, **where) -> list[AuditEvent]:
    statement = select(AuditEvent).where(AuditEvent.action == action)
    for column, value in where.items():
        statement = statement.where(getattr(AuditEvent, column) == value)
    return list(db.session.scalars(statement.order_by(AuditEvent.id)))


def _postgres_url(url: str) -> sa.URL:
    parsed = make_url(url)
    return (
        parsed.set(drivername="postgresql+psycopg") if parsed.drivername == "postgresql" else parsed
    )


@contextmanager
def separate_app(tmp_path: Path, **extra: object) -> Iterator[Flask]:
    """A migrated application with a database of its own, removed afterwards.

    On PostgreSQL (DATABASE_URL set) it gets a private schema, so what it commits never
    reaches the shared test database. The process-wide state that creating an app changes
    (Celery's default app, Flask-Limiter's on/off switch) is put back, so the session's
    ``app`` keeps working as before.
    """
    url = os.environ.get("DATABASE_URL")
    schema = None
    if url:
        schema = f"t_{uuid.uuid4().hex[:12]}"
        admin_engine = sa.create_engine(_postgres_url(url))
        with admin_engine.begin() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
        extra.setdefault(
            "SQLALCHEMY_ENGINE_OPTIONS", {"connect_args": {"options": f"-csearch_path={schema}"}}
        )
    else:
        url = f"sqlite:///{tmp_path / 'separate.db'}"
    previous_celery = celery_state.default_app
    limiter_was_enabled = limiter.enabled
    application = create_app(make_config(tmp_path, url, **extra))
    if previous_celery is not None:
        previous_celery.set_default()
    application.test_client_class = CSRFClient
    try:
        with application.app_context():
            upgrade()
        yield application
    finally:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()
        limiter.enabled = limiter_was_enabled
        if schema:
            with admin_engine.begin() as conn:
                conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
            admin_engine.dispose()
