"""Pages for organisations, people and research groups, and the search box over everything."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from ecosystem.core.errors import UserError
from ecosystem.core.models import MAX_ID
from ecosystem.core.permissions import login_required, require
from ecosystem.core.uow import atomic
from ecosystem.extensions import db
from ecosystem.registry import operations as ops
from ecosystem.registry import permissions as perms
from ecosystem.registry.duplicates import organisation_candidates, person_candidates
from ecosystem.registry.forms import GroupForm, OrganisationForm, PersonForm
from ecosystem.registry.models import LISTING_MODELS, Organisation, Person, ResearchGroup
from ecosystem.registry.queries import organisation_choices, render_index

bp = Blueprint("registry", __name__)


def _get(model: type, item_id: int) -> Any:
    obj = db.session.get(model, item_id)
    if obj is None:
        abort(404)
    return obj


def _attach_error(form: Any, error: UserError) -> None:
    if error.field and error.field in form:
        form[error.field].errors = [*form[error.field].errors, error.message]
    else:
        flash(error.message, "danger")


@bp.get("/search")
def search():
    return render_index(_("Tìm kiếm"), kinds=(), new_endpoint=None)


# Organisations ------------------------------------------------------------------------


@bp.get("/organisations")
def organisations():
    return render_index(
        _("Tổ chức"), kinds=("organisation",), new_endpoint="registry.organisation_new"
    )


@bp.route("/organisations/new", methods=["GET", "POST"])
@login_required
def organisation_new():
    require(perms.can_create_organisation(g.user))
    form = OrganisationForm()
    return _create_checking_duplicates(
        form,
        find=lambda: organisation_candidates(form.name_vi.data, form.tax_code.data),
        certain=("tax_code", "tax_code", _("Mã số thuế này đã thuộc về một tổ chức khác.")),
        probable=_("Có thể tổ chức này đã có trên nền tảng. Hãy kiểm tra danh sách bên dưới."),
        create=lambda: ops.create_organisation(form.data, g.user),
        saved=_("Đã tạo tổ chức. Bạn là quản trị của tổ chức này."),
        page=lambda org: url_for("registry.organisation", org_id=org.id),
        template=("registry/organisation_form.html", "org"),
    )


def _create_checking_duplicates(form, *, find, certain, probable, create, saved, page, template):
    """Create a record unless it probably exists already.

    A certain duplicate (same tax code, same ORCID) is refused next to its field; a
    probable one (similar name) is shown, and saved only once the user confirms.
    """
    candidates = []
    if form.validate_on_submit():
        candidates = find()
        reason, field, message = certain
        if any(c.reason == reason for c in candidates):
            form[field].errors = [message]
        elif candidates and not form.confirm_new.data:
            flash(probable, "warning")
        else:
            try:
                with atomic():
                    record = create()
            except UserError as error:
                _attach_error(form, error)
            else:
                flash(saved, "success")
                return redirect(page(record))
    status = 422 if form.errors or candidates else 200
    name, variable = template
    return render_template(name, form=form, candidates=candidates, **{variable: None}), status


@bp.get("/organisations/<int:org_id>")
def organisation(org_id: int):
    org = _get(Organisation, org_id)
    if org.merged_into_id is not None:
        return redirect(url_for("registry.organisation", org_id=org.merged_into_id), 301)
    listings = {
        kind: [
            item
            for item in db.session.scalars(select(model).where(model.organisation_id == org.id))
            if perms.can_view_listing(g.user, item)
        ]
        for kind, model in LISTING_MODELS.items()
    }
    # EXISTS, not a join with DISTINCT: PostgreSQL cannot compare the JSON columns.
    people = db.session.scalars(
        select(Person)
        .where(Person.merged_into_id.is_(None), Person.memberships.any(organisation_id=org.id))
        .order_by(Person.full_name)
    ).all()
    return render_template(
        "registry/organisation.html",
        org=org,
        listings=listings,
        people=people,
        can_edit=perms.can_edit_organisation(g.user, org),
        can_merge=perms.can_merge(g.user),
        is_member=g.user is not None and org.id in g.user.active_org_ids,
    )


@bp.route("/organisations/<int:org_id>/edit", methods=["GET", "POST"])
@login_required
def organisation_edit(org_id: int):
    org = _get(Organisation, org_id)
    require(perms.can_edit_organisation(g.user, org))
    form = OrganisationForm(obj=org)
    return _save_edit(
        form,
        update=lambda: ops.update_organisation(org, form.data, g.user),
        page=url_for("registry.organisation", org_id=org.id),
        template="registry/organisation_form.html",
        context={"org": org},
    )


def _save_edit(form, *, update, page: str, template: str, context: dict):
    """Save a valid edit and go back to the record; otherwise show the form with its errors."""
    if form.validate_on_submit():
        try:
            with atomic():
                update()
        except UserError as error:
            _attach_error(form, error)
        else:
            flash(_("Đã lưu thay đổi."), "success")
            return redirect(page)
    return render_template(
        template, form=form, candidates=[], **context
    ), 422 if form.errors else 200


@bp.route("/organisations/<int:org_id>/merge", methods=["GET", "POST"])
@login_required
def organisation_merge(org_id: int):
    return _merge(
        Organisation,
        org_id,
        ops.merge_organisations,
        organisation_candidates,
        "registry.organisation",
        "org_id",
    )


@bp.route("/people/<int:person_id>/merge", methods=["GET", "POST"])
@login_required
def person_merge(person_id: int):
    return _merge(
        Person, person_id, ops.merge_people, person_candidates, "registry.person", "person_id"
    )


def _merge(model: type, item_id: int, merge: Any, find: Any, endpoint: str, arg: str):
    """An administrator merges this record into a survivor chosen from likely duplicates."""
    merged = _get(model, item_id)
    require(perms.can_merge(g.user, merged))
    if request.method == "POST":
        try:
            survivor_id = int(request.form.get("survivor_id", "0") or 0)
        except ValueError:
            abort(400)
        if not 0 < survivor_id <= MAX_ID:  # beyond any id; the database would overflow
            abort(404)
        survivor = _get(model, survivor_id)
        try:
            with atomic():
                merge(survivor, merged, g.user)
        except UserError as error:
            flash(error.message, "danger")
            return redirect(url_for(endpoint, **{arg: merged.id}))
        flash(_("Đã gộp hồ sơ; mọi liên kết đã chuyển sang hồ sơ được giữ lại."), "success")
        return redirect(url_for(endpoint, **{arg: survivor.id}))
    if model is Organisation:
        candidates = find(merged.name_vi, merged.tax_code, exclude_id=merged.id)
    else:
        candidates = find(merged.full_name, merged.orcid, merged.email, exclude_id=merged.id)
    return render_template(
        "registry/merge.html", merged=merged, candidates=candidates, endpoint=endpoint, arg=arg
    )


# People -------------------------------------------------------------------------------


def _person_org_choices() -> list[tuple[int, str]]:
    return [(0, "—"), *organisation_choices(g.user)]


@bp.get("/people")
def people():
    return render_index(
        _("Nhà khoa học và chuyên gia"), kinds=("person",), new_endpoint="registry.person_new"
    )


@bp.route("/people/new", methods=["GET", "POST"])
@login_required
def person_new():
    require(perms.can_create_person(g.user))
    form = PersonForm()
    form.organisation_id.choices = _person_org_choices()
    return _create_checking_duplicates(
        form,
        find=lambda: person_candidates(form.full_name.data, form.orcid.data, form.email.data),
        certain=("orcid", "orcid", _("ORCID này đã thuộc về một người khác.")),
        probable=_("Có thể người này đã có trên nền tảng. Hãy kiểm tra danh sách bên dưới."),
        create=lambda: ops.create_person(form.data, g.user),
        saved=_("Đã lưu hồ sơ."),
        page=lambda person: url_for("registry.person", person_id=person.id),
        template=("registry/person_form.html", "person"),
    )


@bp.get("/people/<int:person_id>")
def person(person_id: int):
    person = _get(Person, person_id)
    if person.merged_into_id is not None:
        return redirect(url_for("registry.person", person_id=person.merged_into_id), 301)
    groups = db.session.scalars(
        select(ResearchGroup).where(ResearchGroup.members.any(Person.id == person.id))
    ).all()
    return render_template(
        "registry/person.html",
        person=person,
        groups=groups,
        can_edit=perms.can_edit_person(g.user, person),
        can_merge=perms.can_merge(g.user),
        can_see_contact=perms.can_see_contact(g.user, person),
    )


@bp.route("/people/<int:person_id>/edit", methods=["GET", "POST"])
@login_required
def person_edit(person_id: int):
    person = _get(Person, person_id)
    require(perms.can_edit_person(g.user, person))
    form = PersonForm(obj=person)
    form.organisation_id.choices = _person_org_choices()
    return _save_edit(
        form,
        update=lambda: ops.update_person(person, form.data, g.user),
        page=url_for("registry.person", person_id=person.id),
        template="registry/person_form.html",
        context={"person": person},
    )


# Research groups ----------------------------------------------------------------------


@bp.get("/groups")
def groups():
    return render_index(_("Nhóm nghiên cứu"), kinds=("group",), new_endpoint="registry.group_new")


@bp.route("/groups/new", methods=["GET", "POST"])
@login_required
def group_new():
    require(perms.can_create_group(g.user))
    return _group_form(None)


@bp.get("/groups/<int:group_id>")
def group(group_id: int):
    group = _get(ResearchGroup, group_id)
    model = LISTING_MODELS["result"]
    results = [
        r
        for r in db.session.scalars(select(model).where(model.group_id == group.id))
        if perms.can_view_listing(g.user, r)
    ]
    return render_template(
        "registry/group.html",
        group=group,
        results=results,
        can_edit=perms.can_edit_group(g.user, group),
    )


@bp.route("/groups/<int:group_id>/edit", methods=["GET", "POST"])
@login_required
def group_edit(group_id: int):
    group = _get(ResearchGroup, group_id)
    require(perms.can_edit_group(g.user, group))
    return _group_form(group)


def _group_form(group: ResearchGroup | None):
    form = GroupForm(obj=group)
    form.organisation_id.choices = [c for c in _person_org_choices() if c[0]]
    if request.method == "GET" and group is not None:
        form.field_codes.data = [f.code for f in group.fields]
    if form.validate_on_submit():
        try:
            with atomic():
                group = ops.save_group(group, form.data, g.user)
                _save_group_people(group)
        except UserError as error:
            if error.status == 403:
                abort(403)
            _attach_error(form, error)
        else:
            flash(_("Đã lưu nhóm nghiên cứu."), "success")
            return redirect(url_for("registry.group", group_id=group.id))
    # Only an organisation the user may choose lists its people (a forged id may not
    # even fit the database's integers).
    chosen = form.organisation_id.data
    if chosen not in {c[0] for c in form.organisation_id.choices}:
        chosen = group.organisation_id if group else None
    people = (
        db.session.scalars(
            select(Person)
            .where(
                Person.merged_into_id.is_(None),
                Person.memberships.any(organisation_id=chosen),
            )
            .order_by(Person.full_name)
        ).all()
        if chosen
        else []
    )
    return render_template(
        "registry/group_form.html", form=form, group=group, people=people
    ), 422 if form.errors else 200


def _save_group_people(group: ResearchGroup) -> None:
    if "leader_id" not in request.form and "member_ids" not in request.form:
        return
    try:
        leader_id = int(request.form.get("leader_id") or 0)
        member_ids = [int(v) for v in request.form.getlist("member_ids")]
    except ValueError:
        abort(400)
    ops.choose_group_people(group, leader_id, member_ids, g.user)
