"""The steering committee's dashboard at scale (prints numbers).

    python bench/bench_dashboard.py [--records 100000] [--matches 10000] [--runs 20]
                                    [--backends postgresql]
                                    [--pg-url postgresql://postgres@127.0.0.1:5432/bench_dashboard]

Loads a registry of N records (organisations, research results, technology needs, startups;
published over 2022–2026), M matches between needs and results at every stage of the funnel
(proposed → interested → introduced → deal, with deal values), a fund (calls, applications,
decisions, awards, milestones, disbursements) and the 168 demo tasks. Then requests every
indicator page through the application (the WSGI stack, templates, the unit of work):
the public overview, each indicator by month, quarter and year, the committee's overview,
the printed report, the task list, a drill-down and /api/v1/indicators, and prints p50/p95
per page:

  * cold — the indicator cache off (DASHBOARD_CACHE_SECONDS=0): every request computes
    every value from the records;
  * warm — the cache on (300 s, the staleness bound the pages state): what visitors get.

Target: every indicator page under 300 ms at p95.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import sqlalchemy as sa
from bench_search import create_database, migrated_app, sentence, vocabulary

START = dt.datetime(2022, 1, 1, tzinfo=dt.UTC)
SPAN_DAYS = (dt.datetime(2026, 12, 1, tzinfo=dt.UTC) - START).days


def moment(rng: random.Random) -> dt.datetime:
    return START + dt.timedelta(days=rng.uniform(0, SPAN_DAYS))


def load(app, n: int, n_matches: int, rng: random.Random) -> dict:
    from ecosystem.dashboard.demo import seed_dashboard
    from ecosystem.extensions import db
    from ecosystem.registry.models import ResearchField

    words = vocabulary()
    with app.app_context():
        db.session.add(ResearchField(code="aquaculture", name_vi="Thủy sản", name_en="Aq"))
        universities, enterprises = load_organisations(max(100, n // 50), rng)
        n_orgs = len(universities) + len(enterprises)
        rest = n - n_orgs
        n_results, n_needs = rest * 6 // 10, rest * 3 // 10
        n_startups = rest - n_results - n_needs
        load_listings(n_results, n_needs, n_startups, universities, enterprises, rng, words)
        results, n_match_rows = load_matches(n_matches, rng)
        n_apps = load_fund(enterprises, results, rng, words)
        seed_dashboard()
        db.session.commit()
        return {
            "organisations": n_orgs,
            "results": n_results,
            "needs": n_needs,
            "startups": n_startups,
            "matches": n_match_rows,
            "applications": n_apps,
        }


def load_organisations(n_orgs: int, rng: random.Random) -> tuple[list[int], list[int]]:
    """Universities and the rest (enterprises, startups), as two lists of ids."""
    from ecosystem.extensions import db
    from ecosystem.registry.enums import OrgKind
    from ecosystem.registry.models import Organisation

    kinds = [OrgKind.university, OrgKind.enterprise, OrgKind.enterprise, OrgKind.startup]
    org_rows = [
        {
            "kind": kinds[i % 4],
            "name_vi": f"Tổ chức {i}",
            "name_key": f"to chuc {i}",
            "created_at": moment(rng),
        }
        for i in range(n_orgs)
    ]
    db.session.execute(sa.insert(Organisation), org_rows)
    org_ids = list(db.session.scalars(sa.select(Organisation.id).order_by(Organisation.id)))
    universities, enterprises = [], []
    for oid, row in zip(org_ids, org_rows, strict=True):
        (universities if row["kind"] is OrgKind.university else enterprises).append(oid)
    return universities, enterprises


def listing(i: int, rng: random.Random, words) -> dict:
    """The columns every listing has: one in twenty is a draft."""
    from ecosystem.registry.enums import ListingState

    published = moment(rng)
    draft = i % 20 == 0
    return {
        "state": ListingState.draft if draft else ListingState.published,
        "published_at": None if draft else published,
        "created_at": published,
        "title": sentence(rng, words, 8),
    }


def load_listings(
    n_results: int,
    n_needs: int,
    n_startups: int,
    universities: list[int],
    enterprises: list[int],
    rng: random.Random,
    words,
) -> None:
    from ecosystem.extensions import db
    from ecosystem.registry.models import ResearchResult, Startup, TechnologyNeed

    for start in range(0, n_results, 5000):
        db.session.execute(
            sa.insert(ResearchResult),
            [
                {
                    **listing(i, rng, words),
                    "organisation_id": rng.choice(universities),
                    "summary": sentence(rng, words, 30),
                    "field_code": "aquaculture",
                    "trl": rng.randint(1, 9),
                }
                for i in range(start, min(n_results, start + 5000))
            ],
        )
    for start in range(0, n_needs, 5000):
        db.session.execute(
            sa.insert(TechnologyNeed),
            [
                {
                    **listing(i, rng, words),
                    "organisation_id": rng.choice(enterprises),
                    "problem": sentence(rng, words, 30),
                    "field_code": "aquaculture",
                    "trl_wanted": rng.randint(1, 9),
                }
                for i in range(start, min(n_needs, start + 5000))
            ],
        )
    db.session.execute(
        sa.insert(Startup),
        [
            {
                **{k: v for k, v in listing(i, rng, words).items() if k != "title"},
                "name": f"Khởi nghiệp {i}",
                "organisation_id": rng.choice(enterprises),
                "stage": "seed",
                "pitch": sentence(rng, words, 20),
            }
            for i in range(n_startups)
        ],
    )


def load_matches(n_matches: int, rng: random.Random) -> tuple[list, int]:
    """Distinct need-result matches at every stage of the funnel; returns the results (id,
    organisation) and how many matches were written."""
    from ecosystem.extensions import db
    from ecosystem.matching.models import Match
    from ecosystem.registry.models import ResearchResult, TechnologyNeed

    results = list(db.session.execute(sa.select(ResearchResult.id, ResearchResult.organisation_id)))
    needs = list(db.session.execute(sa.select(TechnologyNeed.id, TechnologyNeed.organisation_id)))
    pairs: set[tuple[int, int]] = set()
    match_rows = []
    while len(match_rows) < n_matches:
        need, result = rng.choice(needs), rng.choice(results)
        if (need.id, result.id) in pairs:
            continue
        pairs.add((need.id, result.id))
        match_rows.append(match_row(need, result, rng))
    for start in range(0, len(match_rows), 5000):
        db.session.execute(sa.insert(Match), match_rows[start : start + 5000])
    return results, len(match_rows)


def match_row(need, result, rng: random.Random) -> dict:
    """A match proposed at a random moment; 40% go on to interest, 15% to an introduction and
    5% to a reported deal."""
    from ecosystem.matching.models import ContractType, MatchState

    created = moment(rng)
    stage = rng.random()
    row = {
        "source_kind": "need",
        "source_id": need.id,
        "target_kind": "result",
        "target_id": result.id,
        "source_org_id": need.organisation_id,
        "target_org_id": result.organisation_id,
        "score": rng.random(),
        "explanation": {"terms": [], "facets": []},
        "created_at": created,
        "state": MatchState.proposed,
    }
    if stage < 0.4:
        row.update(state=MatchState.interested, source_interested_at=created + dt.timedelta(days=3))
    if stage < 0.15:
        row.update(
            state=MatchState.introduced,
            target_interested_at=created + dt.timedelta(days=9),
            introduced_at=created + dt.timedelta(days=9),
        )
    if stage < 0.05:
        row.update(
            state=MatchState.deal_reported,
            deal_type=ContractType.licence,
            deal_value=rng.randrange(50, 5000) * 1_000_000,
            deal_date=(created + dt.timedelta(days=40)).date(),
        )
    return row


def load_fund(enterprises: list[int], results: list, rng: random.Random, words) -> int:
    """Four decided calls a year, 100 applications each (one in four funded); returns how
    many applications were written."""
    from ecosystem.extensions import db
    from ecosystem.workflow.models import CallState, FundCall

    calls = []
    for year in range(2022, 2027):
        for k in range(4):
            opens = dt.datetime(year, 1 + 3 * k, 5, tzinfo=dt.UTC)
            calls.append(
                FundCall(
                    title_vi=f"Đợt {year}-{k}",
                    budget=10**11,
                    max_amount=10**10,
                    opens_at=opens,
                    closes_at=opens + dt.timedelta(days=45),
                    state=CallState.decided,
                )
            )
    db.session.add_all(calls)
    db.session.flush()
    n_apps = 0
    for call in calls:
        for j in range(100):
            load_application(call, j, enterprises, results, rng, words)
            n_apps += 1
    return n_apps


def load_application(call, j: int, enterprises: list[int], results: list, rng, words) -> None:
    """Application ``j`` of a call with its decision; an approved one is contracted."""
    from ecosystem.extensions import db
    from ecosystem.workflow.models import ApplicationState, Decision, FundApplication

    submitted = call.opens_at + dt.timedelta(days=rng.uniform(1, 44))
    approved = j % 4 == 0
    application = FundApplication(
        call_id=call.id,
        organisation_id=rng.choice(enterprises),
        title=sentence(rng, words, 6),
        state=ApplicationState.contracted if approved else ApplicationState.rejected,
        submitted_at=submitted,
        result_id=rng.choice(results).id if j % 3 == 0 else None,
    )
    db.session.add(application)
    db.session.flush()
    decided = call.closes_at + dt.timedelta(days=20)
    db.session.add(
        Decision(
            application_id=application.id,
            reason="Hội đồng",
            decided_at=decided,
            outcome=ApplicationState.approved if approved else ApplicationState.rejected,
            amount=10**9 if approved else 0,
        )
    )
    if approved:
        load_award(application, (decided + dt.timedelta(days=10)).date())


def load_award(application, signed: dt.date) -> None:
    """The contract of an approved application: two milestones, the first one paid."""
    from ecosystem.extensions import db
    from ecosystem.workflow.models import Award, Disbursement, Milestone

    milestones = [
        Milestone(
            title=f"Mốc {m}",
            amount=5 * 10**8,
            due_on=signed + dt.timedelta(days=120 * m),
        )
        for m in (1, 2)
    ]
    db.session.add(
        Award(
            application_id=application.id,
            contract_number=f"HĐ-{application.id}",
            signed_on=signed,
            amount=10**9,
            milestones=milestones,
        )
    )
    db.session.flush()
    db.session.add(
        Disbursement(
            milestone_id=milestones[0].id,
            amount=5 * 10**8,
            paid_on=signed + dt.timedelta(days=130),
            reference=f"UNC-{application.id}",
        )
    )


def signed_in_client(app):
    from ecosystem.auth.models import PlatformRole, User, UserRole, UserSession
    from ecosystem.extensions import db

    with app.app_context():
        user = User(email="bcd@bench.vn", email_key="bcd@bench.vn", full_name="BCĐ")
        db.session.add(user)
        db.session.flush()
        db.session.add(UserRole(user_id=user.id, role=PlatformRole.steering))
        token = secrets.token_urlsafe(16)
        db.session.add(
            UserSession(token_hash=hashlib.sha256(token.encode()).hexdigest(), user_id=user.id)
        )
        db.session.commit()
    client = app.test_client()
    with client.session_transaction() as session:
        session["sid"] = token
    return client


def pages(year: int) -> list[str]:
    from ecosystem.dashboard.indicators import all_indicators

    urls = [
        f"/indicators/?year={year}",
        f"/dashboard/?year={year}",
        f"/dashboard/report?year={year}",
        "/dashboard/tasks",
        f"/api/v1/indicators?period=month&year={year}",
    ]
    for indicator in all_indicators():
        for period in ("year",) if indicator.annual else ("month", "quarter", "year"):
            urls.append(f"/indicators/{indicator.key}?period={period}&year={year}")
    urls.append(f"/indicators/cooperation_rate/records?bucket={year}")
    urls.append(f"/indicators/matches_introduced/records?bucket={year}")
    return urls


def measure(app, client, runs: int, cache_seconds: int) -> dict:
    from ecosystem.dashboard.figures import cache

    app.config["DASHBOARD_CACHE_SECONDS"] = cache_seconds
    cache.clear()
    with app.app_context():
        urls = pages(2026)
    timings: dict[str, list[float]] = {u: [] for u in urls}
    for _ in range(runs):
        for url in urls:
            started = time.perf_counter()
            response = client.get(url)
            timings[url].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
    per_page = {}
    for url, values in timings.items():
        values.sort()
        per_page[url] = {
            "p50_ms": round(statistics.median(values), 1),
            "p95_ms": round(values[max(0, int(len(values) * 0.95) - 1)], 1),
        }
    worst = max(per_page.items(), key=lambda item: item[1]["p95_ms"])
    return {
        "cache_seconds": cache_seconds,
        "pages": len(urls),
        "runs": runs,
        "worst_page": worst[0],
        "worst_p95_ms": worst[1]["p95_ms"],
        "under_300ms": all(v["p95_ms"] < 300 for v in per_page.values()),
        "per_page": per_page,
    }


def run(backend: str, url: str, args) -> dict:
    from ecosystem.matching.signals import paused

    with migrated_app(backend, url) as app:
        started = time.perf_counter()
        with paused():
            counts = load(app, args.records, args.matches, random.Random(57))
        load_s = time.perf_counter() - started
        if backend == "postgresql":
            # What autovacuum does after a bulk load: without statistics the planner takes
            # the 60,000 results for a few dozen rows and picks nested loops.
            from ecosystem.extensions import db

            with app.app_context(), db.engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
        client = signed_in_client(app)
        cold = measure(app, client, args.runs, 0)
        warm = measure(app, client, args.runs, 300)
    return {"backend": backend, **counts, "load_s": round(load_s, 1), "cold": cold, "warm": warm}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--matches", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--backends", default="postgresql")
    parser.add_argument("--per-page", action="store_true", help="print every page's numbers")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get(
            "BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/bench_dashboard"
        ),
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
        out = run(backend, url, args)
        if not args.per_page:
            for mode in ("cold", "warm"):
                out[mode].pop("per_page")
        print(json.dumps(out, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
