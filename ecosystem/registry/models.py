"""Registry entities (CERIF-inspired): organisations, people, groups, and the four listings."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ecosystem.core.models import Base, TimestampMixin, enum_column, utcnow
from ecosystem.registry.enums import (
    Confidentiality,
    IPStatus,
    ListingState,
    OrgKind,
    RecordKind,
    StartupStage,
)


class ResearchField(Base):
    """One entry of the controlled bilingual list of fields of research and industry."""

    __tablename__ = "fields"

    code: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    name_vi: Mapped[str] = mapped_column(sa.String(200))
    name_en: Mapped[str] = mapped_column(sa.String(200))
    parent_code: Mapped[str | None] = mapped_column(sa.ForeignKey("fields.code"))

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_vi


def _field_link(table: str, owner: str) -> sa.Table:
    return sa.Table(
        table,
        Base.metadata,
        sa.Column(
            f"{owner}_id", sa.ForeignKey(f"{owner}s.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("field_code", sa.ForeignKey("fields.code"), primary_key=True),
    )


group_fields = _field_link("group_fields", "research_group")
startup_fields = _field_link("startup_fields", "startup")
investor_fields = _field_link("investor_fields", "investor")

group_members = sa.Table(
    "group_members",
    Base.metadata,
    sa.Column(
        "research_group_id",
        sa.ForeignKey("research_groups.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("person_id", sa.ForeignKey("people.id", ondelete="CASCADE"), primary_key=True),
)


class Organisation(TimestampMixin, Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[OrgKind] = mapped_column(enum_column(OrgKind), index=True)
    name_vi: Mapped[str] = mapped_column(sa.String(300))
    name_en: Mapped[str] = mapped_column(sa.String(300), default="")
    short_name: Mapped[str] = mapped_column(sa.String(50), default="")
    tax_code: Mapped[str | None] = mapped_column(sa.String(14), unique=True)
    ror_id: Mapped[str | None] = mapped_column(sa.String(9), unique=True)
    province: Mapped[str] = mapped_column(sa.String(100), default="Thành phố Huế", index=True)
    address: Mapped[str] = mapped_column(sa.String(300), default="")
    website: Mapped[str] = mapped_column(sa.String(300), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    # Folded name without legal-form prefixes: the key for duplicate detection.
    name_key: Mapped[str] = mapped_column(sa.String(300), index=True, default="")
    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"))

    groups: Mapped[list[ResearchGroup]] = relationship(back_populates="organisation")

    def name(self, locale: str = "vi") -> str:
        return self.name_en if locale == "en" and self.name_en else self.name_vi

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.short_name or self.name_vi}>"


class Person(TimestampMixin, Base):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(sa.String(200))
    honorific: Mapped[str] = mapped_column(sa.String(30), default="")
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    phone: Mapped[str] = mapped_column(sa.String(30), default="")
    orcid: Mapped[str | None] = mapped_column(sa.String(19), unique=True)
    expertise: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    bio: Mapped[str] = mapped_column(sa.Text, default="")
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), unique=True)
    name_key: Mapped[str] = mapped_column(sa.String(200), index=True, default="")
    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id"))

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="person", cascade="all, delete-orphan"
    )

    @property
    def display_name(self) -> str:
        return f"{self.honorific} {self.full_name}".strip()


class Membership(Base):
    """A person's affiliation with an organisation (position and dates), as in CERIF."""

    __tablename__ = "memberships"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(
        sa.ForeignKey("people.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    position: Mapped[str] = mapped_column(sa.String(200), default="")
    started_on: Mapped[dt.date | None] = mapped_column()
    ended_on: Mapped[dt.date | None] = mapped_column()

    person: Mapped[Person] = relationship(back_populates="memberships")
    organisation: Mapped[Organisation] = relationship()

    __table_args__ = (
        sa.CheckConstraint(
            "ended_on IS NULL OR started_on IS NULL OR ended_on >= started_on", name="dates_ordered"
        ),
    )


class ResearchGroup(TimestampMixin, Base):
    __tablename__ = "research_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    name_vi: Mapped[str] = mapped_column(sa.String(300))
    name_en: Mapped[str] = mapped_column(sa.String(300), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    leader_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id"))

    organisation: Mapped[Organisation] = relationship(back_populates="groups")
    leader: Mapped[Person | None] = relationship(foreign_keys=[leader_id])
    members: Mapped[list[Person]] = relationship(secondary=group_members)
    fields: Mapped[list[ResearchField]] = relationship(secondary=group_fields)

    def name(self, locale: str = "vi") -> str:
        return self.name_en if locale == "en" and self.name_en else self.name_vi


class ListingMixin(TimestampMixin):
    """Life cycle shared by results, needs, startups and investors.

    Draft → published → archived. Published listings expire (``expires_at``); an
    administrator can hide one with a reason, which takes it out of every public channel.
    """

    state: Mapped[ListingState] = mapped_column(
        enum_column(ListingState), default=ListingState.draft, index=True
    )
    published_at: Mapped[dt.datetime | None] = mapped_column()
    expires_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    expiry_reminded_at: Mapped[dt.datetime | None] = mapped_column()
    hidden_at: Mapped[dt.datetime | None] = mapped_column()
    hidden_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    # The one rule of "anybody may see it", in Python on a record and in SQL in a query.
    @hybrid_property
    def is_public(self) -> bool:
        return (
            self.state is ListingState.published
            and self.hidden_at is None
            and (self.expires_at is None or self.expires_at > utcnow())
        )

    @is_public.inplace.expression
    @classmethod
    def _is_public_expression(cls) -> sa.ColumnElement[bool]:
        return sa.and_(
            cls.state == ListingState.published,
            cls.hidden_at.is_(None),
            sa.or_(cls.expires_at.is_(None), cls.expires_at > utcnow()),
        )

    @property
    def is_expired(self) -> bool:
        """Published, but its period ran out: the owners are asked to renew it."""
        return (
            self.state is ListingState.published
            and self.expires_at is not None
            and self.expires_at <= utcnow()
        )


class ResearchResult(ListingMixin, Base):
    """A research result or technology offer."""

    __tablename__ = "research_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    group_id: Mapped[int | None] = mapped_column(sa.ForeignKey("research_groups.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    summary: Mapped[str] = mapped_column(sa.Text)
    details: Mapped[str] = mapped_column(sa.Text, default="")
    field_code: Mapped[str] = mapped_column(sa.ForeignKey("fields.code"), index=True)
    keywords: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    trl: Mapped[int] = mapped_column()
    ip_status: Mapped[IPStatus] = mapped_column(enum_column(IPStatus), default=IPStatus.none)
    confidentiality: Mapped[Confidentiality] = mapped_column(
        enum_column(Confidentiality), default=Confidentiality.public
    )
    language: Mapped[str] = mapped_column(sa.String(8), default="vi")

    organisation: Mapped[Organisation] = relationship()
    group: Mapped[ResearchGroup | None] = relationship()
    field: Mapped[ResearchField] = relationship()
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="result", cascade="all, delete-orphan", order_by="Attachment.id"
    )

    __table_args__ = (sa.CheckConstraint("trl BETWEEN 1 AND 9", name="trl_range"),)


class Attachment(Base):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    result_id: Mapped[int] = mapped_column(
        sa.ForeignKey("research_results.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(sa.String(255))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(sa.String(64))
    storage_key: Mapped[str] = mapped_column(sa.String(100), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    result: Mapped[ResearchResult] = relationship(back_populates="attachments")


class TechnologyNeed(ListingMixin, Base):
    """A technology need or problem posted by an enterprise ("chợ bài toán")."""

    __tablename__ = "technology_needs"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    problem: Mapped[str] = mapped_column(sa.Text)
    expected_outcome: Mapped[str] = mapped_column(sa.Text, default="")
    field_code: Mapped[str] = mapped_column(sa.ForeignKey("fields.code"), index=True)
    trl_wanted: Mapped[int] = mapped_column()
    budget_min: Mapped[int | None] = mapped_column(sa.BigInteger)
    budget_max: Mapped[int | None] = mapped_column(sa.BigInteger)
    deadline: Mapped[dt.date | None] = mapped_column()

    organisation: Mapped[Organisation] = relationship()
    field: Mapped[ResearchField] = relationship()

    __table_args__ = (
        sa.CheckConstraint("trl_wanted BETWEEN 1 AND 9", name="trl_wanted_range"),
        sa.CheckConstraint(
            "budget_min IS NULL OR budget_max IS NULL OR budget_min <= budget_max",
            name="budget_ordered",
        ),
        sa.CheckConstraint("budget_min IS NULL OR budget_min >= 0", name="budget_positive"),
    )


class Startup(ListingMixin, Base):
    __tablename__ = "startups"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    stage: Mapped[StartupStage] = mapped_column(enum_column(StartupStage))
    funding_sought: Mapped[int | None] = mapped_column(sa.BigInteger)
    pitch: Mapped[str] = mapped_column(sa.Text)

    organisation: Mapped[Organisation] = relationship()
    sectors: Mapped[list[ResearchField]] = relationship(secondary=startup_fields)

    __table_args__ = (
        sa.CheckConstraint(
            "funding_sought IS NULL OR funding_sought >= 0", name="funding_positive"
        ),
    )


class Investor(ListingMixin, Base):
    __tablename__ = "investors"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    thesis: Mapped[str] = mapped_column(sa.Text)
    stages: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    ticket_min: Mapped[int | None] = mapped_column(sa.BigInteger)
    ticket_max: Mapped[int | None] = mapped_column(sa.BigInteger)

    organisation: Mapped[Organisation] = relationship()
    sectors: Mapped[list[ResearchField]] = relationship(secondary=investor_fields)

    __table_args__ = (
        sa.CheckConstraint(
            "ticket_min IS NULL OR ticket_max IS NULL OR ticket_min <= ticket_max",
            name="ticket_ordered",
        ),
    )


LISTING_MODELS: dict[str, type[Any]] = {
    RecordKind.result: ResearchResult,
    RecordKind.need: TechnologyNeed,
    RecordKind.startup: Startup,
    RecordKind.investor: Investor,
}
