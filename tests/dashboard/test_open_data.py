"""Open data: every dataset and the catalogue, checked against records at every
confidentiality level, drafts, hidden and expired records, personal contact data and
reviewers' identities — none of them may appear. Plus ETag caching and the DCAT catalogue."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from ecosystem.core.models import utcnow
from ecosystem.dashboard.figures import open_data_cache
from ecosystem.dashboard.open_data import datasets
from ecosystem.extensions import db
from ecosystem.matching.signals import paused
from ecosystem.registry import listing_operations, operations
from ecosystem.registry.enums import OrgKind
from ecosystem.registry.models import Organisation, ResearchField
from ecosystem.workflow.models import (
    ApplicationState,
    Award,
    CallState,
    Decision,
    FundApplication,
    FundCall,
    ReviewAssignment,
)

SECRETS = (
    "LEAK-DETAILS-MEMBERS",
    "LEAK-DETAILS-INTRO",
    "LEAK-DETAILS-PUBLIC",
    "LEAK-DRAFT-RESULT",
    "LEAK-HIDDEN-RESULT",
    "LEAK-EXPIRED-RESULT",
    "LEAK-ARCHIVED-RESULT",
    "LEAK-DRAFT-NEED",
    "LEAK-HIDDEN-NEED",
    "LEAK-DRAFT-STARTUP",
    "LEAK-DRAFT-CALL",
    "LEAK-DRAFT-APPLICATION",
    "LEAK-REVIEWER",
    "leak.reviewer@example.vn",
    "LEAK-REVIEW-COMMENT",
    "LEAK-DECISION-REASON",
    "leak.person@example.vn",
    "0905123456",
    "LEAK-OUTCOME",
    "LEAK-PITCH-HIDDEN",
)
PUBLIC = (
    "PUBLIC-SUMMARY-MEMBERS",
    "PUBLIC-SUMMARY-INTRO",
    "PUBLIC-NEED",
    "PUBLIC-CALL",
    "PUBLIC-AWARD",
)


@pytest.fixture
def world(db_session, make_org, make_user):
    with paused():
        db.session.add(ResearchField(code="agri", name_vi="Nông nghiệp", name_en="Agriculture"))
        uni = make_org(
            "Trường Đại học Y Dược", kind=OrgKind.university, website="https://huemed-univ.edu.vn"
        )
        ent = make_org("Công ty Dược Huế", kind=OrgKind.enterprise)
        operations.create_person(
            {
                "full_name": "TS. Lê Văn Bảo",
                "email": "leak.person@example.vn",
                "phone": "0905123456",
                "organisation_id": uni.id,
            },
            None,
        )

        def result(title, summary, details, confidentiality="members", publish=True):
            return listing_operations.create_listing(
                "result",
                {
                    "organisation_id": uni.id,
                    "title": title,
                    "summary": summary,
                    "details": details,
                    "field_code": "agri",
                    "trl": 5,
                    "confidentiality": confidentiality,
                },
                None,
                publish=publish,
            )

        result("Kết quả công khai", "Tóm tắt", "LEAK-DETAILS-PUBLIC", "public")
        result("Kết quả thành viên", "PUBLIC-SUMMARY-MEMBERS", "LEAK-DETAILS-MEMBERS", "members")
        result(
            "Kết quả sau giới thiệu",
            "PUBLIC-SUMMARY-INTRO",
            "LEAK-DETAILS-INTRO",
            "after_introduction",
        )
        result("LEAK-DRAFT-RESULT", "x", "x", publish=False)
        hidden = result("LEAK-HIDDEN-RESULT", "x", "x")
        hidden.hidden_at, hidden.hidden_reason = utcnow(), "vi phạm"
        expired = result("LEAK-EXPIRED-RESULT", "x", "x")
        expired.expires_at = utcnow() - dt.timedelta(days=1)
        archived = result("LEAK-ARCHIVED-RESULT", "x", "x")
        archived.state = archived.state.__class__("archived")

        def need(title, publish=True, **extra):
            return listing_operations.create_listing(
                "need",
                {
                    "organisation_id": ent.id,
                    "title": title,
                    "problem": "Bài toán",
                    "field_code": "agri",
                    "trl_wanted": 4,
                    "expected_outcome": "LEAK-OUTCOME",
                    **extra,
                },
                None,
                publish=publish,
            )

        need("PUBLIC-NEED")
        need("LEAK-DRAFT-NEED", publish=False)
        need("LEAK-HIDDEN-NEED").hidden_at = utcnow()
        listing_operations.create_listing(
            "startup",
            {
                "organisation_id": ent.id,
                "name": "LEAK-DRAFT-STARTUP",
                "stage": "seed",
                "pitch": "x",
            },
            None,
            publish=False,
        )
        listing_operations.create_listing(
            "startup",
            {
                "organisation_id": ent.id,
                "name": "Khởi nghiệp ẩn",
                "stage": "seed",
                "pitch": "LEAK-PITCH-HIDDEN",
            },
            None,
            publish=True,
        ).hidden_at = utcnow()
        now = utcnow()
        call = FundCall(
            title_vi="PUBLIC-CALL",
            budget=10**10,
            max_amount=10**9,
            opens_at=now - dt.timedelta(days=5),
            closes_at=now + dt.timedelta(days=5),
            state=CallState.open,
        )
        draft_call = FundCall(
            title_vi="LEAK-DRAFT-CALL",
            budget=10**10,
            max_amount=10**9,
            opens_at=now,
            closes_at=now + dt.timedelta(days=5),
            state=CallState.draft,
        )
        approved = FundApplication(
            call=call,
            organisation_id=ent.id,
            title="PUBLIC-AWARD",
            state=ApplicationState.contracted,
            submitted_at=now,
        )
        draft = FundApplication(call=call, organisation_id=ent.id, title="LEAK-DRAFT-APPLICATION")
        db.session.add_all([call, draft_call, approved, draft])
        db.session.flush()
        reviewer = make_user("leak.reviewer@example.vn", full_name="LEAK-REVIEWER")
        db.session.add_all(
            [
                ReviewAssignment(
                    application_id=approved.id,
                    reviewer_id=reviewer.id,
                    overall_comment="LEAK-REVIEW-COMMENT",
                ),
                Decision(
                    application_id=approved.id,
                    outcome=ApplicationState.approved,
                    reason="LEAK-DECISION-REASON",
                    amount=10**9,
                ),
                Award(
                    application_id=approved.id,
                    contract_number="HĐ-99",
                    signed_on=dt.date(2026, 6, 1),
                    amount=10**9,
                ),
            ]
        )
        db.session.flush()


def _bodies(client):
    yield "/open-data/", client.get("/open-data/").get_data(as_text=True)
    yield (
        "/open-data/catalog.jsonld",
        client.get("/open-data/catalog.jsonld").get_data(as_text=True),
    )
    for key in datasets():
        for fmt in ("csv", "json"):
            url = f"/open-data/{key}.{fmt}"
            response = client.get(url)
            assert response.status_code == 200, url
            yield url, response.get_data(as_text=True)


def test_no_dataset_leaks_anything(client, world):
    everything = ""
    for url, body in _bodies(client):
        leaked = [s for s in SECRETS if s.lower() in body.lower()]
        assert leaked == [], f"{url} leaks {leaked}"
        everything += body
    # The test can fail: the public fields are there.
    for text in PUBLIC:
        assert text in everything


def test_every_dataset_has_stable_ids_and_both_formats(client, world):
    for key in datasets():
        items = client.get(f"/open-data/{key}.json").get_json()["items"]
        ids = [item["id"] for item in items]
        assert len(ids) == len(set(ids)) and all(ids)
        again = [item["id"] for item in client.get(f"/open-data/{key}.json").get_json()["items"]]
        assert ids == again
        csv = client.get(f"/open-data/{key}.csv").get_data(as_text=True)
        assert csv.lstrip("\ufeff").splitlines()[0].startswith("id")
        assert len(csv.strip().splitlines()) == len(ids) + 1 or key == "indicators"


def test_catalogue_is_dcat_json_ld(client, world):
    response = client.get("/open-data/catalog.jsonld")
    assert response.mimetype == "application/ld+json"
    document = json.loads(response.get_data(as_text=True))
    assert document["@type"] == "dcat:Catalog"
    entries = {d["dct:identifier"]: d for d in document["dcat:dataset"]}
    assert set(entries) == set(datasets())
    for entry in entries.values():
        assert entry["dct:title"] and entry["dct:description"] and entry["dct:modified"]
        assert entry["dct:license"]["@id"].startswith("https://creativecommons.org/")
        assert entry["dct:publisher"]["foaf:name"]
        formats = {d["dct:format"] for d in entry["dcat:distribution"]}
        assert formats == {"CSV", "JSON"}


def test_etag_and_not_modified(client, world):
    first = client.get("/open-data/results.json")
    etag = first.headers["ETag"]
    assert etag and "public" in first.headers["Cache-Control"]
    again = client.get("/open-data/results.json", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    catalogue = client.get("/open-data/catalog.jsonld")
    assert (
        client.get(
            "/open-data/catalog.jsonld", headers={"If-None-Match": catalogue.headers["ETag"]}
        ).status_code
        == 304
    )
    # A change to the data changes the tag — once the cache period has passed (the page
    # states it): until then the same document is served.
    listing_operations.create_listing(
        "result",
        {
            "organisation_id": db.session.query(ResearchField).first() and _any_org(),
            "title": "Mới",
            "summary": "Mới",
            "field_code": "agri",
            "trl": 3,
        },
        None,
        publish=True,
    )
    assert client.get("/open-data/results.json", headers={"If-None-Match": etag}).status_code == 304
    open_data_cache.clear()
    assert client.get("/open-data/results.json", headers={"If-None-Match": etag}).status_code == 200


def _any_org():

    return db.session.query(Organisation.id).first()[0]


def test_unknown_dataset_is_404(client):
    assert client.get("/open-data/people.csv").status_code == 404
