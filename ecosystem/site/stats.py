"""Live counts for the home page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import func, select

from ecosystem.core.cache import TableCache
from ecosystem.extensions import db
from ecosystem.matching.models import Match, MatchState
from ecosystem.registry.enums import OrgKind
from ecosystem.registry.models import Organisation
from ecosystem.registry.search import public_condition
from ecosystem.registry.search_index import SearchEntry

# Counting the registry scans ~100,000 index rows (80 ms at that size, for each visit of
# the most visited page): another worker's change shows within half a minute.
_counts = TableCache({"search_entries", "organisations", "matches"}, ttl=30)


def _entries(kind: str):
    return func.count(SearchEntry.id).filter(SearchEntry.kind == kind)


def home_counts() -> list[tuple[str, int]]:
    """Every count in one statement (eight round trips cost more than the counting), kept
    per process until a write to the counted tables (core.cache)."""
    labels, values = _counts.get("home", _count)
    return [(str(label), value) for label, value in zip(labels, values, strict=True)]


def _count() -> tuple[list, list[int]]:

    counters = [
        (_l("Kết quả nghiên cứu đang chào"), _entries("result")),
        (_l("Nhu cầu công nghệ đang mở"), _entries("need")),
        (_l("Nhà khoa học, chuyên gia"), _entries("person")),
        (
            lazy_pgettext("section", "Doanh nghiệp"),
            select(func.count(Organisation.id))
            .where(Organisation.kind == OrgKind.enterprise, Organisation.merged_into_id.is_(None))
            .scalar_subquery(),
        ),
        (lazy_pgettext("section", "Khởi nghiệp"), _entries("startup")),
        (lazy_pgettext("section", "Nhà đầu tư"), _entries("investor")),
        (
            lazy_pgettext("section", "Đề xuất kết nối"),
            select(func.count(Match.id))
            .where(Match.state != MatchState.dismissed)
            .scalar_subquery(),
        ),
        (
            _l("Cặp đã được giới thiệu"),
            select(func.count(Match.id))
            .where(Match.state.in_((MatchState.introduced, MatchState.deal_reported)))
            .scalar_subquery(),
        ),
    ]
    statement = (
        select(*(column for _label, column in counters))
        .select_from(SearchEntry)
        .where(public_condition())
    )
    row = db.session.execute(statement).one()
    return [label for label, _column in counters], [value or 0 for value in row]
