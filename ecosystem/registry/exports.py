"""Export of any filtered registry list to CSV or Excel, with the same visibility as the page.

A spreadsheet is read by people: the header is the columns' names and the cells hold
labels (states, kinds, provinces, fields, TRL), all in the user's language. Machines read
the JSON API and the dashboard's open data, whose keys and codes are stable.

Confidential details are written only where the user may read them; elsewhere the cell
says they are confidential.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ecosystem.core.formatting import format_date
from ecosystem.extensions import db
from ecosystem.registry import permissions as perms
from ecosystem.registry.enums import label, province_label
from ecosystem.registry.models import LISTING_MODELS, Organisation, Person, ResearchGroup
from ecosystem.registry.search import SearchQuery, search
from ecosystem.registry.template_helpers import stage_label, trl_label

MODELS = {"organisation": Organisation, "person": Person, "group": ResearchGroup, **LISTING_MODELS}
EXPORT_LIMIT = 20_000

# (column key, header label, value for this user and record)
Column = tuple[str, Any, Callable[[Any, Any], Any]]


def _locale() -> str:
    return str(get_locale() or "vi")


def _name(record: Any) -> str:
    """An organisation's or a field's name in the user's language."""
    return record.name(_locale())


def _names(records: Iterable[Any]) -> str:
    return ", ".join(_name(r) for r in records)


def _details(user: Any, result: Any) -> str:
    return result.details if perms.can_view_details(user, result) else _("[bảo mật]")


def _contact(user: Any, person: Any, value: str) -> str:
    return value if perms.can_see_contact(user, person) else ""


ID: Column = ("id", _l("Mã"), lambda u, r: r.id)
OWNER: Column = ("organisation", _l("Tổ chức"), lambda u, r: _name(r.organisation))
STATE: Column = ("state", _l("Trạng thái"), lambda u, r: label(r.state))
FIELD: Column = ("field", _l("Lĩnh vực"), lambda u, r: _name(r.field))
SECTORS: Column = ("sectors", _l("Lĩnh vực"), lambda u, r: _names(r.sectors))

COLUMNS: dict[str, list[Column]] = {
    "organisation": [
        ID,
        ("kind", _l("Loại tổ chức"), lambda u, o: label(o.kind)),
        ("name_vi", _l("Tên tiếng Việt"), lambda u, o: o.name_vi),
        ("name_en", _l("Tên tiếng Anh"), lambda u, o: o.name_en),
        ("short_name", _l("Tên viết tắt"), lambda u, o: o.short_name),
        ("tax_code", _l("Mã số thuế"), lambda u, o: o.tax_code or ""),
        ("ror_id", _l("Mã ROR"), lambda u, o: o.ror_id or ""),
        ("province", _l("Tỉnh/thành phố"), lambda u, o: province_label(o.province)),
        ("address", _l("Địa chỉ"), lambda u, o: o.address),
        ("website", _l("Trang web"), lambda u, o: o.website),
    ],
    "person": [
        ID,
        ("honorific", _l("Học hàm, học vị"), lambda u, p: p.honorific),
        ("full_name", _l("Họ và tên"), lambda u, p: p.full_name),
        ("orcid", _l("ORCID"), lambda u, p: p.orcid or ""),
        ("expertise", _l("Chuyên môn"), lambda u, p: ", ".join(p.expertise or [])),
        (
            "organisations",
            _l("Đơn vị công tác"),
            lambda u, p: "; ".join(
                _name(m.organisation) for m in p.memberships if m.ended_on is None
            ),
        ),
        ("email", _l("E-mail"), lambda u, p: _contact(u, p, p.email)),
        ("phone", _l("Điện thoại"), lambda u, p: _contact(u, p, p.phone)),
    ],
    "group": [
        ID,
        ("name_vi", _l("Tên nhóm (tiếng Việt)"), lambda u, g: g.name_vi),
        ("name_en", _l("Tên nhóm (tiếng Anh)"), lambda u, g: g.name_en),
        OWNER,
        ("fields", _l("Lĩnh vực"), lambda u, g: _names(g.fields)),
    ],
    "result": [
        ID,
        ("title", _l("Tên kết quả / công nghệ"), lambda u, r: r.title),
        OWNER,
        FIELD,
        ("trl", _l("Mức sẵn sàng công nghệ (TRL)"), lambda u, r: trl_label(r.trl)),
        ("ip_status", _l("Tình trạng sở hữu trí tuệ"), lambda u, r: label(r.ip_status)),
        ("confidentiality", _l("Mức bảo mật"), lambda u, r: label(r.confidentiality)),
        ("keywords", _l("Từ khóa"), lambda u, r: ", ".join(r.keywords or [])),
        ("summary", _l("Tóm tắt công khai"), lambda u, r: r.summary),
        ("details", _l("Mô tả chi tiết"), _details),
        STATE,
        ("published_at", _l("Ngày đăng"), lambda u, r: format_date(r.published_at)),
    ],
    "need": [
        ID,
        ("title", _l("Tên nhu cầu / bài toán"), lambda u, n: n.title),
        OWNER,
        FIELD,
        ("trl_wanted", _l("TRL tối thiểu mong muốn"), lambda u, n: trl_label(n.trl_wanted)),
        ("budget_min", _l("Ngân sách từ (₫)"), lambda u, n: n.budget_min),
        ("budget_max", _l("Ngân sách đến (₫)"), lambda u, n: n.budget_max),
        ("deadline", _l("Hạn chót"), lambda u, n: format_date(n.deadline)),
        ("problem", _l("Mô tả vấn đề"), lambda u, n: n.problem),
        ("expected_outcome", _l("Kết quả mong muốn"), lambda u, n: n.expected_outcome),
        STATE,
    ],
    "startup": [
        ID,
        ("name", _l("Tên khởi nghiệp"), lambda u, s: s.name),
        OWNER,
        ("stage", _l("Giai đoạn"), lambda u, s: label(s.stage)),
        ("funding_sought", _l("Vốn cần gọi (₫)"), lambda u, s: s.funding_sought),
        SECTORS,
        ("pitch", _l("Giới thiệu ngắn (pitch)"), lambda u, s: s.pitch),
    ],
    "investor": [
        ID,
        ("name", _l("Tên nhà đầu tư / quỹ"), lambda u, i: i.name),
        OWNER,
        (
            "stages",
            _l("Giai đoạn đầu tư"),
            lambda u, i: ", ".join(stage_label(s) for s in i.stages or []),
        ),
        ("ticket_min", _l("Khoản đầu tư từ (₫)"), lambda u, i: i.ticket_min),
        ("ticket_max", _l("Khoản đầu tư đến (₫)"), lambda u, i: i.ticket_max),
        SECTORS,
        ("thesis", _l("Chiến lược đầu tư"), lambda u, i: i.thesis),
    ],
}


def export_rows(kind: str, query: SearchQuery, user: Any) -> tuple[list[str], Iterator[list[Any]]]:
    """Header and rows for the records the user can see under these filters (search order)."""
    query.kinds, query.page, query.per_page = (kind,), 1, EXPORT_LIMIT
    ids = [entry.object_id for entry in search(query, user).entries]
    model = MODELS[kind]
    columns = COLUMNS[kind]

    def rows() -> Iterator[list[Any]]:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            records = {
                r.id: r for r in db.session.scalars(select(model).where(model.id.in_(chunk)))
            }
            for record_id in chunk:
                record = records.get(record_id)
                if record is not None:
                    yield [getter(user, record) for _key, _label, getter in columns]

    return [str(header) for _key, header, _getter in columns], rows()
