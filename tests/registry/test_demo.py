"""The Huế demo data: loading it twice creates nothing the second time, and what it
publishes can be found by a search typed without diacritics."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from ecosystem.auth.models import OrgMembership, User
from ecosystem.core.audit import AuditEvent
from ecosystem.core.text import fold
from ecosystem.extensions import db
from ecosystem.registry.demo import load
from ecosystem.registry.models import (
    Investor,
    Membership,
    Organisation,
    Person,
    ResearchField,
    ResearchGroup,
    ResearchResult,
    Startup,
    TechnologyNeed,
)
from ecosystem.registry.search_index import SearchEntry, words
from ecosystem.seed import seed_demo
from tests.registry.support import result_links

COUNTED = (
    ResearchField,
    Organisation,
    Person,
    Membership,
    ResearchGroup,
    ResearchResult,
    TechnologyNeed,
    Startup,
    Investor,
    SearchEntry,
    User,
    OrgMembership,
    AuditEvent,
)


def counts() -> dict[str, int]:
    db.session.expire_all()
    return {
        model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
        for model in COUNTED
    }


@pytest.fixture
def demo(app, db_session):
    created = seed_demo()
    db.session.flush()
    return created


def test_seed_twice_creates_nothing_the_second_time(demo):
    first = counts()
    assert demo > 0
    assert first["research_results"] >= 60
    assert first["technology_needs"] >= 30
    assert seed_demo() == 0
    assert counts() == first


def test_demo_matches_its_seed_files(demo):
    published = {
        "results": sum(1 for r in load("results") if r["state"] == "published"),
        "needs": sum(1 for n in load("needs") if n["state"] == "published"),
    }
    db.session.expire_all()
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(SearchEntry)
            .where(SearchEntry.kind == "result", SearchEntry.is_public.is_(True))
        )
        == published["results"]
    )
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(SearchEntry)
            .where(SearchEntry.kind == "need", SearchEntry.is_public.is_(True))
        )
        == published["needs"]
    )


def _listing_ids(model, titles: list[str]) -> dict[str, int]:
    rows = db.session.execute(select(model.title, model.id).where(model.title.in_(titles)))
    return dict(rows.all())


@pytest.mark.parametrize(
    ("seed", "kind", "model"),
    [("results", "result", ResearchResult), ("needs", "need", TechnologyNeed)],
)
def test_published_demo_listings_are_found_without_diacritics(client, demo, seed, kind, model):
    rows = load(seed)
    ids = _listing_ids(model, [row["title"] for row in rows])
    missing = []
    for row in rows:
        found = result_links(
            client.get("/search", query_string={"q": fold(row["title"]), "kind": kind})
        )
        link = f"/{kind}s/{ids[row['title']]}"
        if (link in found) is not (row["state"] == "published"):
            missing.append((row["state"], row["title"]))
    assert missing == []


def test_demo_confidential_details_are_not_searchable(client, demo):
    """Words found only in a confidential result's details are not in its index entry, and
    searching for them does not find it."""
    leaks = []
    for row in load("results"):
        if row["confidentiality"] == "public" or row["state"] != "published":
            continue
        result = db.session.scalar(
            select(ResearchResult).where(ResearchResult.title == row["title"])
        )
        entry = db.session.scalar(
            select(SearchEntry).where(
                SearchEntry.kind == "result", SearchEntry.object_id == result.id
            )
        )
        public = set(
            words(
                " ".join(
                    [row["title"], row["summary"], *row["keywords"], result.organisation.name_vi]
                )
            )
        )
        secret = [w for w in dict.fromkeys(words(row["details"])) if len(w) > 3 and w not in public]
        assert secret, row["title"]
        indexed = set(f"{entry.title_folded} {entry.body_folded}".split())
        leaks += [(row["title"], w, "index") for w in secret if w in indexed]
        for word in secret[:3]:
            response = client.get("/search", query_string={"q": word, "kind": "result"})
            widened = "Đã tìm cả các từ gần đúng:" in response.text
            if f"/results/{result.id}" in result_links(response) and not widened:
                leaks.append((row["title"], word, "search"))
    assert leaks == []
