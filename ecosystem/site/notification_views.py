"""The notifications page and the unread count in the header: for every feature's notices
(matching, fund, memberships), so they live with the site, not with one feature."""

from __future__ import annotations

from flask import g, redirect, render_template, url_for
from sqlalchemy import select

from ecosystem.core.notifications import Notification, mark_read, unread_count
from ecosystem.core.pagination import paginate
from ecosystem.core.permissions import login_required
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
    # Seen is read: the ones on this page are marked, the page still shows them as new.
    unread = mark_read(g.user, [n.id for n in page.items if n.read_at is None])
    return render_template("site/notifications.html", page=page, new_ids=set(unread))


@bp.post("/notifications/read")
@login_required
def notifications_read():
    mark_read(g.user)
    return redirect(url_for("site.notifications"))
