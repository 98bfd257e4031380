"""Proposed partnerships and what became of them."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ecosystem.core.models import Base, TimestampMixin, enum_column
from ecosystem.registry.enums import RecordKind


class MatchState(enum.StrEnum):
    proposed = "proposed"
    interested = "interested"  # one side said yes
    introduced = "introduced"  # both sides said yes: contacts and details unlocked
    deal_reported = "deal_reported"
    dismissed = "dismissed"


class Side(enum.StrEnum):
    source = "source"
    target = "target"


class ContractType(enum.StrEnum):
    licence = "licence"
    joint_research = "joint_research"
    service_contract = "service_contract"
    technology_transfer = "technology_transfer"
    investment = "investment"
    other = "other"


# The pairs the platform proposes: (source kind, target kind).
PAIRS = (
    (RecordKind.need, RecordKind.result),
    (RecordKind.group, RecordKind.need),
    (RecordKind.startup, RecordKind.investor),
)


class Match(TimestampMixin, Base):
    __tablename__ = "matches"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_kind: Mapped[str] = mapped_column(sa.String(16))
    source_id: Mapped[int] = mapped_column()
    target_kind: Mapped[str] = mapped_column(sa.String(16))
    target_id: Mapped[int] = mapped_column()
    source_org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    target_org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    rank: Mapped[int] = mapped_column(default=0)
    score: Mapped[float] = mapped_column(default=0.0)
    text_score: Mapped[float] = mapped_column(default=0.0)
    facet_multiplier: Mapped[float] = mapped_column(default=1.0)
    # {"terms": [{"term", "share"}], "facets": [{"name", "ok", "query", "doc"}]}
    explanation: Mapped[dict[str, Any]] = mapped_column(default=dict)
    state: Mapped[MatchState] = mapped_column(
        enum_column(MatchState), default=MatchState.proposed, index=True
    )
    source_interested_at: Mapped[dt.datetime | None] = mapped_column()
    target_interested_at: Mapped[dt.datetime | None] = mapped_column()
    dismissed_by: Mapped[Side | None] = mapped_column(enum_column(Side, name="match_side"))
    dismissed_at: Mapped[dt.datetime | None] = mapped_column()
    introduced_at: Mapped[dt.datetime | None] = mapped_column()
    computed_at: Mapped[dt.datetime | None] = mapped_column()
    deal_type: Mapped[ContractType | None] = mapped_column(enum_column(ContractType))
    deal_value: Mapped[int | None] = mapped_column(sa.BigInteger)
    deal_date: Mapped[dt.date | None] = mapped_column()
    deal_reported_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    __table_args__ = (
        sa.UniqueConstraint(
            "source_kind", "source_id", "target_kind", "target_id", name="match_pair"
        ),
        sa.Index("ix_matches_source", "source_kind", "source_id"),
        sa.Index("ix_matches_target", "target_kind", "target_id"),
        sa.CheckConstraint("deal_value IS NULL OR deal_value >= 0", name="deal_value_positive"),
        sa.CheckConstraint(
            "state != 'introduced' OR (source_interested_at IS NOT NULL AND target_interested_at IS NOT NULL)",
            name="introduced_needs_both",
        ),
        sa.CheckConstraint(
            "state != 'deal_reported' OR deal_type IS NOT NULL", name="deal_has_type"
        ),
    )

    def org_for(self, side: Side) -> int:
        return self.source_org_id if side is Side.source else self.target_org_id

    def interested_at(self, side: Side) -> dt.datetime | None:
        return self.source_interested_at if side is Side.source else self.target_interested_at


class TermGroupRecord(TimestampMixin, Base):
    """An admin's change to the term dictionary: a group added or edited (same ``group_id``
    as a shipped group replaces it), merged into another or retired. The shipped groups
    (matching/engine/data/terms.csv) plus these rows are the platform's dictionary
    (term_operations.platform_dictionary), applied at the next index update."""

    __tablename__ = "term_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[str] = mapped_column(sa.String(100), unique=True)
    field: Mapped[str] = mapped_column(sa.String(64), default="")
    vi: Mapped[str] = mapped_column(sa.Text, default="")  # alternatives separated by "|"
    en: Mapped[str] = mapped_column(sa.Text, default="")
    retired: Mapped[bool] = mapped_column(default=False)
    merged_into: Mapped[str | None] = mapped_column(sa.String(100))
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
