"""The platform administrators' pages: users, roles, memberships, the audit log."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from ecosystem.auth import operations as ops
from ecosystem.auth.audit_labels import action_label
from ecosystem.auth.models import MembershipStatus, OrgMembership, PlatformRole, User, UserRole
from ecosystem.auth.permissions import can_manage_users
from ecosystem.core.audit import AuditEvent
from ecosystem.core.errors import UserError
from ecosystem.core.pagination import int_arg, paginate
from ecosystem.core.permissions import login_required, require
from ecosystem.core.text import fold
from ecosystem.core.uow import atomic
from ecosystem.extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def _only_admins() -> None:
    require(can_manage_users(g.user))


def _role_arg() -> PlatformRole | None:
    try:
        return PlatformRole(request.args.get("role", ""))
    except ValueError:
        return None


def _ids_matching(q: str) -> list[int]:
    """Users whose name or e-mail contains ``q``, ignoring case and diacritics ("nguyen"
    finds "Nguyễn"). Folded in Python because SQLite's LIKE folds ASCII only and users have
    no folded name column; fine for the few thousand accounts of the platform."""
    key = fold(q)
    rows = db.session.execute(select(User.id, User.full_name, User.email_key))
    return [uid for uid, name, email in rows if key in fold(name) or key in fold(email)]


@bp.get("/users")
def users():
    statement = select(User).options(selectinload(User.roles), selectinload(User.org_links))
    q = request.args.get("q", "").strip()
    if q:
        statement = statement.where(User.id.in_(_ids_matching(q)))
    role = _role_arg()
    if role is not None:
        statement = statement.where(User.roles.any(UserRole.role == role))
    org_id = int_arg("organisation", 0, minimum=0)
    if org_id:
        statement = statement.where(
            User.org_links.any(
                (OrgMembership.organisation_id == org_id)
                & (OrgMembership.status == MembershipStatus.active)
            )
        )
    status = request.args.get("status")
    if status in {"active", "disabled"}:
        statement = statement.where(User.is_active.is_(status == "active"))
    page = paginate(statement.order_by(User.created_at.desc()))
    return render_template(
        "admin/users.html",
        page=page,
        roles=list(PlatformRole),
        filters={
            "q": q,
            "role": role.value if role else "",
            "organisation": org_id,
            "status": status or "",
        },
        fold=fold,
    )


def _user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.get("/users/<int:user_id>")
def user_detail(user_id: int):
    user = _user(user_id)
    events = db.session.scalars(
        select(AuditEvent)
        .where(
            or_(
                AuditEvent.actor_id == user.id,
                (AuditEvent.object_type == "users") & (AuditEvent.object_id == str(user.id)),
            )
        )
        .order_by(AuditEvent.id.desc())
        .limit(50)
    ).all()
    return render_template(
        "admin/user_detail.html", user=user, roles=list(PlatformRole), events=events
    )


@bp.post("/users/<int:user_id>/roles")
def change_role(user_id: int):
    user = _user(user_id)
    try:
        role = PlatformRole(request.form.get("role", ""))
    except ValueError:
        abort(400)
    grant = request.form.get("action") == "grant"
    try:
        with atomic():
            (ops.grant_role if grant else ops.revoke_role)(user, role, g.user)
    except UserError as error:
        flash(error.message, "warning")
    else:
        flash(_("Đã cập nhật vai trò."), "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.post("/users/<int:user_id>/active")
def set_active(user_id: int):
    user = _user(user_id)
    active = request.form.get("active") == "1"
    try:
        with atomic():
            ops.set_active(user, active, g.user)
    except UserError as error:
        flash(error.message, "warning")
    else:
        flash(
            _("Đã mở khóa tài khoản.")
            if active
            else _("Đã khóa tài khoản; mọi phiên đăng nhập đã kết thúc."),
            "success",
        )
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.get("/audit")
def audit():
    statement = select(AuditEvent)
    action = request.args.get("action", "").strip()
    if action:
        statement = statement.where(AuditEvent.action.like(f"{action}%"))
    object_type = request.args.get("object_type", "").strip()
    if object_type:
        statement = statement.where(AuditEvent.object_type == object_type)
    page = paginate(statement.order_by(AuditEvent.id.desc()), per_page=50)
    return render_template(
        "admin/audit.html",
        page=page,
        filters={"action": action, "object_type": object_type},
        action_label=action_label,
    )
