"""The fund's records: calls, applications, reviews, decisions, awards and the risk ledger.

One module holds every table of the fund so that a newcomer sees the whole chain —
call → application → review → decision → award → milestone → disbursement — in one place;
the behaviour lives in the modules named after each step (calls, applications, reviews,
committee, awards, ledger). Amounts are whole đồng (BigInteger); datetimes are UTC and are
shown in Asia/Ho_Chi_Minh.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ecosystem.core.models import Base, TimestampMixin, enum_column, utcnow
from ecosystem.registry.models import Organisation, Person


class CallState(enum.StrEnum):
    draft = "draft"
    open = "open"
    closed = "closed"
    decided = "decided"


class ApplicationState(enum.StrEnum):
    draft = "draft"
    submitted = "submitted"
    screening = "screening"
    info_requested = "info_requested"  # back with the applicant until a reply deadline
    ineligible = "ineligible"
    under_review = "under_review"
    committee = "committee"
    approved = "approved"
    rejected = "rejected"
    waitlisted = "waitlisted"
    withdrawn = "withdrawn"
    contracted = "contracted"
    in_progress = "in_progress"
    closed = "closed"
    terminated = "terminated"


class PartnerRole(enum.StrEnum):
    enterprise = "enterprise"  # nhà doanh nghiệp
    research = "research"  # nhà khoa học
    other = "other"


class AssignmentState(enum.StrEnum):
    invited = "invited"  # must declare no conflict before the details open
    accepted = "accepted"
    declined = "declined"  # declared a conflict
    submitted = "submitted"


class MilestoneState(enum.StrEnum):
    planned = "planned"
    reported = "reported"
    changes_requested = "changes_requested"
    accepted = "accepted"
    paid = "paid"


class FundCall(TimestampMixin, Base):
    __tablename__ = "fund_calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_org_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"))
    title_vi: Mapped[str] = mapped_column(sa.String(300))
    title_en: Mapped[str] = mapped_column(sa.String(300), default="")
    description_vi: Mapped[str] = mapped_column(sa.Text, default="")
    description_en: Mapped[str] = mapped_column(sa.Text, default="")
    budget: Mapped[int] = mapped_column(sa.BigInteger)
    min_amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    max_amount: Mapped[int] = mapped_column(sa.BigInteger)
    cofunding_percent: Mapped[int] = mapped_column(default=0)
    opens_at: Mapped[dt.datetime] = mapped_column()
    closes_at: Mapped[dt.datetime] = mapped_column(index=True)
    eligible_kinds: Mapped[list[str]] = mapped_column(sa.JSON, default=list)  # OrgKind values
    field_codes: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    trl_min: Mapped[int] = mapped_column(default=1)
    trl_max: Mapped[int] = mapped_column(default=9)
    three_party: Mapped[bool] = mapped_column(default=False)  # "3 nhà": enterprise + research
    # [{"key", "label_vi", "label_en"}]
    required_documents: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    # [{"key", "label_vi", "label_en", "type": text|number|choice|file, "choices", "required"}]
    questions: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    # [{"key", "label_vi", "label_en", "weight"}]; every criterion is scored 1..score_max
    rubric: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    score_max: Mapped[int] = mapped_column(default=5)
    reviewers_per_application: Mapped[int] = mapped_column(default=3)
    reviewer_load_limit: Mapped[int] = mapped_column(default=10)
    disagreement_threshold: Mapped[float] = mapped_column(default=1.5)
    state: Mapped[CallState] = mapped_column(
        enum_column(CallState), default=CallState.draft, index=True
    )
    decided_at: Mapped[dt.datetime | None] = mapped_column()
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    fund: Mapped[Organisation | None] = relationship()
    applications: Mapped[list[FundApplication]] = relationship(back_populates="call")

    __table_args__ = (
        sa.CheckConstraint("budget > 0", name="budget_positive"),
        sa.CheckConstraint("min_amount >= 0 AND min_amount <= max_amount", name="amount_range"),
        sa.CheckConstraint("cofunding_percent BETWEEN 0 AND 100", name="cofunding_percent"),
        sa.CheckConstraint("opens_at < closes_at", name="opens_before_closes"),
        sa.CheckConstraint("trl_min BETWEEN 1 AND 9 AND trl_max BETWEEN trl_min AND 9", name="trl"),
        sa.CheckConstraint("score_max BETWEEN 2 AND 100", name="score_max"),
    )

    def title(self, locale: str) -> str:
        return (self.title_en if locale == "en" and self.title_en else self.title_vi) or ""

    def description(self, locale: str) -> str:
        return (self.description_en if locale == "en" and self.description_en else "") or (
            self.description_vi
        )

    def is_accepting(self, now: dt.datetime | None = None) -> bool:
        now = now or utcnow()
        return self.state is CallState.open and self.opens_at <= now < self.closes_at


class FundApplication(TimestampMixin, Base):
    __tablename__ = "fund_applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(sa.ForeignKey("fund_calls.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    lead_person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(sa.String(300))
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    field_code: Mapped[str | None] = mapped_column(sa.ForeignKey("fields.code"))
    trl: Mapped[int | None] = mapped_column()
    requested_amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    cofunding_amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    state: Mapped[ApplicationState] = mapped_column(
        enum_column(ApplicationState), default=ApplicationState.draft, index=True
    )
    submitted_at: Mapped[dt.datetime | None] = mapped_column()
    screening_note: Mapped[str] = mapped_column(sa.Text, default="")
    reply_due_at: Mapped[dt.datetime | None] = mapped_column()
    # The chain match → application: the introduction it was started from, if any.
    match_id: Mapped[int | None] = mapped_column(sa.ForeignKey("matches.id"), index=True)
    result_id: Mapped[int | None] = mapped_column(sa.ForeignKey("research_results.id"))
    need_id: Mapped[int | None] = mapped_column(sa.ForeignKey("technology_needs.id"))

    call: Mapped[FundCall] = relationship(back_populates="applications")
    organisation: Mapped[Organisation] = relationship()
    lead_person: Mapped[Person | None] = relationship()
    partners: Mapped[list[ApplicationPartner]] = relationship(
        back_populates="application", cascade="all, delete-orphan", lazy="selectin"
    )
    budget_lines: Mapped[list[BudgetLine]] = relationship(
        back_populates="application",
        cascade="all, delete-orphan",
        order_by="BudgetLine.position",
        lazy="selectin",
    )
    documents: Mapped[list[ApplicationDocument]] = relationship(
        back_populates="application", cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.CheckConstraint("requested_amount >= 0", name="requested_positive"),
        sa.CheckConstraint("cofunding_amount >= 0", name="cofunding_positive"),
        sa.CheckConstraint("trl IS NULL OR trl BETWEEN 1 AND 9", name="trl"),
        sa.CheckConstraint(
            "state = 'draft' OR state = 'withdrawn' OR submitted_at IS NOT NULL",
            name="submitted_has_date",
        ),
    )

    @property
    def partner_org_ids(self) -> set[int]:
        return {p.organisation_id for p in self.partners}

    @property
    def involved_org_ids(self) -> set[int]:
        return {self.organisation_id, *self.partner_org_ids}


class ApplicationPartner(Base):
    __tablename__ = "fund_application_partners"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("fund_applications.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    role: Mapped[PartnerRole] = mapped_column(enum_column(PartnerRole))

    application: Mapped[FundApplication] = relationship(back_populates="partners")
    organisation: Mapped[Organisation] = relationship(lazy="joined")

    __table_args__ = (sa.UniqueConstraint("application_id", "organisation_id", name="partner"),)


class BudgetLine(Base):
    __tablename__ = "fund_budget_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("fund_applications.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    label: Mapped[str] = mapped_column(sa.String(300))
    fund_amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    cofunding_amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)

    application: Mapped[FundApplication] = relationship(back_populates="budget_lines")

    __table_args__ = (
        sa.CheckConstraint("fund_amount >= 0 AND cofunding_amount >= 0", name="amounts_positive"),
    )


class ApplicationDocument(Base):
    __tablename__ = "fund_application_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("fund_applications.id", ondelete="CASCADE"), index=True
    )
    doc_key: Mapped[str] = mapped_column(sa.String(64))  # a call's required document or question
    filename: Mapped[str] = mapped_column(sa.String(255))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int] = mapped_column()
    storage_key: Mapped[str] = mapped_column(sa.String(100), unique=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    application: Mapped[FundApplication] = relationship(back_populates="documents")


class ReviewAssignment(TimestampMixin, Base):
    """An expert asked to review an application; details open only after "no conflict"."""

    __tablename__ = "fund_review_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("fund_applications.id", ondelete="CASCADE"), index=True
    )
    reviewer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    assigned_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    state: Mapped[AssignmentState] = mapped_column(
        enum_column(AssignmentState), default=AssignmentState.invited, index=True
    )
    declared_at: Mapped[dt.datetime | None] = mapped_column()
    override_reason: Mapped[str] = mapped_column(sa.Text, default="")  # load limit overridden
    # Scores per rubric criterion and comments; private to the reviewer until submitted.
    scores: Mapped[dict[str, Any]] = mapped_column(default=dict)
    comments: Mapped[dict[str, Any]] = mapped_column(default=dict)
    overall_comment: Mapped[str] = mapped_column(sa.Text, default="")
    submitted_at: Mapped[dt.datetime | None] = mapped_column()

    application: Mapped[FundApplication] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("application_id", "reviewer_id", name="reviewer"),
        sa.CheckConstraint(
            "state != 'submitted' OR submitted_at IS NOT NULL", name="submitted_has_date"
        ),
    )


class ConflictOfInterest(Base):
    """A reason why an expert must not see an application: detected or declared."""

    __tablename__ = "fund_conflicts"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("fund_applications.id", ondelete="CASCADE"), index=True
    )
    reviewer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    reason: Mapped[str] = mapped_column(sa.String(32))  # same_org, shared_group, ..., declared
    detail: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("application_id", "reviewer_id", "reason", name="conflict"),
    )


class Decision(Base):
    __tablename__ = "fund_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("fund_applications.id", ondelete="CASCADE"), unique=True
    )
    outcome: Mapped[ApplicationState] = mapped_column(
        enum_column(ApplicationState, name="decision_outcome")
    )
    reason: Mapped[str] = mapped_column(sa.Text)
    amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    application: Mapped[FundApplication] = relationship()

    __table_args__ = (
        sa.CheckConstraint(
            "outcome IN ('approved', 'rejected', 'waitlisted')", name="outcome_is_decision"
        ),
        sa.CheckConstraint("amount >= 0", name="amount_positive"),
    )


class Award(TimestampMixin, Base):
    __tablename__ = "fund_awards"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("fund_applications.id"), unique=True)
    contract_number: Mapped[str] = mapped_column(sa.String(64), unique=True)
    signed_on: Mapped[dt.date] = mapped_column()
    amount: Mapped[int] = mapped_column(sa.BigInteger)
    cofunding_amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    cycle_id: Mapped[int | None] = mapped_column(sa.ForeignKey("fund_cycles.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    application: Mapped[FundApplication] = relationship()
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="award", cascade="all, delete-orphan", order_by="Milestone.position"
    )

    __table_args__ = (sa.CheckConstraint("amount > 0", name="amount_positive"),)


class Milestone(TimestampMixin, Base):
    __tablename__ = "fund_milestones"

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(
        sa.ForeignKey("fund_awards.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(sa.String(300))
    deliverables: Mapped[str] = mapped_column(sa.Text, default="")
    amount: Mapped[int] = mapped_column(sa.BigInteger)
    due_on: Mapped[dt.date] = mapped_column(index=True)
    state: Mapped[MilestoneState] = mapped_column(
        enum_column(MilestoneState), default=MilestoneState.planned, index=True
    )
    report: Mapped[str] = mapped_column(sa.Text, default="")
    reported_at: Mapped[dt.datetime | None] = mapped_column()
    review_note: Mapped[str] = mapped_column(sa.Text, default="")
    reviewed_at: Mapped[dt.datetime | None] = mapped_column()
    reminded_at: Mapped[dt.datetime | None] = mapped_column()
    escalated_at: Mapped[dt.datetime | None] = mapped_column()

    award: Mapped[Award] = relationship(back_populates="milestones")
    disbursements: Mapped[list[Disbursement]] = relationship(
        back_populates="milestone", cascade="all, delete-orphan"
    )

    __table_args__ = (sa.CheckConstraint("amount > 0", name="amount_positive"),)


class Disbursement(Base):
    __tablename__ = "fund_disbursements"

    id: Mapped[int] = mapped_column(primary_key=True)
    milestone_id: Mapped[int] = mapped_column(
        sa.ForeignKey("fund_milestones.id", ondelete="CASCADE"), index=True
    )
    amount: Mapped[int] = mapped_column(sa.BigInteger)
    paid_on: Mapped[dt.date] = mapped_column()
    reference: Mapped[str] = mapped_column(sa.String(100))
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    milestone: Mapped[Milestone] = relationship(back_populates="disbursements")

    __table_args__ = (
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        sa.UniqueConstraint("milestone_id", "reference", name="reference"),
    )


class FundCycle(Base):
    """An investment cycle of the fund and its capital (Decree 264/2025/NĐ-CP)."""

    __tablename__ = "fund_cycles"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    starts_on: Mapped[dt.date] = mapped_column()
    ends_on: Mapped[dt.date] = mapped_column()
    charter_capital: Mapped[int] = mapped_column(sa.BigInteger)
    state_budget_capital: Mapped[int] = mapped_column(sa.BigInteger, default=0)

    __table_args__ = (
        sa.CheckConstraint("charter_capital > 0", name="capital_positive"),
        # The state budget holds at most 49% of the charter capital.
        sa.CheckConstraint(
            "state_budget_capital >= 0 AND state_budget_capital * 100 <= charter_capital * 49",
            name="state_share",
        ),
        sa.CheckConstraint("starts_on < ends_on", name="dates"),
    )


class WriteOff(Base):
    """A loss the fund accepted on an award (the risk it exists to take)."""

    __tablename__ = "fund_write_offs"

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(sa.ForeignKey("fund_awards.id"), index=True)
    amount: Mapped[int] = mapped_column(sa.BigInteger)
    reason: Mapped[str] = mapped_column(sa.Text)
    written_off_on: Mapped[dt.date] = mapped_column()
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (sa.CheckConstraint("amount > 0", name="amount_positive"),)
