"""Shared labs (thiết chế dùng chung): labs, equipment, downtime, authorisations, bookings,
usage records, iCalendar feed tokens and the waitlist.

The rule "no two bookings (or a booking and a downtime) of one piece of equipment overlap"
is the database's: every booking that holds its slot (requested, approved, checked in,
completed) and every downtime block owns one row of ``lab_holds``; on PostgreSQL an
exclusion constraint (equipment =, tstzrange &&) refuses an overlapping row, on SQLite a
trigger does, inside the writer's transaction (SQLite admits one writer at a time, so the
check and the insert are serialised). Fees are whole đồng; datetimes are UTC, shown and
checked against opening hours in Asia/Ho_Chi_Minh.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ecosystem.core.models import Base, TimestampMixin, enum_column, utcnow
from ecosystem.registry.models import Organisation


class FeeUnit(enum.StrEnum):
    hour = "hour"
    sample = "sample"


class DowntimeKind(enum.StrEnum):
    maintenance = "maintenance"
    breakdown = "breakdown"


class BookingState(enum.StrEnum):
    requested = "requested"
    approved = "approved"
    rejected = "rejected"
    checked_in = "checked_in"
    completed = "completed"
    cancelled = "cancelled"
    no_show = "no_show"


class UserKind(enum.StrEnum):
    research = "research"
    enterprise = "enterprise"
    startup = "startup"


# The states in which a booking keeps its slot (its row in lab_holds).
HOLDING = frozenset(
    {
        BookingState.requested,
        BookingState.approved,
        BookingState.checked_in,
        BookingState.completed,
    }
)


class Lab(TimestampMixin, Base):
    __tablename__ = "labs"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    manager_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    name_vi: Mapped[str] = mapped_column(sa.String(300))
    name_en: Mapped[str] = mapped_column(sa.String(300), default="")
    field_code: Mapped[str | None] = mapped_column(sa.ForeignKey("fields.code"))
    address: Mapped[str] = mapped_column(sa.String(300), default="")
    # {"0": [480, 1020], ..., "6": null}: Monday = "0"; minutes after local midnight,
    # the closing minute may be 1440 (open until midnight).
    opening_hours: Mapped[dict[str, Any]] = mapped_column(default=dict)
    rules_vi: Mapped[str] = mapped_column(sa.Text, default="")
    rules_en: Mapped[str] = mapped_column(sa.Text, default="")
    contact_email: Mapped[str] = mapped_column(sa.String(254), default="")
    is_published: Mapped[bool] = mapped_column(default=True)

    organisation: Mapped[Organisation] = relationship()
    manager = relationship("User")
    equipment: Mapped[list[Equipment]] = relationship(
        back_populates="lab", order_by="Equipment.name_vi"
    )

    def name(self, locale: str) -> str:
        return (self.name_en if locale == "en" and self.name_en else self.name_vi) or ""

    def rules(self, locale: str) -> str:
        return (self.rules_en if locale == "en" and self.rules_en else self.rules_vi) or ""


class Equipment(TimestampMixin, Base):
    __tablename__ = "lab_equipment"

    id: Mapped[int] = mapped_column(primary_key=True)
    lab_id: Mapped[int] = mapped_column(sa.ForeignKey("labs.id"), index=True)
    name_vi: Mapped[str] = mapped_column(sa.String(300))
    name_en: Mapped[str] = mapped_column(sa.String(300), default="")
    category: Mapped[str] = mapped_column(sa.String(100), default="", index=True)
    field_code: Mapped[str | None] = mapped_column(sa.ForeignKey("fields.code"))
    model: Mapped[str] = mapped_column(sa.String(200), default="")
    specifications: Mapped[str] = mapped_column(sa.Text, default="")
    photo_url: Mapped[str] = mapped_column(sa.String(300), default="")
    location: Mapped[str] = mapped_column(sa.String(200), default="")
    fee_unit: Mapped[FeeUnit] = mapped_column(enum_column(FeeUnit), default=FeeUnit.hour)
    # The actual cost of one unit (hour or sample), as the 2025 Law lists it.
    cost_maintenance: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    cost_repair: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    cost_operation: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    cost_depreciation: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    # Rates the operator may set below cost (never above it); none means "at cost".
    research_rate: Mapped[int | None] = mapped_column(sa.BigInteger)
    enterprise_rate: Mapped[int | None] = mapped_column(sa.BigInteger)
    training_required: Mapped[bool] = mapped_column(default=False)
    approval_required: Mapped[bool] = mapped_column(default=True)
    min_minutes: Mapped[int] = mapped_column(default=30)
    max_minutes: Mapped[int] = mapped_column(default=480)
    lead_hours: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)

    lab: Mapped[Lab] = relationship(back_populates="equipment")

    __table_args__ = (
        sa.CheckConstraint(
            "cost_maintenance >= 0 AND cost_repair >= 0 AND cost_operation >= 0"
            " AND cost_depreciation >= 0",
            name="costs_not_negative",
        ),
        sa.CheckConstraint(
            "research_rate IS NULL OR (research_rate >= 0 AND research_rate <="
            " cost_maintenance + cost_repair + cost_operation + cost_depreciation)",
            name="research_rate_at_most_cost",
        ),
        sa.CheckConstraint(
            "enterprise_rate IS NULL OR (enterprise_rate >= 0 AND enterprise_rate <="
            " cost_maintenance + cost_repair + cost_operation + cost_depreciation)",
            name="enterprise_rate_at_most_cost",
        ),
        sa.CheckConstraint("min_minutes > 0 AND max_minutes >= min_minutes", name="booking_length"),
        sa.CheckConstraint("lead_hours >= 0", name="lead_hours"),
    )

    def name(self, locale: str) -> str:
        return (self.name_en if locale == "en" and self.name_en else self.name_vi) or ""

    @property
    def unit_cost(self) -> int:
        return (
            self.cost_maintenance + self.cost_repair + self.cost_operation + self.cost_depreciation
        )

    def rate_for(self, kind: UserKind) -> int:
        """The fee of one unit for a user of ``kind``: the operator's rate, else the cost."""
        rate = self.research_rate if kind is UserKind.research else self.enterprise_rate
        return self.unit_cost if rate is None else rate


class Downtime(Base):
    __tablename__ = "lab_downtimes"

    id: Mapped[int] = mapped_column(primary_key=True)
    equipment_id: Mapped[int] = mapped_column(sa.ForeignKey("lab_equipment.id"), index=True)
    kind: Mapped[DowntimeKind] = mapped_column(enum_column(DowntimeKind))
    starts_at: Mapped[dt.datetime] = mapped_column()
    ends_at: Mapped[dt.datetime] = mapped_column()
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    equipment: Mapped[Equipment] = relationship()

    __table_args__ = (sa.CheckConstraint("starts_at < ends_at", name="starts_before_ends"),)


class Authorisation(Base):
    """A user may use a piece of equipment (granted by its lab's manager after training)."""

    __tablename__ = "lab_authorisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    equipment_id: Mapped[int] = mapped_column(sa.ForeignKey("lab_equipment.id"), index=True)
    granted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    granted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_on: Mapped[dt.date] = mapped_column()
    revoked_at: Mapped[dt.datetime | None] = mapped_column()
    note: Mapped[str] = mapped_column(sa.String(300), default="")

    user = relationship("User", foreign_keys=[user_id])
    equipment: Mapped[Equipment] = relationship()

    __table_args__ = (sa.UniqueConstraint("user_id", "equipment_id", name="user_equipment"),)

    def valid_on(self, day: dt.date) -> bool:
        return self.revoked_at is None and day <= self.expires_on


class Booking(TimestampMixin, Base):
    __tablename__ = "lab_bookings"

    id: Mapped[int] = mapped_column(primary_key=True)
    equipment_id: Mapped[int] = mapped_column(sa.ForeignKey("lab_equipment.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    user_kind: Mapped[UserKind] = mapped_column(enum_column(UserKind))
    starts_at: Mapped[dt.datetime] = mapped_column(index=True)
    ends_at: Mapped[dt.datetime] = mapped_column()
    samples: Mapped[int] = mapped_column(default=0)
    purpose: Mapped[str] = mapped_column(sa.String(500), default="")
    state: Mapped[BookingState] = mapped_column(
        enum_column(BookingState), default=BookingState.requested, index=True
    )
    award_id: Mapped[int | None] = mapped_column(sa.ForeignKey("fund_awards.id"))
    result_id: Mapped[int | None] = mapped_column(sa.ForeignKey("research_results.id"))
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column()
    reason: Mapped[str] = mapped_column(sa.String(500), default="")
    cancelled_at: Mapped[dt.datetime | None] = mapped_column()
    late_cancellation: Mapped[bool] = mapped_column(default=False)

    equipment: Mapped[Equipment] = relationship()
    user = relationship("User", foreign_keys=[user_id])
    organisation: Mapped[Organisation] = relationship()
    usage: Mapped[UsageRecord | None] = relationship(back_populates="booking", uselist=False)

    __table_args__ = (
        sa.CheckConstraint("starts_at < ends_at", name="starts_before_ends"),
        sa.CheckConstraint("samples >= 0", name="samples_not_negative"),
    )


class Hold(Base):
    """The time a booking or a downtime block occupies on one piece of equipment."""

    __tablename__ = "lab_holds"

    id: Mapped[int] = mapped_column(primary_key=True)
    equipment_id: Mapped[int] = mapped_column(sa.ForeignKey("lab_equipment.id"), index=True)
    starts_at: Mapped[dt.datetime] = mapped_column()
    ends_at: Mapped[dt.datetime] = mapped_column()
    booking_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("lab_bookings.id", ondelete="CASCADE"), unique=True
    )
    downtime_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("lab_downtimes.id", ondelete="CASCADE"), unique=True
    )

    __table_args__ = (
        sa.CheckConstraint("starts_at < ends_at", name="starts_before_ends"),
        sa.CheckConstraint(
            "(booking_id IS NULL) <> (downtime_id IS NULL)", name="booking_or_downtime"
        ),
        # PostgreSQL only (SQLite: the trigger created with the table, below).
        postgresql.ExcludeConstraint(
            ("equipment_id", "="),
            (sa.text("tstzrange(starts_at, ends_at, '[)')"), "&&"),
            using="gist",
            name="ex_lab_holds_no_overlap",
        ).ddl_if(dialect="postgresql"),
    )


class UsageRecord(Base):
    """What was actually used (from check-in and check-out) and what it cost and earned."""

    __tablename__ = "lab_usage_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(sa.ForeignKey("lab_bookings.id"), unique=True)
    equipment_id: Mapped[int] = mapped_column(sa.ForeignKey("lab_equipment.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    user_kind: Mapped[UserKind] = mapped_column(enum_column(UserKind))
    started_at: Mapped[dt.datetime] = mapped_column(index=True)
    ended_at: Mapped[dt.datetime | None] = mapped_column()
    samples: Mapped[int] = mapped_column(default=0)
    fee_unit: Mapped[FeeUnit] = mapped_column(enum_column(FeeUnit))
    units: Mapped[float] = mapped_column(default=0)
    unit_rate: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    unit_cost: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)  # what is charged
    cost_amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)  # the actual cost

    booking: Mapped[Booking] = relationship(back_populates="usage")
    equipment: Mapped[Equipment] = relationship()
    organisation: Mapped[Organisation] = relationship()

    __table_args__ = (
        sa.CheckConstraint("amount >= 0 AND cost_amount >= 0", name="amounts_not_negative"),
        sa.CheckConstraint("amount <= cost_amount", name="at_most_cost"),
    )


class FeedToken(Base):
    """The secret of an iCalendar feed (a user's bookings or one piece of equipment)."""

    __tablename__ = "lab_feed_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    equipment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("lab_equipment.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column()


class WaitlistEntry(Base):
    """Someone who wants a slot that is taken; told when it is freed."""

    __tablename__ = "lab_waitlist"

    id: Mapped[int] = mapped_column(primary_key=True)
    equipment_id: Mapped[int] = mapped_column(sa.ForeignKey("lab_equipment.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    starts_at: Mapped[dt.datetime] = mapped_column()
    ends_at: Mapped[dt.datetime] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    offered_at: Mapped[dt.datetime | None] = mapped_column()

    equipment: Mapped[Equipment] = relationship()

    __table_args__ = (sa.CheckConstraint("starts_at < ends_at", name="starts_before_ends"),)


# The database's own guarantee for db.create_all() (the migration creates the same).
BTREE_GIST = sa.DDL("CREATE EXTENSION IF NOT EXISTS btree_gist").execute_if(dialect="postgresql")
SQLITE_TRIGGERS = [
    sa.DDL(
        f"""CREATE TRIGGER lab_holds_no_overlap_{when.lower()} BEFORE {when} ON lab_holds
WHEN EXISTS (SELECT 1 FROM lab_holds h WHERE h.equipment_id = NEW.equipment_id
  AND h.id IS NOT NEW.id AND h.starts_at < NEW.ends_at AND NEW.starts_at < h.ends_at)
BEGIN SELECT RAISE(ABORT, 'lab_holds_no_overlap'); END"""
    ).execute_if(dialect="sqlite")
    for when in ("INSERT", "UPDATE")
]
sa.event.listen(Hold.__table__, "before_create", BTREE_GIST)
for _trigger in SQLITE_TRIGGERS:
    sa.event.listen(Hold.__table__, "after_create", _trigger)
