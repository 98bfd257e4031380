"""Joining an organisation, and its administrators approving or refusing members.

The pages belong to the registry (they are about an organisation); the membership itself
(model, rules, operations) is the account side's, in ``ecosystem.auth``: the registry uses it,
auth never imports the registry.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import case, select
from sqlalchemy.orm import selectinload

from ecosystem.auth import operations as ops
from ecosystem.auth.forms import JoinOrganisationForm
from ecosystem.auth.models import MembershipStatus, OrgMembership, OrgRole
from ecosystem.auth.permissions import can_manage_members, can_request_membership
from ecosystem.core.errors import UserError
from ecosystem.core.permissions import login_required, require
from ecosystem.core.uow import atomic, attempt
from ecosystem.extensions import db
from ecosystem.registry.models import Organisation

bp = Blueprint("memberships", __name__)


def _organisation(org_id: int) -> Organisation:
    organisation = db.session.get(Organisation, org_id)
    if organisation is None:
        abort(404)
    return organisation


@bp.route("/organisations/<int:org_id>/join", methods=["GET", "POST"])
@login_required
def join(org_id: int):
    organisation = _organisation(org_id)
    require(can_request_membership(g.user, organisation))
    form = JoinOrganisationForm()
    if form.validate_on_submit():
        try:
            with atomic():
                ops.request_membership(g.user, organisation, form.message.data or "")
        except UserError as error:
            flash(error.message, "warning")
        else:
            flash(_("Đã gửi yêu cầu tham gia. Quản trị tổ chức sẽ xem xét."), "success")
        return redirect(url_for("auth.profile"))
    return render_template("registry/join.html", organisation=organisation, form=form)


@bp.get("/organisations/<int:org_id>/members")
@login_required
def members(org_id: int):
    organisation = _organisation(org_id)
    require(can_manage_members(g.user, organisation))
    pending_first = case((OrgMembership.status == MembershipStatus.pending, 0), else_=1)
    links = db.session.scalars(
        select(OrgMembership)
        .where(OrgMembership.organisation_id == org_id)
        .options(selectinload(OrgMembership.user))
        .order_by(pending_first, OrgMembership.created_at.desc())
    ).all()
    return render_template(
        "registry/members.html", organisation=organisation, links=links, OrgRole=OrgRole
    )


def _link(link_id: int) -> OrgMembership:
    link = db.session.get(OrgMembership, link_id)
    if link is None:
        abort(404)
    require(can_manage_members(g.user, link.organisation))
    return link


def _apply(link: OrgMembership, action) -> None:
    # committed by the unit of work at the end of the request
    attempt(action, _("Đã cập nhật thành viên."))


@bp.post("/memberships/<int:link_id>/decide")
@login_required
def decide(link_id: int):
    link = _link(link_id)
    decision = request.form.get("decision")
    if decision not in {"approve", "refuse"}:
        abort(400)
    _apply(link, lambda: ops.decide_membership(link, decision == "approve", g.user))
    return redirect(url_for("memberships.members", org_id=link.organisation_id))


@bp.post("/memberships/<int:link_id>/role")
@login_required
def set_role(link_id: int):
    link = _link(link_id)
    try:
        role = OrgRole(request.form.get("role", ""))
    except ValueError:
        abort(400)
    _apply(link, lambda: ops.set_membership_role(link, role, g.user))
    return redirect(url_for("memberships.members", org_id=link.organisation_id))


@bp.post("/memberships/<int:link_id>/revoke")
@login_required
def revoke(link_id: int):
    link = _link(link_id)
    _apply(link, lambda: ops.revoke_membership(link, g.user))
    return redirect(url_for("memberships.members", org_id=link.organisation_id))
