"""The iCalendar feeds' pages: list, create and revoke one's feeds; the feed itself."""

from __future__ import annotations

from flask import abort, g, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from ecosystem.core.permissions import login_required
from ecosystem.core.uow import attempt
from ecosystem.extensions import db
from ecosystem.labs import feeds
from ecosystem.labs.blueprint import bp, equipment_or_404
from ecosystem.labs.models import Equipment, FeedToken

_NEW_SECRET = "labs_new_feed"


@bp.get("/feeds")
@login_required
def feeds_page():
    secret = session.pop(_NEW_SECRET, None)
    tokens = feeds.my_feeds(g.user)
    names = {
        e.id: e.name(str(get_locale()))
        for e in db.session.scalars(
            db.select(Equipment).where(
                Equipment.id.in_([t.equipment_id for t in tokens if t.equipment_id])
            )
        )
    }
    return render_template(
        "labs/feeds.html",
        tokens=tokens,
        names=names,
        new_url=url_for(".ical", secret=secret, _external=True) if secret else None,
    )


@bp.post("/feeds")
@login_required
def create_feed():
    equipment_id = request.form.get("equipment_id", type=int)
    equipment = equipment_or_404(equipment_id) if equipment_id else None
    created: dict[str, str] = {}

    def create() -> None:
        _token, created["secret"] = feeds.create_feed(g.user, equipment)

    if attempt(create, _("Đã tạo địa chỉ lịch; hãy sao chép nó vào ứng dụng lịch của bạn.")):
        # Shown once, on the next page: the secret itself is never stored.
        session[_NEW_SECRET] = created["secret"]
    return redirect(url_for(".feeds_page"))


@bp.post("/feeds/<int:token_id>/revoke")
@login_required
def revoke_feed(token_id: int):
    token = db.session.get(FeedToken, token_id)
    if token is None or token.user_id != g.user.id:
        abort(404)
    attempt(lambda: feeds.revoke_feed(token, g.user), _("Đã thu hồi địa chỉ lịch."))
    return redirect(url_for(".feeds_page"))


@bp.get("/ical/<secret>.ics")
def ical(secret: str):
    token = feeds.token_for(secret[:100])
    if token is None:
        abort(404)
    return (
        feeds.render_feed(token),
        200,
        {"Content-Type": "text/calendar; charset=utf-8", "Cache-Control": "private, no-store"},
    )
