"""Public pages of the labs (catalogue, lab, equipment with its week) and bookings."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from ecosystem.core.db import serialise_writes
from ecosystem.core.errors import UserError
from ecosystem.core.formatting import parse_date, parse_vnd
from ecosystem.core.models import utcnow
from ecosystem.core.permissions import login_required, require
from ecosystem.core.uow import atomic, attempt
from ecosystem.extensions import db
from ecosystem.labs import bookings as ops
from ecosystem.labs import calendars, links, queries
from ecosystem.labs import permissions as perms
from ecosystem.labs.blueprint import booking_or_404, bp, equipment_or_404, lab_or_404
from ecosystem.labs.forms import BookingForm, ReasonForm
from ecosystem.labs.models import Lab, UserKind
from ecosystem.labs.rules import SlotTaken, valid_authorisation
from ecosystem.labs.waitlist import join_waitlist
from ecosystem.registry.models import Organisation, ResearchField, ResearchResult
from ecosystem.workflow.models import Award

FIELD_MAP = {"starts_at": "start_time", "ends_at": "end_time"}


def _filters() -> queries.Filters:
    args = request.args

    def money(name: str) -> int | None:
        try:
            return parse_vnd(args[name]) if (args.get(name) or "").strip() else None
        except ValueError:
            return None

    try:
        day = parse_date(args["date"]) if (args.get("date") or "").strip() else None
    except ValueError:
        day = None
    kind = args.get("kind", "enterprise")
    return queries.Filters(
        q=(args.get("q") or "")[:200],
        field=(args.get("field") or "")[:64],
        organisation_id=args.get("organisation", type=int),
        fee_min=money("fee_min"),
        fee_max=money("fee_max"),
        available_on=day,
        kind=UserKind(kind) if kind in UserKind.__members__ else UserKind.enterprise,
    )


@bp.get("/")
def index():
    filters = _filters()
    return render_template(
        "labs/index.html",
        items=queries.search_equipment(filters),
        filters=filters,
        labs=db.session.scalars(
            sa.select(Lab).where(Lab.is_published.is_(True)).order_by(Lab.name_vi)
        ).all(),
        organisations=queries.organisations_with_labs(),
        fields=db.session.scalars(sa.select(ResearchField).order_by(ResearchField.code)).all(),
        locale=str(get_locale()),
        can_create=perms.can_create_lab(g.user),
    )


@bp.get("/<int:lab_id>")
def lab(lab_id: int):
    item = lab_or_404(lab_id)
    return render_template(
        "labs/lab.html",
        lab=item,
        locale=str(get_locale()),
        can_manage=perms.can_manage_lab(g.user, item),
        hours=calendars.opening_rows(item),
    )


def _booking_form(equipment) -> BookingForm:
    form = BookingForm()
    orgs = (
        db.session.scalars(
            sa.select(Organisation).where(Organisation.id.in_(sorted(g.user.active_org_ids)))
        ).all()
        if g.user
        else []
    )
    form.organisation_id.choices = [(o.id, o.name_vi) for o in orgs]
    org_ids = {o.id for o in orgs}
    form.award_id.choices = [(0, "—")] + [
        (a.id, f"{a.contract_number} – {a.application.title}") for a in links.awards_of(org_ids)
    ]
    form.result_id.choices = [(0, "—")] + [(r.id, r.title) for r in links.results_of(org_ids)]
    return form


@bp.get("/equipment/<int:equipment_id>")
def equipment(equipment_id: int):
    item = equipment_or_404(equipment_id)
    return _equipment_page(item, _booking_form(item))


def _equipment_page(item, form: BookingForm, status: int = 200, clash: Any = None):
    week = calendars.week_of(request.args.get("week"))
    manages = perms.can_manage_lab(g.user, item.lab)
    return (
        render_template(
            "labs/equipment.html",
            equipment=item,
            lab=item.lab,
            form=form,
            clash=clash,
            locale=str(get_locale()),
            week=calendars.equipment_week(item, week, show_names=manages),
            week_start=week,
            prev_week=(week - dt.timedelta(days=7)).isoformat(),
            next_week=(week + dt.timedelta(days=7)).isoformat(),
            can_manage=manages,
            authorisation=valid_authorisation(g.user, item, utcnow().date()) if g.user else None,
        ),
        status,
    )


@bp.post("/equipment/<int:equipment_id>/book")
@login_required
def book(equipment_id: int):
    item = equipment_or_404(equipment_id)
    form = _booking_form(item)
    if not form.validate_on_submit():
        return _equipment_page(item, form, 422)
    starts_at, ends_at = form.moments()
    data = {
        "starts_at": starts_at,
        "ends_at": ends_at,
        "samples": form.samples.data or 0,
        "purpose": form.purpose.data or "",
        "organisation_id": form.organisation_id.data or None,
        "award_id": form.award_id.data or None,
        "result_id": form.result_id.data or None,
    }
    # One writer at a time on SQLite while the slot is checked and taken (core.db).
    serialise_writes(db.session)
    item = equipment_or_404(equipment_id)
    try:
        with atomic():
            booking = ops.request_booking(item, g.user, data)
    except SlotTaken as error:
        flash(error.message, "danger")
        return _equipment_page(item, form, 409, clash=error.clash)
    except UserError as error:
        field = FIELD_MAP.get(error.field or "", error.field)
        if field and field in form:
            form[field].errors = [*form[field].errors, error.message]
        flash(error.message, "warning")
        return _equipment_page(item, form, 422 if error.status != 403 else 403)
    flash(
        _("Đã gửi yêu cầu đặt lịch; người quản lý sẽ phê duyệt.")
        if booking.state.value == "requested"
        else _("Đã đặt lịch thành công."),
        "success",
    )
    return redirect(url_for(".booking", booking_id=booking.id))


@bp.post("/equipment/<int:equipment_id>/waitlist")
@login_required
def waitlist(equipment_id: int):
    item = equipment_or_404(equipment_id)
    form = _booking_form(item)
    form.organisation_id.choices = [(0, ""), *form.organisation_id.choices]
    form.organisation_id.data = form.organisation_id.data or 0
    if form.start_date.data and form.start_time.data is not None and form.end_time.data is not None:
        starts_at, ends_at = form.moments()
        if attempt(
            lambda: join_waitlist(item, g.user, starts_at, ends_at),
            _("Đã ghi danh sách chờ; bạn sẽ được báo khi khung giờ này trống."),
        ):
            return redirect(url_for(".equipment", equipment_id=item.id))
    else:
        flash(_("Hãy nhập ngày và giờ bạn muốn đặt."), "warning")
    return redirect(url_for(".equipment", equipment_id=item.id))


@bp.get("/bookings")
@login_required
def my_bookings():
    return render_template(
        "labs/my_bookings.html", bookings=queries.my_bookings(g.user), locale=str(get_locale())
    )


@bp.get("/bookings/<int:booking_id>")
@login_required
def booking(booking_id: int):
    item = booking_or_404(booking_id)
    return render_template(
        "labs/booking.html",
        booking=item,
        equipment=item.equipment,
        locale=str(get_locale()),
        form_transitions=ops.FORM_TRANSITIONS,
        reason_form=ReasonForm(),
        late_hours=ops.late_cancel_hours(),
        is_late=item.starts_at - utcnow() < dt.timedelta(hours=ops.late_cancel_hours()),
        award=db.session.get(Award, item.award_id) if item.award_id else None,
        result=db.session.get(ResearchResult, item.result_id) if item.result_id else None,
    )


@bp.post("/bookings/<int:booking_id>/state")
@login_required
def booking_state(booking_id: int):
    item = booking_or_404(booking_id)
    name = request.form.get("action", "")
    form = ReasonForm()
    if not form.validate():
        flash(next(iter(form.errors.values()))[0], "warning")
        return redirect(url_for(".booking", booking_id=item.id))
    data: dict[str, Any] = {}
    if name in ops.FORM_TRANSITIONS:
        data["reason"] = form.reason.data or ""
        if name == "check_out" and form.samples.data is not None:
            data["samples"] = form.samples.data
    require(name not in {"release", "expire"})
    attempt(lambda: ops.apply(item, name, g.user, **data), _("Đã cập nhật lượt đặt."))
    back = request.form.get("next") or ""
    if not back.startswith("/labs/") or back.startswith("//"):
        back = url_for(".booking", booking_id=item.id)
    return redirect(back)
