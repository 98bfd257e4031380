"""Pages for results, needs, startups and investors: one blueprint per kind, same views."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from ecosystem.core.errors import UserError
from ecosystem.core.permissions import login_required, require
from ecosystem.core.uow import atomic, attempt
from ecosystem.extensions import db
from ecosystem.registry import listing_operations as ops
from ecosystem.registry import permissions as perms
from ecosystem.registry.forms import HideForm
from ecosystem.registry.models import ResearchGroup
from ecosystem.registry.queries import needs_organisation, organisation_choices, render_index
from ecosystem.registry.specs import SPECS, ListingSpec


def _group_choices(user: Any) -> list[tuple[int, str]]:
    statement = select(ResearchGroup.id, ResearchGroup.name_vi)
    if not user.is_admin:
        statement = statement.where(
            ResearchGroup.organisation_id.in_(sorted(user.active_org_ids) or [-1])
        )
    return [
        (0, "—"),
        *(tuple(row) for row in db.session.execute(statement.order_by(ResearchGroup.name_vi))),
    ]


def _prepare_form(spec: ListingSpec, form: Any) -> None:
    form.organisation_id.choices = organisation_choices(g.user)
    if hasattr(form, "group_id"):
        form.group_id.choices = _group_choices(g.user)


def _form_data(spec: ListingSpec, form: Any) -> dict[str, Any]:
    return {k: v for k, v in form.data.items() if k not in {"csrf_token", "submit"}}


def make_blueprint(spec: ListingSpec) -> Blueprint:
    bp = Blueprint(spec.blueprint, __name__, url_prefix=spec.url_prefix)

    def load(item_id: int) -> Any:
        listing = db.session.get(spec.model, item_id)
        if listing is None:
            abort(404)
        return listing

    @bp.get("/")
    def index():
        return render_index(
            spec.label_plural,
            kinds=(spec.kind,),
            new_endpoint=f"{spec.blueprint}.new",
            new_label=spec.new_label,
        )

    @bp.route("/new", methods=["GET", "POST"])
    @login_required
    def new():
        if not perms.can_create_listing(g.user):
            return needs_organisation(
                _("Để đăng %(what)s, bạn cần thuộc một tổ chức.", what=spec.label.lower())
            )
        form = spec.form()
        _prepare_form(spec, form)
        if form.validate_on_submit():
            try:
                with atomic():
                    listing = ops.create_listing(
                        spec.kind,
                        _form_data(spec, form),
                        g.user,
                        publish=request.form.get("publish") == "1",
                    )
            except UserError as error:
                _field_error(form, error)
            else:
                flash(_("Đã lưu."), "success")
                return redirect(url_for(f"{spec.blueprint}.detail", item_id=listing.id))
        return render_template(
            "registry/listing_form.html", spec=spec, form=form, listing=None
        ), 422 if form.errors else 200

    @bp.get("/<int:item_id>")
    def detail(item_id: int):
        listing = load(item_id)
        require(perms.can_view_listing(g.user, listing))
        return render_template(
            "registry/listing_detail.html",
            spec=spec,
            listing=listing,
            can_edit=perms.can_edit_listing(g.user, listing),
            can_hide=perms.can_hide_listing(g.user, listing),
            can_view_details=perms.can_view_details(g.user, listing)
            if spec.kind == "result"
            else True,
            hide_form=HideForm(),
        )

    @bp.route("/<int:item_id>/edit", methods=["GET", "POST"])
    @login_required
    def edit(item_id: int):
        listing = load(item_id)
        require(perms.can_edit_listing(g.user, listing))
        form = spec.form(obj=listing)
        _prepare_form(spec, form)
        if request.method == "GET":
            _fill_multi(form, listing)
        if form.validate_on_submit():
            try:
                with atomic():
                    ops.update_listing(spec.kind, listing, _form_data(spec, form), g.user)
            except UserError as error:
                _field_error(form, error)
            else:
                flash(_("Đã lưu thay đổi."), "success")
                return redirect(url_for(f"{spec.blueprint}.detail", item_id=listing.id))
        return render_template(
            "registry/listing_form.html", spec=spec, form=form, listing=listing
        ), 422 if form.errors else 200

    @bp.post("/<int:item_id>/state")
    @login_required
    def change_state(item_id: int):
        listing = load(item_id)
        require(perms.can_edit_listing(g.user, listing))
        action = request.form.get("action", "")
        if action not in ops.STATE_ACTIONS:
            abort(400)
        _run(
            lambda: ops.change_listing_state(listing, action, g.user),
            _("Đã cập nhật trạng thái."),
        )
        return redirect(url_for(f"{spec.blueprint}.detail", item_id=listing.id))

    @bp.post("/<int:item_id>/hide")
    @login_required
    def hide(item_id: int):
        listing = load(item_id)
        require(perms.can_hide_listing(g.user, listing))
        form = HideForm()
        if not form.validate_on_submit():
            flash(_("Hãy nêu lý do ẩn hồ sơ."), "warning")
        else:
            _run(
                lambda: ops.hide_listing(spec.kind, listing, form.reason.data, g.user),
                _("Đã ẩn hồ sơ và báo cho chủ hồ sơ."),
            )
        return redirect(url_for(f"{spec.blueprint}.detail", item_id=listing.id))

    @bp.post("/<int:item_id>/unhide")
    @login_required
    def unhide(item_id: int):
        listing = load(item_id)
        require(perms.can_hide_listing(g.user, listing))
        _run(lambda: ops.unhide_listing(spec.kind, listing, g.user), _("Hồ sơ đã hiển thị lại."))
        return redirect(url_for(f"{spec.blueprint}.detail", item_id=listing.id))

    return bp


def _fill_multi(form: Any, listing: Any) -> None:
    if hasattr(form, "sector_codes"):
        form.sector_codes.data = [f.code for f in listing.sectors]
    if hasattr(form, "group_id") and listing.group_id is None:
        form.group_id.data = 0


def _field_error(form: Any, error: UserError) -> None:
    if error.field and error.field in form:
        form[error.field].errors = [*form[error.field].errors, error.message]
    else:
        flash(error.message, "danger")


def _run(action: Any, success: str) -> None:
    attempt(action, success)  # committed by the unit of work at the end of the request


blueprints = [make_blueprint(spec) for spec in SPECS.values()]
