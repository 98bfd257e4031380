"""Export of any filtered registry list to CSV or Excel, with the same visibility as the page.

Confidential details are written only where the user may read them; elsewhere the cell
says they are confidential.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from ecosystem.core.formatting import format_date
from ecosystem.extensions import db
from ecosystem.registry import permissions as perms
from ecosystem.registry.enums import label
from ecosystem.registry.models import LISTING_MODELS, Organisation, Person, ResearchGroup
from ecosystem.registry.search import SearchQuery, search

MODELS = {"organisation": Organisation, "person": Person, "group": ResearchGroup, **LISTING_MODELS}
EXPORT_LIMIT = 20_000

Column = tuple[str, Callable[[Any, Any], Any]]


def _details(user: Any, result: Any) -> str:
    return result.details if perms.can_view_details(user, result) else _("[bảo mật]")


def _contact(user: Any, person: Any, value: str) -> str:
    return value if perms.can_see_contact(user, person) else ""


COLUMNS: dict[str, list[Column]] = {
    "organisation": [
        ("id", lambda u, o: o.id),
        ("kind", lambda u, o: o.kind.value),
        ("name_vi", lambda u, o: o.name_vi),
        ("name_en", lambda u, o: o.name_en),
        ("short_name", lambda u, o: o.short_name),
        ("tax_code", lambda u, o: o.tax_code or ""),
        ("ror_id", lambda u, o: o.ror_id or ""),
        ("province", lambda u, o: o.province),
        ("address", lambda u, o: o.address),
        ("website", lambda u, o: o.website),
    ],
    "person": [
        ("id", lambda u, p: p.id),
        ("honorific", lambda u, p: p.honorific),
        ("full_name", lambda u, p: p.full_name),
        ("orcid", lambda u, p: p.orcid or ""),
        ("expertise", lambda u, p: ", ".join(p.expertise or [])),
        (
            "organisations",
            lambda u, p: "; ".join(
                m.organisation.name_vi for m in p.memberships if m.ended_on is None
            ),
        ),
        ("email", lambda u, p: _contact(u, p, p.email)),
        ("phone", lambda u, p: _contact(u, p, p.phone)),
    ],
    "group": [
        ("id", lambda u, g: g.id),
        ("name_vi", lambda u, g: g.name_vi),
        ("name_en", lambda u, g: g.name_en),
        ("organisation", lambda u, g: g.organisation.name_vi),
        ("fields", lambda u, g: ", ".join(f.code for f in g.fields)),
    ],
    "result": [
        ("id", lambda u, r: r.id),
        ("title", lambda u, r: r.title),
        ("organisation", lambda u, r: r.organisation.name_vi),
        ("field_code", lambda u, r: r.field_code),
        ("trl", lambda u, r: r.trl),
        ("ip_status", lambda u, r: label(r.ip_status)),
        ("confidentiality", lambda u, r: r.confidentiality.value),
        ("keywords", lambda u, r: ", ".join(r.keywords or [])),
        ("summary", lambda u, r: r.summary),
        ("details", _details),
        ("state", lambda u, r: r.state.value),
        ("published_at", lambda u, r: format_date(r.published_at)),
    ],
    "need": [
        ("id", lambda u, n: n.id),
        ("title", lambda u, n: n.title),
        ("organisation", lambda u, n: n.organisation.name_vi),
        ("field_code", lambda u, n: n.field_code),
        ("trl_wanted", lambda u, n: n.trl_wanted),
        ("budget_min", lambda u, n: n.budget_min),
        ("budget_max", lambda u, n: n.budget_max),
        ("deadline", lambda u, n: format_date(n.deadline)),
        ("problem", lambda u, n: n.problem),
        ("expected_outcome", lambda u, n: n.expected_outcome),
        ("state", lambda u, n: n.state.value),
    ],
    "startup": [
        ("id", lambda u, s: s.id),
        ("name", lambda u, s: s.name),
        ("organisation", lambda u, s: s.organisation.name_vi),
        ("stage", lambda u, s: s.stage.value),
        ("funding_sought", lambda u, s: s.funding_sought),
        ("sectors", lambda u, s: ", ".join(f.code for f in s.sectors)),
        ("pitch", lambda u, s: s.pitch),
    ],
    "investor": [
        ("id", lambda u, i: i.id),
        ("name", lambda u, i: i.name),
        ("organisation", lambda u, i: i.organisation.name_vi),
        ("stages", lambda u, i: ", ".join(i.stages or [])),
        ("ticket_min", lambda u, i: i.ticket_min),
        ("ticket_max", lambda u, i: i.ticket_max),
        ("sectors", lambda u, i: ", ".join(f.code for f in i.sectors)),
        ("thesis", lambda u, i: i.thesis),
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
                    yield [getter(user, record) for _, getter in columns]

    return [name for name, _ in columns], rows()
