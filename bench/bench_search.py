"""Search latency over a large registry, on SQLite and on PostgreSQL (prints numbers).

    python bench/bench_search.py --records 100000 [--backends sqlite,postgresql]
                                 [--pg-url postgresql://postgres@127.0.0.1:5432/bench_search]

Loads the registry with N records (organisations, people, research results, technology
needs; Vietnamese text drawn from the demo data's vocabulary), through the same search
document builders the platform uses, then times ``registry.search.search`` — the function
behind the search page and the API — for a mix of queries: with and without diacritics,
one-letter typos, filters, anonymous and member visibility. Target: p95 < 100 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa

SEED = Path(__file__).resolve().parent.parent / "ecosystem" / "registry" / "seed"


def vocabulary() -> list[str]:
    words: list[str] = []
    for name in ("results", "needs", "people", "organisations"):
        for row in json.loads((SEED / f"{name}.json").read_text(encoding="utf-8")):
            for key in ("title", "summary", "problem", "name_vi", "full_name", "details"):
                words.extend((row.get(key) or "").replace(",", " ").replace(".", " ").split())
    return [w for w in words if w.isalpha()]


def sentence(rng: random.Random, words: list[str], n: int) -> str:
    start = rng.randrange(0, len(words) - n)
    return " ".join(words[start : start + n])  # runs of real text keep Vietnamese word pairs


def load(app, n: int, rng: random.Random) -> None:
    from ecosystem.core.text import fold
    from ecosystem.extensions import db
    from ecosystem.registry.enums import ListingState, OrgKind
    from ecosystem.registry.models import (
        Organisation,
        ResearchField,
        ResearchResult,
        TechnologyNeed,
    )
    from ecosystem.registry.search_index import SearchEntry, SearchTerm, document_for
    from ecosystem.registry.search_index import words as fold_words

    words = vocabulary()
    with app.app_context():
        fields = [
            "aquaculture",
            "agriculture",
            "health",
            "heritage",
            "tourism",
            "smart-city-iot",
            "materials",
            "environment",
        ]
        for code in fields:
            if db.session.get(ResearchField, code) is None:
                db.session.add(ResearchField(code=code, name_vi=code, name_en=code))
        n_orgs = max(50, n // 50)
        orgs = [
            Organisation(
                kind=rng.choice([OrgKind.university, OrgKind.enterprise]),
                name_vi=f"Công ty {sentence(rng, words, 3)} {i}",
                name_key="",
                province=rng.choice(["Thành phố Huế", "Thành phố Đà Nẵng", "Quảng Trị"]),
            )
            for i in range(n_orgs)
        ]
        db.session.add_all(orgs)
        db.session.flush()
        now = sa.func.now()
        batch: list[dict] = []
        terms: set[str] = set()
        for i in range(n - n_orgs):
            org = orgs[i % n_orgs]
            if i % 2:
                obj = ResearchResult(
                    id=i + 1,
                    organisation_id=org.id,
                    organisation=org,
                    title=sentence(rng, words, 8),
                    summary=sentence(rng, words, 60),
                    details="",
                    field_code=rng.choice(fields),
                    keywords=[sentence(rng, words, 2)],
                    trl=rng.randint(1, 9),
                    state=ListingState.published,
                )
                kind = "result"
            else:
                obj = TechnologyNeed(
                    id=i + 1,
                    organisation_id=org.id,
                    organisation=org,
                    title=sentence(rng, words, 8),
                    problem=sentence(rng, words, 60),
                    expected_outcome="",
                    field_code=rng.choice(fields),
                    trl_wanted=rng.randint(1, 9),
                    state=ListingState.published,
                )
                kind = "need"
            doc = document_for(kind, obj)
            title_folded = " ".join(fold_words(doc["title_text"]))
            terms.update(t for t in title_folded.split() if len(t) >= 2)
            batch.append(
                {
                    "kind": kind,
                    "object_id": i + 1,
                    "organisation_id": org.id,
                    "is_public": True,
                    "title": doc["title"][:300],
                    "subtitle": doc["subtitle"][:300],
                    "snippet": doc["snippet"],
                    "title_folded": title_folded,
                    "body_folded": " ".join(fold_words(doc["body_text"])),
                    "field_code": doc.get("field_code"),
                    "trl": doc.get("trl"),
                    "province": doc.get("province"),
                    "province_folded": fold(doc.get("province")) or None,
                    "expires_at": None,
                }
            )
            db.session.expunge(obj) if obj in db.session else None
            if len(batch) == 5000:
                db.session.execute(sa.insert(SearchEntry).values(updated_at=now), batch)
                batch.clear()
        if batch:
            db.session.execute(sa.insert(SearchEntry).values(updated_at=now), batch)
        db.session.execute(sa.insert(SearchTerm), [{"term": t[:64]} for t in sorted(terms)])
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as conn:
                conn.execute(sa.text("ANALYZE search_entries"))
                conn.commit()


QUERIES = [
    ("nuôi tôm", {}),
    ("nuoi tom", {}),
    ("thủy sản đầm phá", {}),
    ("thuy san dam pha", {}),
    ("cảm biến", {}),
    ("cam bien nuoc", {}),
    ("di sản số hóa", {}),
    ("di san so hoa", {}),
    ("tinh dầu tràm", {}),
    ("tinh dau tram", {}),
    ("dược liệu", {"field_code": "health"}),
    ("duoc lieu", {"trl_min": 5}),
    ("lúa chịu mặn", {}),
    ("lua chiu man", {}),
    ("du lịch thông minh", {"province": "Thành phố Huế"}),
    ("du lich", {}),
    ("xử lý nước thải", {}),
    ("xu ly nuoc thai", {}),
    ("thủy sna", {}),
    ("camr biến", {}),
    ("vật liệu", {"kinds": ("result",)}),
    ("y tế", {"kinds": ("need",)}),
    ("huế", {}),
    ("hue", {}),
    ("công nghệ", {}),
    ("ứng dụng", {"trl_min": 7}),
    ("", {"field_code": "aquaculture"}),
]


def measure(app, rounds: int, rng: random.Random) -> dict[str, float]:
    from ecosystem.registry.search import SearchQuery, search

    class Member:
        is_admin = False
        active_org_ids = {1, 2, 3}

    timings: list[float] = []
    by_query: dict[str, list[float]] = {}
    with app.app_context():
        search(SearchQuery(text="warm up"), None)
        for _ in range(rounds):
            for text, filters in QUERIES:
                user = Member() if rng.random() < 0.3 else None
                query = SearchQuery(text=text, page=rng.choice([1, 1, 1, 2]), **filters)
                started = time.perf_counter()
                search(query, user)
                timings.append((time.perf_counter() - started) * 1000)
                by_query.setdefault(f"{text!r} {filters}", []).append(timings[-1])
    timings.sort()
    slowest = sorted(by_query.items(), key=lambda kv: -statistics.median(kv[1]))[:5]
    return {
        "queries": len(timings),
        "p50_ms": round(statistics.median(timings), 2),
        "p95_ms": round(timings[int(0.95 * len(timings)) - 1], 2),
        "p99_ms": round(timings[int(0.99 * len(timings)) - 1], 2),
        "max_ms": round(timings[-1], 2),
        "slowest_median_ms": {q: round(statistics.median(t), 1) for q, t in slowest},
    }


@contextmanager
def migrated_app(backend: str, url: str) -> Iterator:
    """An application on an empty, migrated database (PostgreSQL: its public schema reset)."""
    from flask_migrate import upgrade

    from ecosystem import create_app
    from ecosystem.extensions import db

    with tempfile.TemporaryDirectory() as folder:
        os.environ["ECOSYSTEM_INSTANCE"] = folder
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "SEED_DEMO": False,
                "LOG_LEVEL": "WARNING",
                "MATCHING_INDEX_DIR": folder,
            }
        )
        with app.app_context():
            if backend == "postgresql":
                with db.engine.begin() as conn:
                    conn.exec_driver_sql("DROP SCHEMA public CASCADE")
                    conn.exec_driver_sql("CREATE SCHEMA public")
            upgrade()
        yield app


def run(backend: str, url: str, n: int, rounds: int) -> dict:
    with migrated_app(backend, url) as app:
        rng = random.Random(57)
        started = time.perf_counter()
        load(app, n, rng)
        load_s = time.perf_counter() - started
        stats = measure(app, rounds, rng)
    return {"backend": backend, "records": n, "load_s": round(load_s, 1), **stats}


def create_database(url: str) -> None:
    """Create the benchmark's PostgreSQL database when it is missing (a fresh machine)."""
    target = sa.engine.make_url(url)
    admin_url = target.set(drivername="postgresql+psycopg", database="postgres")
    server = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        exists = conn.execute(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
        ).scalar()
        if not exists:
            conn.exec_driver_sql(f'CREATE DATABASE "{target.database}"')
    server.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=20, help="times the query mix is run")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/bench_search"),
    )
    args = parser.parse_args()
    import logging

    logging.disable(logging.INFO)
    for backend in args.backends.split(","):
        if backend == "sqlite":
            folder = tempfile.mkdtemp()
            url = f"sqlite:///{folder}/bench.db"
        else:
            url = args.pg_url
            create_database(url)
        result = run(backend, url, args.records, args.rounds)
        print(json.dumps(result, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
