"""Server-side sign-in sessions.

The signed cookie only carries a random session id; the row in ``user_sessions`` decides
whether it is still valid. Signing out, disabling an account or a timeout ends the row,
and the cookie is worthless from that moment on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets

from flask import Flask, current_app, g, request, session
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from ecosystem.auth.models import User, UserSession
from ecosystem.core.audit import record_audit
from ecosystem.core.models import utcnow
from ecosystem.core.uow import housekeeping
from ecosystem.extensions import db

SESSION_KEY = "sid"
# Writing last_seen_at on every request would turn reads into writes; a minute is precise
# enough for an idle timeout counted in tens of minutes.
TOUCH_INTERVAL = dt.timedelta(seconds=60)
security_log = logging.getLogger("ecosystem.security")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User, via: str = "password") -> UserSession:
    """Sign ``user`` in on this browser with a brand-new session (no fixation)."""
    # The browser's previous session (another account, or this one) ends here: a copy of
    # the old cookie must not stay signed in.
    _end_row(session.get(SESSION_KEY))
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language
    token = secrets.token_urlsafe(32)
    row = UserSession(
        token_hash=_hash(token),
        user_id=user.id,
        ip_address=request.remote_addr or "",
        user_agent=(request.user_agent.string or "")[:300],
        via=via,
    )
    db.session.add(row)
    user.last_login_at = utcnow()
    session[SESSION_KEY] = token
    session.permanent = True
    g.user = user
    record_audit("auth.sign_in", user, actor=user, via=via)
    security_log.info(
        "sign-in",
        extra={"event": "sign_in", "user_id": user.id, "via": via, "ip": request.remote_addr},
    )
    return row


def _end_row(token: str | None) -> None:
    if token:
        db.session.execute(
            update(UserSession)
            .where(UserSession.token_hash == _hash(token), UserSession.ended_at.is_(None))
            .values(ended_at=utcnow())
        )


def end_session() -> None:
    user = g.get("user")
    _end_row(session.get(SESSION_KEY))
    if user is not None:
        record_audit("auth.sign_out", user, actor=user)
        security_log.info(
            "sign-out", extra={"event": "sign_out", "user_id": user.id, "ip": request.remote_addr}
        )
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language
    g.user = None


def end_all_sessions(user: User) -> int:
    result = db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )
    return result.rowcount or 0


def load_signed_in_user() -> None:
    g.user = None
    token = session.get(SESSION_KEY)
    if not token:
        return
    # Every signed-in page needs the user's roles and organisations (navigation,
    # permissions): one round trip brings the session, the user and both, instead of four.
    found = (
        db.session.execute(
            select(UserSession, User)
            .join(User, User.id == UserSession.user_id)
            .where(UserSession.token_hash == _hash(token))
            .options(joinedload(User.roles), joinedload(User.org_links))
        )
        .unique()
        .first()
    )
    row, user = found if found is not None else (None, None)
    now = utcnow()
    if row is None or row.ended_at is not None or not _within_timeouts(row, now):
        if row is not None and row.ended_at is None:
            _write_later(row.id, ended_at=now)
        session.pop(SESSION_KEY, None)
        return
    if user is None or not user.is_active:
        session.pop(SESSION_KEY, None)
        return
    if now - row.last_seen_at > TOUCH_INTERVAL:
        _write_later(row.id, last_seen_at=now)
    g.user = user


def _write_later(row_id: int, **values: object) -> None:
    """Bookkeeping of the session row, written at the end of the request whatever its
    outcome (a refused request still counts as activity), in the request's one transaction."""
    housekeeping(
        lambda: db.session.execute(
            update(UserSession).where(UserSession.id == row_id).values(**values)
        )
    )


def _within_timeouts(row: UserSession, now: dt.datetime) -> bool:
    config = current_app.config
    idle = dt.timedelta(minutes=config["SESSION_IDLE_MINUTES"])
    absolute = dt.timedelta(hours=config["SESSION_MAX_HOURS"])
    return now - row.last_seen_at <= idle and now - row.created_at <= absolute


def init_sessions(app: Flask) -> None:
    app.permanent_session_lifetime = dt.timedelta(hours=app.config["SESSION_MAX_HOURS"])

    @app.before_request
    def _load_user() -> None:
        if request.endpoint == "static":
            g.user = None
            return
        load_signed_in_user()
