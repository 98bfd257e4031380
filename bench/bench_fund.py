"""The fund at scale (prints numbers): the committee view and reviewer suggestion.

    python bench/bench_fund.py [--applications 500] [--reviews 3] [--experts 2000]
                               [--backends postgresql,sqlite]
                               [--pg-url postgresql://postgres@127.0.0.1:5432/bench_fund]

Loads one call with N applications under review, each with R submitted reviews on a
four-criterion rubric, and E expert reviewers (a person record with expertise drawn from the
demo vocabulary, an affiliation, and a research group with a result). Then times:
  * ``committee_rows(call)`` — everything the committee page computes (weighted means,
    spread, ranking, budget left), median and max of several runs, and its query count;
  * reviewer suggestion — the expert index build, then ``suggest()`` for every application
    (TF-IDF ranking, explanation terms, conflict checks, load), per-application p50/p95.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import sqlalchemy as sa
from bench_search import create_database, migrated_app, sentence, vocabulary

RUBRIC = [
    {"key": k, "label_vi": k, "label_en": k, "weight": w}
    for k, w in (("moi", 3), ("khathi", 3), ("tacdong", 2), ("doiung", 2))
]


def load(app, n_apps: int, n_reviews: int, n_experts: int, rng: random.Random) -> int:
    from ecosystem.auth.models import PlatformRole, User, UserRole
    from ecosystem.core.models import utcnow
    from ecosystem.extensions import db
    from ecosystem.registry.enums import ListingState, OrgKind
    from ecosystem.registry.models import (
        Membership,
        Organisation,
        Person,
        ResearchField,
        ResearchGroup,
        ResearchResult,
    )
    from ecosystem.workflow.models import (
        ApplicationState,
        AssignmentState,
        FundApplication,
        FundCall,
        ReviewAssignment,
    )

    words = vocabulary()
    now = utcnow()
    with app.app_context():
        db.session.add(ResearchField(code="aquaculture", name_vi="Thủy sản", name_en="Aq"))
        orgs = [
            Organisation(
                kind=rng.choice([OrgKind.university, OrgKind.enterprise]),
                name_vi=f"Tổ chức {i}",
                name_key=f"to chuc {i}",
            )
            for i in range(200)
        ]
        db.session.add_all(orgs)
        db.session.flush()
        experts = []
        for i in range(n_experts):
            user = User(
                email=f"e{i}@bench.vn",
                email_key=f"e{i}@bench.vn",
                full_name=f"Chuyên gia {i}",
                password_hash="x",
                email_verified_at=now,
            )
            experts.append(user)
        db.session.add_all(experts)
        db.session.flush()
        db.session.add_all(UserRole(user_id=u.id, role=PlatformRole.reviewer) for u in experts)
        for i, user in enumerate(experts):
            org = orgs[i % len(orgs)]
            person = Person(
                full_name=user.full_name,
                expertise=sentence(rng, words, 6).split()[:4],
                user_id=user.id,
                bio=sentence(rng, words, 20),
            )
            person.memberships = [Membership(organisation_id=org.id)]
            group = ResearchGroup(organisation_id=org.id, name_vi=f"Nhóm {i}", members=[person])
            db.session.add_all([person, group])
            db.session.flush()
            db.session.add(
                ResearchResult(
                    organisation_id=org.id,
                    group_id=group.id,
                    title=sentence(rng, words, 8),
                    summary=sentence(rng, words, 30),
                    field_code="aquaculture",
                    trl=5,
                    keywords=[],
                    state=ListingState.published,
                )
            )
        call = FundCall(
            title_vi="Đợt gọi",
            budget=500_000_000_000,
            max_amount=1_500_000_000,
            opens_at=now - dt.timedelta(days=30),
            closes_at=now + dt.timedelta(days=30),
            rubric=RUBRIC,
            reviewer_load_limit=50,
        )
        db.session.add(call)
        db.session.flush()
        for i in range(n_apps):
            application = FundApplication(
                call_id=call.id,
                organisation_id=orgs[i % len(orgs)].id,
                title=sentence(rng, words, 10),
                summary=sentence(rng, words, 60),
                trl=5,
                requested_amount=rng.randrange(1, 15) * 100_000_000,
                state=ApplicationState.under_review,
                submitted_at=now,
                field_code="aquaculture",
            )
            db.session.add(application)
            db.session.flush()
            for reviewer in rng.sample(experts, n_reviews):
                db.session.add(
                    ReviewAssignment(
                        application_id=application.id,
                        reviewer_id=reviewer.id,
                        state=AssignmentState.submitted,
                        submitted_at=now,
                        declared_at=now,
                        scores={c["key"]: rng.randint(1, 5) for c in RUBRIC},
                    )
                )
        db.session.commit()
        return call.id


def measure(app, call_id: int, runs: int, suggest_for: int) -> dict:
    from ecosystem.extensions import db
    from ecosystem.workflow import reviewers
    from ecosystem.workflow.committee import committee_rows
    from ecosystem.workflow.models import FundApplication, FundCall

    out: dict = {}
    with app.test_request_context():
        call = db.session.get(FundCall, call_id)
        statements: list[str] = []
        sa.event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        timings = []
        for _ in range(runs):
            db.session.expire_all()
            statements.clear()
            started = time.perf_counter()
            rows = committee_rows(call)
            timings.append((time.perf_counter() - started) * 1000)
        out["committee_rows"] = len(rows)
        out["committee_median_ms"] = round(statistics.median(timings), 1)
        out["committee_max_ms"] = round(max(timings), 1)
        out["committee_queries"] = len(statements)
        started = time.perf_counter()
        index = reviewers.build_index()
        out["expert_index_build_s"] = round(time.perf_counter() - started, 2)
        applications = db.session.scalars(sa.select(FundApplication).limit(suggest_for)).all()
        per_app = []
        empty = 0
        for application in applications:
            started = time.perf_counter()
            found = reviewers.suggest(application, limit=5, index=index)
            per_app.append((time.perf_counter() - started) * 1000)
            empty += not found
        per_app.sort()
        out["suggest_applications"] = len(per_app)
        out["suggest_total_s"] = round(sum(per_app) / 1000, 1)
        out["suggest_p50_ms"] = round(per_app[len(per_app) // 2], 1)
        out["suggest_p95_ms"] = round(per_app[int(len(per_app) * 0.95) - 1], 1)
        out["suggest_without_result"] = empty
    return out


def run(backend: str, url: str, args) -> dict:
    from ecosystem.matching.signals import paused

    with migrated_app(backend, url) as app:
        started = time.perf_counter()
        with paused():
            call_id = load(app, args.applications, args.reviews, args.experts, random.Random(264))
        load_s = time.perf_counter() - started
        stats = measure(app, call_id, args.runs, args.suggest)
    return {
        "backend": backend,
        "applications": args.applications,
        "reviews_each": args.reviews,
        "experts": args.experts,
        "load_s": round(load_s, 1),
        **stats,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=500)
    parser.add_argument("--reviews", type=int, default=3)
    parser.add_argument("--experts", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=7, help="committee view timings")
    parser.add_argument("--suggest", type=int, default=500, help="applications to suggest for")
    parser.add_argument("--backends", default="postgresql")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/bench_fund"),
    )
    args = parser.parse_args()
    import logging

    logging.disable(logging.INFO)
    for backend in args.backends.split(","):
        if backend == "sqlite":
            url = f"sqlite:///{tempfile.mkdtemp()}/bench.db"
        else:
            url = args.pg_url
            create_database(url)
        print(json.dumps(run(backend, url, args), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
