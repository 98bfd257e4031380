"""The notifications page and the unread count in the header: for every feature's notices
(matching, fund, memberships), so they live with the site, not with one feature."""

from __future__ import annotations

from flask import g, redirect, render_template, url_for
from sqlalchemy import select, update

from ecosystem.core.models import utcnow
from ecosystem.core.notifications import Notification, unread_count
from ecosystem.core.pagination import paginate
from ecosystem.core.permissions import login_required
from ecosystem.extensions import db
from ecosystem.site.views import bp


@bp.app_context_processor
def _unread() -> dict:
    return {"unread_notifications": lambda: unread_count(g.user.id) if g.get("user") else 0}


@bp.get("/notifications")
@login_required
def notifications():
    page = paginate(
        select(Notification)
        .where(Notification.user_id == g.user.id)
        .order_by(Notification.id.desc()),
        per_page=30,
    )
    unread = [n.id for n in page.items if n.read_at is None]
    if unread:
        # Seen is read: the ones on this page are marked, the page still shows them as new.
        db.session.execute(
            update(Notification).where(Notification.id.in_(unread)).values(read_at=utcnow())
        )
    return render_template("site/notifications.html", page=page, new_ids=set(unread))


@bp.post("/notifications/read")
@login_required
def notifications_read():
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == g.user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return redirect(url_for("site.notifications"))
