"""The JSON API under /api/v1: list, read, create, update and archive every registry entity.

Clients authenticate with personal access tokens (``Authorization: Bearer hue_…``); public
records can be read anonymously. Errors are JSON: ``{"error": {"code", "title", "message",
"fields"}}`` with the offending field named, never a 500.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from ecosystem.api import resources
from ecosystem.api.docs_labels import operation_label
from ecosystem.api.openapi import openapi_document
from ecosystem.api.schemas import COLLECTIONS, RESOURCES, serialize
from ecosystem.api.tokens import authenticate
from ecosystem.api.validation import check_types, to_formdata
from ecosystem.core.errors import UserError
from ecosystem.core.uow import atomic
from ecosystem.extensions import csrf, db, limiter
from ecosystem.registry import listing_operations as listing_ops
from ecosystem.registry.duplicates import organisation_candidates, person_candidates
from ecosystem.registry.enums import LISTING_KINDS
from ecosystem.registry.models import ResearchField
from ecosystem.registry.queries import query_from_args
from ecosystem.registry.search import search

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # token-authenticated; browsers' cookies are not accepted for writes here
COLLECTION_PATTERN = "any(" + ", ".join(COLLECTIONS) + ")"


def error(code: int, message: str, fields: dict[str, str] | None = None):
    titles = {
        400: _("Yêu cầu không hợp lệ"),
        401: _("Cần xác thực"),
        403: _("Không có quyền"),
        404: _("Không tìm thấy"),
        409: _("Có thể bị trùng"),
        422: _("Dữ liệu không hợp lệ"),
    }
    body: dict[str, Any] = {"code": code, "title": titles.get(code, ""), "message": message}
    if fields:
        body["fields"] = fields
    return jsonify(error=body), code


@bp.before_request
def _authenticate():
    # API clients are identified by their token only: a browser session does not count.
    g.user, g.api_token = authenticate(request.headers.get("Authorization"))
    if request.headers.get("Authorization") and g.user is None:
        return error(401, _("Khóa truy cập không hợp lệ, đã hết hạn hoặc đã bị thu hồi."))
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        if g.user is None:
            return error(401, _("Cần khóa truy cập (Authorization: Bearer …) để ghi dữ liệu."))
        if not g.api_token.can_write:
            return error(403, _("Khóa truy cập này chỉ có quyền đọc."))
    return None


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())


@bp.get("/docs")
def docs():
    return render_template(
        "api/docs.html", document=openapi_document(), operation_label=operation_label
    )


@bp.get("/me")
def me():
    if g.user is None:
        return error(401, _("Cần khóa truy cập."))
    return jsonify(
        id=g.user.id,
        email=g.user.email,
        full_name=g.user.full_name,
        organisation_ids=sorted(g.user.active_org_ids),
        can_write=g.api_token.can_write,
    )


@bp.get("/fields")
def fields():
    rows = db.session.scalars(select(ResearchField).order_by(ResearchField.code))
    return jsonify(
        items=[
            {
                "code": f.code,
                "name_vi": f.name_vi,
                "name_en": f.name_en,
                "parent_code": f.parent_code,
            }
            for f in rows
        ]
    )


@bp.get(f"/<{COLLECTION_PATTERN}:collection>")
@limiter.limit("120 per minute")
def list_items(collection: str):
    kind = COLLECTIONS[collection]
    query = query_from_args(kinds=(kind,))
    results = search(query, g.user)
    ids = [entry.object_id for entry in results.entries]
    model = resources.MODELS[kind]
    found = (
        {obj.id: obj for obj in db.session.scalars(select(model).where(model.id.in_(ids)))}
        if ids
        else {}
    )
    items = [
        serialize(kind, found[i], g.user)
        for i in ids
        if i in found and resources.can_view(g.user, kind, found[i])
    ]
    return jsonify(items=items, page=results.page, per_page=results.per_page, total=results.total)


@bp.get(f"/<{COLLECTION_PATTERN}:collection>/<bigint:item_id>")
def get_item(collection: str, item_id: int):
    kind = COLLECTIONS[collection]
    obj = resources.load(kind, item_id)
    if not resources.can_view(g.user, kind, obj):
        return error(404, _("Không tìm thấy hồ sơ."))
    return jsonify(serialize(kind, obj, g.user))


def _organisation_for(kind: str, values: dict[str, Any], obj: Any = None) -> tuple[Any, int | None]:
    org_id = values.get(
        "organisation_id", getattr(obj, "organisation_id", None) if kind != "person" else None
    )
    if not org_id:
        return None, None
    organisation = resources.load("organisation", org_id)
    if organisation is None or organisation.merged_into_id is not None:
        raise UserError(_("Tổ chức không tồn tại."), field="organisation_id")
    return organisation, organisation.id


def _validated(kind: str, values: dict[str, Any], organisation_id: int | None):
    form = resources.make_form(kind, to_formdata(values), organisation_id)
    if not form.validate():
        return None, {name: str(messages[0]) for name, messages in form.errors.items()}
    data = {k: v for k, v in form.data.items() if k != "csrf_token"}
    if "organisation_id" in data and not data["organisation_id"]:
        data["organisation_id"] = None
    return data, None


@bp.post(f"/<{COLLECTION_PATTERN}:collection>")
@limiter.limit("60 per minute")
def create_item(collection: str):
    kind = COLLECTIONS[collection]
    body = request.get_json(silent=True)
    values, problems = check_types(kind, body, partial=False)
    if problems.fields:
        return error(422, _("Dữ liệu không hợp lệ."), problems.fields)
    try:
        with atomic():
            organisation, org_id = _organisation_for(kind, values)
            if not resources.can_create(g.user, kind, organisation):
                return error(403, _("Bạn không có quyền tạo hồ sơ cho tổ chức này."))
            data, form_errors = _validated(kind, values, org_id)
            if form_errors:
                return error(422, _("Dữ liệu không hợp lệ."), form_errors)
            duplicate = _probable_duplicates(kind, data, body)
            if duplicate is not None:
                return duplicate
            obj = resources.create(kind, data, g.user, publish=bool(body.get("publish")))
    except UserError as exc:
        return error(422, exc.message, {exc.field: exc.message} if exc.field else None)
    response = jsonify(serialize(kind, obj, g.user))
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_item", collection=collection, item_id=obj.id)
    return response


def _probable_duplicates(kind: str, data: dict[str, Any], body: dict[str, Any]):
    """Names that probably exist already answer 409 unless the client confirms."""
    if kind not in ("organisation", "person") or body.get("confirm_new") is True:
        return None
    if kind == "organisation":
        candidates = organisation_candidates(data["name_vi"], data.get("tax_code"))
        label = lambda c: c.record.name_vi  # noqa: E731
    else:
        candidates = person_candidates(data["full_name"], data.get("orcid"), data.get("email"))
        label = lambda c: c.record.full_name  # noqa: E731
    if not candidates:
        return None
    fields = {
        "name_vi" if kind == "organisation" else "full_name": _(
            'Có thể đã tồn tại: %(names)s. Gửi lại với "confirm_new": true nếu đây là hồ sơ khác.',
            names="; ".join(f"{label(c)} (#{c.record.id})" for c in candidates),
        )
    }
    return error(409, _("Có thể hồ sơ này đã tồn tại."), fields)


@bp.patch(f"/<{COLLECTION_PATTERN}:collection>/<bigint:item_id>")
@limiter.limit("60 per minute")
def update_item(collection: str, item_id: int):
    kind, obj, refusal = _editable(collection, item_id)
    if refusal is not None:
        return refusal
    body = request.get_json(silent=True)
    values, problems = check_types(kind, body, partial=True)
    if problems.fields:
        return error(422, _("Dữ liệu không hợp lệ."), problems.fields)
    current = {k: v for k, v in serialize(kind, obj, g.user).items() if k in _writable(kind)}
    if kind == "result" and current.get("details") is None:
        current["details"] = obj.details
    merged = {**current, **values}
    try:
        with atomic():
            organisation, org_id = _organisation_for(kind, merged, obj)
            if (
                "organisation_id" in values
                and values["organisation_id"] != getattr(obj, "organisation_id", None)
                and not resources.can_create(g.user, kind, organisation)
            ):
                return error(403, _("Bạn không có quyền chuyển hồ sơ sang tổ chức này."))
            data, form_errors = _validated(kind, merged, org_id)
            if form_errors:
                return error(422, _("Dữ liệu không hợp lệ."), form_errors)
            resources.update(kind, obj, data, g.user)
    except UserError as exc:
        return error(422, exc.message, {exc.field: exc.message} if exc.field else None)
    return jsonify(serialize(kind, obj, g.user))


def _editable(collection: str, item_id: int) -> tuple[str, Any, Any]:
    """(kind, record, None) when the caller may change the record, else a 404/403 answer
    (404 too for records they may not even see, so their existence is not revealed)."""
    kind = COLLECTIONS[collection]
    obj = resources.load(kind, item_id)
    if not resources.can_view(g.user, kind, obj):
        return kind, None, error(404, _("Không tìm thấy hồ sơ."))
    if not resources.can_edit(g.user, kind, obj):
        return kind, None, error(403, _("Bạn không có quyền sửa hồ sơ này."))
    return kind, obj, None


def _writable(kind: str) -> set[str]:
    return {spec.name for spec in RESOURCES[kind] if not spec.read_only}


@bp.post(f"/<any({', '.join(k + 's' for k in LISTING_KINDS)}):collection>/<bigint:item_id>/archive")
@limiter.limit("60 per minute")
def archive_item(collection: str, item_id: int):
    kind, obj, refusal = _editable(collection, item_id)
    if refusal is not None:
        return refusal
    try:
        with atomic():
            listing_ops.archive_listing(kind, obj, g.user)
    except UserError as exc:
        return error(422, exc.message)
    return jsonify(serialize(kind, obj, g.user))
