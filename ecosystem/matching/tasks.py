"""Background matching work: keep the index fresh, rebuild it, and send the weekly digest."""

from __future__ import annotations

import datetime as dt
from typing import Any

from celery import shared_task
from flask import current_app, has_request_context, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import URLSafeSerializer
from sqlalchemy import select, update

from ecosystem.auth.models import MembershipStatus, OrgMembership, User
from ecosystem.core.jobs import Job, JobRun, run_job
from ecosystem.core.mail import send_mail
from ecosystem.core.models import utcnow
from ecosystem.core.urls import external_url
from ecosystem.extensions import db
from ecosystem.matching import proposals
from ecosystem.matching.models import Match, MatchState
from ecosystem.matching.permissions import can_view_match
from ecosystem.matching.proposal_records import match_title
from ecosystem.matching.registry_documents import INDEXED_KINDS, skipped_on_failure
from ecosystem.matching.saved_index import index_lock, load_index, save_index
from ecosystem.registry.models import LISTING_MODELS, Person, ResearchGroup


def _expand(items: list[list[Any]]) -> tuple[set[tuple[str, int]], set[tuple[str, int]]]:
    """(records whose document may change, records changed substantially). People and
    organisations are not matched themselves: their groups and listings are."""
    records: set[tuple[str, int]] = set()
    substantial: set[tuple[str, int]] = set()
    for kind, object_id, is_substantial in items:
        found: list[tuple[str, int]] = []
        if kind == "person":
            found = [
                ("group", g.id)
                for g in db.session.scalars(
                    select(ResearchGroup).where(ResearchGroup.members.any(Person.id == object_id))
                )
            ]
        elif kind == "organisation":
            for listing_kind in INDEXED_KINDS:
                model = LISTING_MODELS[listing_kind]
                found += [
                    (listing_kind, i)
                    for i in db.session.scalars(
                        select(model.id).where(model.organisation_id == object_id)
                    )
                ]
        else:
            found = [(kind, int(object_id))]
        records.update(found)
        if is_substantial:
            substantial.update(found)
    return records, substantial


@shared_task(name="matching.update_records")
def update_records(items: list[list[Any]]) -> dict:
    """Refresh the documents of changed records and the proposals they can affect."""
    with index_lock():  # first: waiting for it, the task must hold no connection
        records, substantial = _expand(items)
        index = load_index()
        if index is None:
            index = proposals.build_index_documents()
        for kind, object_id in records:
            if kind not in INDEXED_KINDS:
                continue
            with skipped_on_failure(kind, object_id, "document", writes=False):
                if proposals.refresh_document(index, kind, object_id):
                    substantial.add((kind, object_id))
        save_index(index)
        _revive_dismissed(substantial)
        # Found before the proposals of hidden records go: their sources must be recomputed
        # so that the next best target takes the freed place.
        sources: set[tuple[str, int]] = set()
        for kind, object_id in records:
            with skipped_on_failure(kind, object_id, "affected sources", writes=False):
                sources |= proposals.sources_affected(index, kind, object_id)
        _drop_proposals_of_hidden(records)
        count = proposals.recompute_sources(index, sources)
        db.session.commit()
    return {"records": len(records), "sources": len(sources), "proposals": count}


def _revive_dismissed(records: set[tuple[str, int]]) -> None:
    """A dismissed pair may come back once one of its records changed substantially."""
    for kind, object_id in records:
        for side_kind, side_id in (
            (Match.source_kind, Match.source_id),
            (Match.target_kind, Match.target_id),
        ):
            db.session.execute(
                update(Match)
                .where(side_kind == kind, side_id == object_id, Match.state == MatchState.dismissed)
                # It comes back as a new proposal: interest given before the dismissal
                # was for the old record and does not count towards an introduction.
                .values(
                    state=MatchState.proposed,
                    dismissed_by=None,
                    dismissed_at=None,
                    source_interested_at=None,
                    target_interested_at=None,
                )
            )


def _drop_proposals_of_hidden(records: set[tuple[str, int]]) -> None:
    for kind, object_id in records:
        if kind not in INDEXED_KINDS:
            continue
        listing = db.session.get(LISTING_MODELS[kind], object_id)
        if listing is None or not listing.is_public:
            for side_kind, side_id in (
                (Match.source_kind, Match.source_id),
                (Match.target_kind, Match.target_id),
            ):
                for match in db.session.scalars(
                    select(Match).where(
                        side_kind == kind, side_id == object_id, Match.state == MatchState.proposed
                    )
                ):
                    db.session.delete(match)
    db.session.flush()


def rebuild_index(run: JobRun | None = None) -> dict[str, Any]:
    """Build the index from every public record, save it, recompute every proposal."""

    def report(done: int, total: int) -> None:
        if run is not None:
            run.progress(
                20 + 75 * done / max(total, 1),
                _("Đã tính đề xuất cho %(done)d/%(total)d hồ sơ", done=done, total=total),
            )

    with index_lock():
        index = proposals.build_index_documents()
        save_index(index)
        if run is not None:
            run.progress(20, _("Đã dựng chỉ mục với %(n)d tài liệu", n=len(index)))
        count = proposals.recompute_all(index, report)
        if run is not None:
            run.progress(
                100,
                _(
                    "Đã tính lại %(proposals)d đề xuất từ %(documents)d hồ sơ.",
                    proposals=count,
                    documents=len(index),
                ),
            )
    return {"documents": len(index), "proposals": count, "url": "/matches"}


@shared_task(name="matching.rebuild")
def rebuild(job_id: int) -> dict:
    def body(run: JobRun) -> dict[str, Any]:
        with force_locale(run.job_locale()):
            return rebuild_index(run)

    return run_job(job_id, body)


@shared_task(name="matching.nightly_rebuild")
def nightly_rebuild() -> dict:

    job = Job(kind="matching.rebuild")
    db.session.add(job)
    db.session.commit()
    return rebuild.run(job.id)


# Weekly digest ------------------------------------------------------------------------

DIGEST_SALT = "matching-digest-unsubscribe"


def unsubscribe_token(user: User) -> str:
    return URLSafeSerializer(current_app.secret_key, salt=DIGEST_SALT).dumps(user.id)


def send_weekly_digest(now: dt.datetime | None = None) -> int:
    """One e-mail per member with new proposals for their organisations this week."""
    if has_request_context():
        return _send_weekly_digest(now)
    # Celery beat runs this with an app context only: links need the public address.
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        return _send_weekly_digest(now)


def _send_weekly_digest(now: dt.datetime | None) -> int:

    now = now or utcnow()
    since = now - dt.timedelta(days=7)
    fresh = db.session.scalars(
        select(Match).where(Match.created_at >= since, Match.state == MatchState.proposed)
    ).all()
    if not fresh:
        return 0
    by_org: dict[int, list[Match]] = {}
    for match in fresh:
        by_org.setdefault(match.source_org_id, []).append(match)
        by_org.setdefault(match.target_org_id, []).append(match)
    links = db.session.execute(
        select(OrgMembership.user_id, OrgMembership.organisation_id).where(
            OrgMembership.status == MembershipStatus.active,
            OrgMembership.organisation_id.in_(list(by_org)),
        )
    ).all()
    per_user: dict[int, list[Match]] = {}
    for user_id, org_id in links:
        per_user.setdefault(user_id, []).extend(by_org[org_id])
    sent = 0
    for user_id, matches in per_user.items():
        user = db.session.get(User, user_id)
        if user is None or not user.is_active or user.digest_opt_out:
            continue
        # A record may have expired since it was proposed: only what the reader may see.
        visible = [m for m in {m.id: m for m in matches}.values() if can_view_match(user, m)]
        if not visible:
            continue
        unique = sorted(visible, key=lambda m: -m.score)[:20]
        with force_locale(user.locale or "vi"):
            items = [
                (match_title(m), external_url("matching.detail", match_id=m.id)) for m in unique
            ]
            body = render_template(
                "emails/match_digest.txt",
                user=user,
                items=items,
                unsubscribe=external_url("matching.unsubscribe", token=unsubscribe_token(user)),
            )
            send_mail(user.email, _("%(n)d gợi ý kết nối mới trong tuần", n=len(unique)), body)
        sent += 1
    return sent


@shared_task(name="matching.weekly_digest")
def weekly_digest() -> dict:
    sent = send_weekly_digest()
    db.session.commit()
    return {"sent": sent}
