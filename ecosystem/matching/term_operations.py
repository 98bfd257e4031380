"""Admins' edits of the term dictionary: add (or edit), merge and retire groups, audited.

The platform's dictionary is the shipped groups (data/terms.csv) with the database rows
applied (terms.merge_groups). It only acts on queries, so an edit needs no index rebuild: the
next index update (store.load_index, compute.build_index) picks it up, and with it every
proposal computed from then on.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from ecosystem.core.audit import record_audit
from ecosystem.core.errors import UserError
from ecosystem.extensions import db
from ecosystem.matching.engine import TermDictionary, TermGroup, merge_groups, read_groups
from ecosystem.matching.models import TermGroupRecord

_cache: dict[str, Any] = {"stamp": None, "dictionary": None}


def _terms(value: Any) -> tuple[str, ...]:
    items = value.split("|") if isinstance(value, str) else list(value or ())
    cleaned = (unicodedata.normalize("NFC", str(t)).strip().lower() for t in items)
    return tuple(dict.fromkeys(t for t in cleaned if t))


def _as_group(row: TermGroupRecord) -> TermGroup | str:
    if row.retired:
        return row.group_id
    return TermGroup(row.group_id, _terms(row.vi), _terms(row.en), row.field or "")


def platform_groups() -> list[TermGroup]:
    rows = db.session.scalars(select(TermGroupRecord).order_by(TermGroupRecord.id))
    return merge_groups(read_groups(), [_as_group(r) for r in rows])


def platform_dictionary() -> TermDictionary:
    """The dictionary in force (rebuilt only when the table changed)."""
    stamp = db.session.execute(
        select(func.count(TermGroupRecord.id), func.max(TermGroupRecord.updated_at))
    ).one()
    stamp = (int(stamp[0]), str(stamp[1]))
    if _cache["stamp"] != stamp or _cache["dictionary"] is None:
        _cache["dictionary"] = TermDictionary(platform_groups())
        _cache["stamp"] = stamp
    return _cache["dictionary"]


def find_group(group_id: str) -> TermGroup | None:
    return next((g for g in platform_groups() if g.id == group_id), None)


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:90]


def _row(group_id: str) -> TermGroupRecord:
    row = db.session.scalar(select(TermGroupRecord).where(TermGroupRecord.group_id == group_id))
    if row is None:
        row = TermGroupRecord(group_id=group_id, field="", vi="", en="", retired=False)
        db.session.add(row)
    return row


def _snapshot(group: TermGroup | None) -> dict[str, Any] | None:
    if group is None:
        return None
    return {"vi": list(group.vi), "en": list(group.en), "field": group.field}


def add_group(data: dict[str, Any], user: Any) -> TermGroup:
    """Add a group, or replace the terms of the group with this id."""
    vi, en = _terms(data.get("vi")), _terms(data.get("en"))
    if not vi:
        raise UserError(_("Cần ít nhất một thuật ngữ tiếng Việt."), field="vi")
    if not en:
        raise UserError(_("Cần ít nhất một thuật ngữ tiếng Anh."), field="en")
    group_id = _slug(str(data.get("group_id") or "")) or _slug(en[0])
    if not group_id:
        raise UserError(_("Mã nhóm không hợp lệ."), field="group_id")
    before = find_group(group_id)
    row = _row(group_id)
    row.vi, row.en = "|".join(vi), "|".join(en)
    row.field = str(data.get("field") or (before.field if before else "") or "")[:64]
    row.retired, row.merged_into = False, None
    row.updated_by_id = getattr(user, "id", None)
    group = TermGroup(group_id, vi, en, row.field)
    db.session.flush()
    record_audit(
        "term_group.edit" if before else "term_group.add",
        object_type="term_group",
        object_id=group_id,
        before=_snapshot(before),
        after=_snapshot(group),
        actor=user,
    )
    return group


def retire_group(group_id: str, user: Any) -> None:
    before = find_group(group_id)
    if before is None:
        raise UserError(_("Không có nhóm thuật ngữ này."), status=404)
    row = _row(group_id)
    row.vi, row.en, row.field = "|".join(before.vi), "|".join(before.en), before.field
    row.retired, row.updated_by_id = True, getattr(user, "id", None)
    db.session.flush()
    record_audit(
        "term_group.retire",
        object_type="term_group",
        object_id=group_id,
        before=_snapshot(before),
        after=None,
        actor=user,
    )


def merge_group(source_id: str, target_id: str, user: Any) -> TermGroup:
    """Move the source group's terms into the target group and retire the source."""
    if source_id == target_id:
        raise UserError(_("Không thể gộp một nhóm vào chính nó."), field="target")
    source, target = find_group(source_id), find_group(target_id)
    if source is None or target is None:
        raise UserError(_("Không có nhóm thuật ngữ này."), field="target")
    merged = TermGroup(
        target.id,
        tuple(dict.fromkeys((*target.vi, *source.vi))),
        tuple(dict.fromkeys((*target.en, *source.en))),
        target.field,
    )
    row = _row(target.id)
    row.vi, row.en, row.field = "|".join(merged.vi), "|".join(merged.en), merged.field
    row.retired, row.merged_into = False, None
    row.updated_by_id = getattr(user, "id", None)
    gone = _row(source.id)
    gone.vi, gone.en, gone.field = "|".join(source.vi), "|".join(source.en), source.field
    gone.retired, gone.merged_into = True, target.id
    gone.updated_by_id = getattr(user, "id", None)
    db.session.flush()
    record_audit(
        "term_group.merge",
        object_type="term_group",
        object_id=target.id,
        before={"source": source.id, **(_snapshot(target) or {})},
        after=_snapshot(merged),
        actor=user,
    )
    return merged
