"""Helpers for the registry tests: reading pages, counting rows, reading mail."""

from __future__ import annotations

import email
import html
import re
from email import policy
from pathlib import Path

from sqlalchemy import func, select

from ecosystem.core.audit import AuditEvent
from ecosystem.extensions import db


def field_error(response, field_id: str) -> str | None:
    """The error the forms macro shows under the field ``field_id``."""
    page = response.get_data(as_text=True)
    found = re.search(rf'<div id="{re.escape(field_id)}-error"[^>]*>(.*?)</div>', page, re.S)
    return html.unescape(found.group(1)).strip() if found else None


def flashes(response) -> list[str]:
    page = response.get_data(as_text=True)
    found = re.findall(
        r'<div class="alert alert-[a-z]+ alert-dismissible[^"]*">\s*(.*?)\s*<button', page, re.S
    )
    return [html.unescape(re.sub(r"<[^>]+>", "", text)).strip() for text in found]


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def audit_count(action_prefix: str = "") -> int:
    db.session.expire_all()
    statement = select(func.count(AuditEvent.id))
    if action_prefix:
        statement = statement.where(AuditEvent.action.startswith(action_prefix))
    return db.session.scalar(statement) or 0


def audit_rows(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        )
    )


def search_total(response) -> int:
    found = re.search(r'data-total="(\d+)"', response.get_data(as_text=True))
    assert found, "no result count on the page"
    return int(found.group(1))


def result_links(response) -> list[str]:
    """The record links of a results list, in order."""
    page = response.get_data(as_text=True)
    block = page.split('class="list-unstyled search-results"', 1)[-1].split("</ol>", 1)[0]
    return re.findall(r'<a class="fw-semibold" href="([^"]+)"', block)


def mails(folder: str | Path) -> list[email.message.EmailMessage]:
    paths = sorted(Path(folder).glob("*.eml"), key=lambda p: (p.stat().st_mtime_ns, p.name))
    return [email.message_from_bytes(p.read_bytes(), policy=policy.default) for p in paths]


def clear_mail(folder: str | Path) -> None:
    for path in Path(folder).glob("*.eml"):
        path.unlink()
