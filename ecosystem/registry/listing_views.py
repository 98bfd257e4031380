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


class _ListingPages:
    """The pages of one kind of listing (results, needs, startups, investors)."""

    def __init__(self, spec: ListingSpec) -> None:
        self.spec = spec

    def _load(self, item_id: int) -> Any:
        listing = db.session.get(self.spec.model, item_id)
        if listing is None:
            abort(404)
        return listing

    def _to_detail(self, listing: Any):
        return redirect(url_for(f"{self.spec.blueprint}.detail", item_id=listing.id))

    def _form_page(self, form: Any, listing: Any):
        page = render_template(
            "registry/listing_form.html", spec=self.spec, form=form, listing=listing
        )
        return page, 422 if form.errors else 200

    def index(self):
        spec = self.spec
        return render_index(
            spec.label_plural,
            kinds=(spec.kind,),
            new_endpoint=f"{spec.blueprint}.new",
            new_label=spec.new_label,
        )

    def new(self):
        spec = self.spec
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
                return self._to_detail(listing)
        return self._form_page(form, None)

    def detail(self, item_id: int):
        listing = self._load(item_id)
        require(perms.can_view_listing(g.user, listing))
        return render_template(
            "registry/listing_detail.html",
            spec=self.spec,
            listing=listing,
            can_edit=perms.can_edit_listing(g.user, listing),
            can_hide=perms.can_hide_listing(g.user, listing),
            can_view_details=perms.can_view_details(g.user, listing)
            if self.spec.kind == "result"
            else True,
            hide_form=HideForm(),
        )

    def edit(self, item_id: int):
        spec = self.spec
        listing = self._load(item_id)
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
                return self._to_detail(listing)
        return self._form_page(form, listing)

    def change_state(self, item_id: int):
        listing = self._load(item_id)
        require(perms.can_edit_listing(g.user, listing))
        action = request.form.get("action", "")
        if action not in ops.STATE_ACTIONS:
            abort(400)
        _run(
            lambda: ops.change_listing_state(listing, action, g.user),
            _("Đã cập nhật trạng thái."),
        )
        return self._to_detail(listing)

    def hide(self, item_id: int):
        listing = self._load(item_id)
        require(perms.can_hide_listing(g.user, listing))
        form = HideForm()
        if not form.validate_on_submit():
            flash(_("Hãy nêu lý do ẩn hồ sơ."), "warning")
        else:
            _run(
                lambda: ops.hide_listing(self.spec.kind, listing, form.reason.data, g.user),
                _("Đã ẩn hồ sơ và báo cho chủ hồ sơ."),
            )
        return self._to_detail(listing)

    def unhide(self, item_id: int):
        listing = self._load(item_id)
        require(perms.can_hide_listing(g.user, listing))
        _run(
            lambda: ops.unhide_listing(self.spec.kind, listing, g.user),
            _("Hồ sơ đã hiển thị lại."),
        )
        return self._to_detail(listing)


# (rule, page, methods, signed in only)
_ROUTES = (
    ("/", "index", ["GET"], False),
    ("/new", "new", ["GET", "POST"], True),
    ("/<int:item_id>", "detail", ["GET"], False),
    ("/<int:item_id>/edit", "edit", ["GET", "POST"], True),
    ("/<int:item_id>/state", "change_state", ["POST"], True),
    ("/<int:item_id>/hide", "hide", ["POST"], True),
    ("/<int:item_id>/unhide", "unhide", ["POST"], True),
)


def make_blueprint(spec: ListingSpec) -> Blueprint:
    bp = Blueprint(spec.blueprint, __name__, url_prefix=spec.url_prefix)
    pages = _ListingPages(spec)
    for rule, name, methods, signed_in in _ROUTES:
        view = getattr(pages, name)
        bp.add_url_rule(rule, name, login_required(view) if signed_in else view, methods=methods)
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
