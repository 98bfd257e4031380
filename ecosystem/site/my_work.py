"""“Việc của tôi” / “My work”: what waits for the signed-in user, across the features.

Only the user's own things, or their organisations' where they may act: the listings they
may edit, the proposals their side has not answered, their imports and background jobs,
their organisations' fund applications and their lab bookings. Each section links to the
feature's own page, which checks the permission again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import g, render_template
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from ecosystem.core.jobs import Job, JobState
from ecosystem.core.models import utcnow
from ecosystem.core.permissions import login_required
from ecosystem.extensions import db
from ecosystem.labs.models import Booking
from ecosystem.matching.models import Match, MatchState
from ecosystem.matching.permissions import visible_matches
from ecosystem.registry.enums import LABELS, ListingState
from ecosystem.registry.import_models import ImportBatch, ImportState
from ecosystem.registry.models import LISTING_MODELS
from ecosystem.registry.permissions import can_edit_listing
from ecosystem.site.views import bp
from ecosystem.workflow.models import FundApplication

EXPIRY_WARNING = dt.timedelta(days=30)
RECENT = 20  # imports, jobs, applications and bookings: the latest ones
LISTINGS_PER_KIND = 200

HIDDEN = "hidden"
LISTING_GROUPS = {
    **{state.value: LABELS[state] for state in ListingState},
    HIDDEN: _l("Bị quản trị viên ẩn"),
}
IMPORT_STATES = {
    ImportState.validating: _l("Đang kiểm tra"),
    ImportState.ready: _l("Chờ xác nhận"),
    ImportState.applied: _l("Đã ghi"),
    ImportState.failed: _l("Thất bại"),
    ImportState.cancelled: _l("Đã hủy"),
}
JOB_STATES = {
    JobState.queued: _l("Đang chờ"),
    JobState.running: _l("Đang chạy"),
    JobState.succeeded: _l("Hoàn thành"),
    JobState.failed: _l("Thất bại"),
}
JOB_KINDS = {
    "import.validate": _l("Kiểm tra tệp nhập dữ liệu"),
    "import.apply": _l("Ghi dữ liệu nhập"),
    "matching.rebuild": _l("Xây dựng lại chỉ mục gợi ý"),
    "system_check": _l("Kiểm tra hệ thống"),
}


@dataclass
class ListingEntry:
    kind: str
    item: Any
    expires_soon: bool
    expired: bool


@dataclass
class MyWork:
    listings: dict[str, list[ListingEntry]] = field(default_factory=dict)
    proposals: list[Match] = field(default_factory=list)
    imports: list[ImportBatch] = field(default_factory=list)
    jobs: list[Job] = field(default_factory=list)
    applications: list[FundApplication] = field(default_factory=list)
    bookings: list[Booking] = field(default_factory=list)


def my_listings(user: Any) -> dict[str, list[ListingEntry]]:
    """The listings the user may edit (their organisations', or made by them), by state."""
    orgs = sorted(user.active_org_ids)
    now = utcnow()
    groups: dict[str, list[ListingEntry]] = {key: [] for key in LISTING_GROUPS}
    for kind, model in LISTING_MODELS.items():
        mine = model.organisation_id.in_(orgs) | (model.created_by_id == user.id)
        statement = (
            sa.select(model)
            .where(mine)
            .options(selectinload(model.organisation))
            .order_by(model.expires_at.is_(None), model.expires_at, model.id.desc())
            .limit(LISTINGS_PER_KIND)
        )
        for item in db.session.scalars(statement):
            if not can_edit_listing(user, item):
                continue
            group = HIDDEN if item.hidden_at is not None else item.state.value
            expires = item.expires_at
            groups[group].append(
                ListingEntry(
                    kind,
                    item,
                    expires_soon=expires is not None and now <= expires < now + EXPIRY_WARNING,
                    expired=expires is not None and expires < now,
                )
            )
    return groups


def waiting_proposals(user: Any) -> list[Match]:
    """Open proposals where one of the user's organisations has not said yes or no yet."""
    orgs = sorted(user.active_org_ids)
    if not orgs:
        return []
    unanswered = (Match.source_org_id.in_(orgs) & Match.source_interested_at.is_(None)) | (
        Match.target_org_id.in_(orgs) & Match.target_interested_at.is_(None)
    )
    statement = (
        sa.select(Match)
        .where(
            Match.state.in_((MatchState.proposed, MatchState.interested)),
            unanswered,
            visible_matches(user),
        )
        .order_by(
            Match.state, Match.score.desc(), Match.id
        )  # “interested” first: the other side said yes
        .limit(50)
    )
    return list(db.session.scalars(statement))


def _latest(model: Any, condition: Any, order: Any) -> list[Any]:
    return list(db.session.scalars(sa.select(model).where(condition).order_by(order).limit(RECENT)))


def my_work(user: Any) -> MyWork:
    orgs = sorted(user.active_org_ids) or [-1]
    return MyWork(
        listings=my_listings(user),
        proposals=waiting_proposals(user),
        imports=_latest(ImportBatch, ImportBatch.created_by_id == user.id, ImportBatch.id.desc()),
        jobs=_latest(Job, Job.created_by_id == user.id, Job.id.desc()),
        applications=_latest(
            FundApplication,
            FundApplication.organisation_id.in_(orgs),
            FundApplication.updated_at.desc(),
        ),
        bookings=_latest(Booking, Booking.user_id == user.id, Booking.starts_at.desc()),
    )


@bp.get("/my-work")
@login_required
def my_work_page():
    return render_template(
        "site/my_work.html",
        work=my_work(g.user),
        listing_groups=LISTING_GROUPS,
        import_states=IMPORT_STATES,
        job_states=JOB_STATES,
        job_kinds=JOB_KINDS,
    )
