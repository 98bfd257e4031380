"""Pages of a lab's managers: requests to decide, today's use, equipment and fees, downtime,
authorisations; and the week and month calendars of a lab or a piece of equipment."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from ecosystem.auth.models import User
from ecosystem.auth.operations import email_key
from ecosystem.core.errors import UserError
from ecosystem.core.permissions import login_required, require
from ecosystem.core.uow import atomic, attempt
from ecosystem.extensions import db
from ecosystem.labs import calendars, catalogue
from ecosystem.labs import permissions as perms
from ecosystem.labs.blueprint import bp, equipment_or_404, lab_or_404, show_error
from ecosystem.labs.forms import (
    WEEKDAYS,
    AuthorisationForm,
    DowntimeForm,
    EquipmentForm,
    LabForm,
    hours_from,
    hours_text,
)
from ecosystem.labs.models import (
    Authorisation,
    Booking,
    BookingState,
    Downtime,
    DowntimeKind,
    Equipment,
    Lab,
)
from ecosystem.registry.models import Organisation, ResearchField


@bp.get("/<int:lab_id>/manage")
@login_required
def manage(lab_id: int):
    lab = lab_or_404(lab_id)
    require(perms.can_manage_lab(g.user, lab))
    ids = [e.id for e in lab.equipment]
    pending = db.session.scalars(
        sa.select(Booking)
        .where(Booking.equipment_id.in_(ids), Booking.state == BookingState.requested)
        .order_by(Booking.starts_at)
    ).all()
    active = db.session.scalars(
        sa.select(Booking)
        .where(
            Booking.equipment_id.in_(ids),
            Booking.state.in_([BookingState.approved, BookingState.checked_in]),
        )
        .order_by(Booking.starts_at)
        .limit(50)
    ).all()
    authorisations = db.session.scalars(
        sa.select(Authorisation)
        .where(Authorisation.equipment_id.in_(ids))
        .order_by(Authorisation.expires_on.desc())
    ).all()
    downtimes = db.session.scalars(
        sa.select(Downtime).where(Downtime.equipment_id.in_(ids)).order_by(Downtime.starts_at)
    ).all()
    return render_template(
        "labs/manage.html",
        lab=lab,
        pending=pending,
        active=active,
        authorisations=authorisations,
        downtimes=downtimes,
        downtime_form=DowntimeForm(),
        authorisation_form=AuthorisationForm(),
        locale=str(get_locale()),
    )


def _lab_form(lab: Lab | None) -> LabForm:
    form = LabForm(obj=lab)
    query = sa.select(Organisation).order_by(Organisation.name_vi)
    if not g.user.is_admin:
        query = query.where(Organisation.id.in_(sorted(g.user.admin_org_ids)))
    if lab is not None:
        query = sa.select(Organisation).where(Organisation.id == lab.organisation_id)
    form.organisation_id.choices = [(o.id, o.name_vi) for o in db.session.scalars(query)]
    if lab is not None and request.method == "GET" and lab.manager:
        form.manager_email.data = lab.manager.email
    return form


def _save_lab(lab: Lab | None):
    form = _lab_form(lab)
    if form.validate_on_submit():
        try:
            with atomic():
                data = {
                    name: form[name].data or ""
                    for name in (
                        "name_vi",
                        "name_en",
                        "address",
                        "contact_email",
                        "rules_vi",
                        "rules_en",
                    )
                }
                data["is_published"] = form.is_published.data
                data["organisation_id"] = form.organisation_id.data
                try:
                    data["opening_hours"] = hours_from(request.form)
                except ValueError:
                    raise UserError(
                        _(
                            "Giờ mở cửa không hợp lệ. Hãy nhập dạng 07:30-17:00, để trống nếu đóng cửa."
                        ),
                        field="opening_hours",
                    ) from None
                manager_email = (form.manager_email.data or "").strip()
                if manager_email:
                    manager = db.session.scalar(
                        sa.select(User).where(User.email_key == email_key(manager_email))
                    )
                    if manager is None:
                        raise UserError(
                            _("Không có tài khoản với e-mail này."), field="manager_email"
                        )
                    data["manager_id"] = manager.id
                saved = catalogue.save_lab(lab, data, g.user)
        except UserError as error:
            show_error(form, error)
        else:
            flash(_("Đã lưu phòng thí nghiệm."), "success")
            return redirect(url_for(".lab", lab_id=saved.id))
    hours = {
        str(i): request.form.get(f"hours_{i}", "")
        if request.method == "POST"
        else hours_text(((lab.opening_hours if lab else None) or {}).get(str(i)))
        for i in range(7)
    }
    status = 422 if request.method == "POST" else 200
    return (
        render_template("labs/lab_form.html", form=form, lab=lab, hours=hours, weekdays=WEEKDAYS),
        status,
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new_lab():
    require(perms.can_create_lab(g.user))
    return _save_lab(None)


@bp.route("/<int:lab_id>/edit", methods=["GET", "POST"])
@login_required
def edit_lab(lab_id: int):
    lab = lab_or_404(lab_id)
    require(perms.can_manage_lab(g.user, lab))
    return _save_lab(lab)


def _save_equipment(lab: Lab, item: Equipment | None):
    form = EquipmentForm(obj=item)
    form.field_code.choices = [("", "—")] + [
        (f.code, f.name(str(get_locale())))
        for f in db.session.scalars(sa.select(ResearchField).order_by(ResearchField.code))
    ]
    if item is not None and request.method == "GET":
        form.fee_unit.data = item.fee_unit.value
    if form.validate_on_submit():
        try:
            with atomic():
                saved = catalogue.save_equipment(item, lab, form.values(), g.user)
        except UserError as error:
            show_error(form, error)
        else:
            flash(_("Đã lưu thiết bị."), "success")
            return redirect(url_for(".equipment", equipment_id=saved.id))
    status = 422 if request.method == "POST" else 200
    return render_template("labs/equipment_form.html", form=form, lab=lab, item=item), status


@bp.route("/<int:lab_id>/equipment/new", methods=["GET", "POST"])
@login_required
def new_equipment(lab_id: int):
    lab = lab_or_404(lab_id)
    require(perms.can_manage_lab(g.user, lab))
    return _save_equipment(lab, None)


@bp.route("/equipment/<int:equipment_id>/edit", methods=["GET", "POST"])
@login_required
def edit_equipment(equipment_id: int):
    item = equipment_or_404(equipment_id)
    require(perms.can_manage_lab(g.user, item.lab))
    return _save_equipment(item.lab, item)


@bp.post("/equipment/<int:equipment_id>/downtime")
@login_required
def add_downtime(equipment_id: int):
    item = equipment_or_404(equipment_id)
    require(perms.can_manage_lab(g.user, item.lab))
    form = DowntimeForm()
    if not form.validate():
        flash(next(iter(form.errors.values()))[0], "warning")
    else:
        starts_at, ends_at = form.moments()
        attempt(
            lambda: catalogue.add_downtime(
                item,
                g.user,
                kind=DowntimeKind(form.kind.data),
                starts_at=starts_at,
                ends_at=ends_at,
                note=form.note.data or "",
            ),
            _("Đã ghi lịch ngừng phục vụ."),
        )
    return redirect(url_for(".manage", lab_id=item.lab_id))


@bp.post("/downtime/<int:downtime_id>/delete")
@login_required
def remove_downtime(downtime_id: int):
    downtime = db.session.get(Downtime, downtime_id)
    if downtime is None:
        abort(404)
    lab = downtime.equipment.lab
    require(perms.can_manage_lab(g.user, lab))
    attempt(lambda: catalogue.remove_downtime(downtime, g.user), _("Đã xóa lịch ngừng phục vụ."))
    return redirect(url_for(".manage", lab_id=lab.id))


@bp.post("/equipment/<int:equipment_id>/authorisations")
@login_required
def grant(equipment_id: int):
    item = equipment_or_404(equipment_id)
    require(perms.can_manage_lab(g.user, item.lab))
    form = AuthorisationForm()
    if not form.validate():
        flash(next(iter(form.errors.values()))[0], "warning")
        return redirect(url_for(".manage", lab_id=item.lab_id))
    person = db.session.scalar(sa.select(User).where(User.email_key == email_key(form.email.data)))
    if person is None:
        flash(_("Không có tài khoản với e-mail này."), "warning")
    else:
        attempt(
            lambda: catalogue.grant_authorisation(
                item, person, g.user, expires_on=form.expires_on.data, note=form.note.data or ""
            ),
            _("Đã cấp quyền sử dụng thiết bị."),
        )
    return redirect(url_for(".manage", lab_id=item.lab_id))


@bp.post("/authorisations/<int:authorisation_id>/revoke")
@login_required
def revoke(authorisation_id: int):
    found = db.session.get(Authorisation, authorisation_id)
    if found is None:
        abort(404)
    lab = found.equipment.lab
    require(perms.can_manage_lab(g.user, lab))
    attempt(lambda: catalogue.revoke_authorisation(found, g.user), _("Đã thu hồi quyền sử dụng."))
    return redirect(url_for(".manage", lab_id=lab.id))


# Calendars -----------------------------------------------------------------------------


def _calendar(items, title: str, show_names: bool, here: str, **ids):
    view = request.args.get("view", "week")
    if view == "month":
        first = calendars.month_of(request.args.get("month"))
        days = calendars.items_month(items, first, show_names)
        previous = (first.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
        following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        nav = (previous.strftime("%Y-%m"), following.strftime("%Y-%m"))
    else:
        first = calendars.week_of(request.args.get("week"))
        days = calendars.items_week(items, first, show_names)
        step = dt.timedelta(days=7)
        nav = ((first - step).isoformat(), (first + step).isoformat())
    return render_template(
        "labs/calendar.html",
        days=days,
        view=view,
        first=first,
        nav=nav,
        title=title,
        here=here,
        ids=ids,
        locale=str(get_locale()),
    )


@bp.get("/<int:lab_id>/calendar")
def lab_calendar(lab_id: int):
    lab = lab_or_404(lab_id)
    shown = perms.can_manage_lab(g.user, lab)
    return _calendar(
        lab.equipment, lab.name(str(get_locale())), shown, ".lab_calendar", lab_id=lab.id
    )


@bp.get("/equipment/<int:equipment_id>/calendar")
def equipment_calendar(equipment_id: int):
    item = equipment_or_404(equipment_id)
    shown = perms.can_manage_lab(g.user, item.lab)
    return _calendar(
        [item], item.name(str(get_locale())), shown, ".equipment_calendar", equipment_id=item.id
    )
