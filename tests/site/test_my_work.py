"""“Việc của tôi”: the user's listings by state with their expiry, the proposals waiting for
their side, their imports and jobs, their organisation's applications and their bookings —
and nothing of another organisation's."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from ecosystem.core.jobs import Job, JobState
from ecosystem.core.models import utcnow
from ecosystem.extensions import db
from ecosystem.labs.models import Booking, Equipment, Lab, UserKind
from ecosystem.matching.models import Match, MatchState
from ecosystem.matching.signals import paused
from ecosystem.registry import listing_operations
from ecosystem.registry.enums import ListingState, OrgKind
from ecosystem.registry.import_models import ImportBatch, ImportState
from ecosystem.registry.models import ResearchField
from ecosystem.workflow.models import CallState, FundApplication, FundCall
from tests.auth_helpers import login


def _listing(kind, org, title, *, publish=True, **extra):
    data = {"organisation_id": org.id, "title": title, "field_code": "aquaculture"}
    if kind == "result":
        data.update(summary="Tóm tắt", trl=5, language="vi")
    else:
        data.update(problem="Vấn đề", trl_wanted=5)
    item = listing_operations.create_listing(kind, data, None, publish=publish)
    for name, value in extra.items():
        setattr(item, name, value)
    return item


@pytest.fixture
def two_orgs(db_session, make_org, make_member):
    # Matching is paused: the engine (with an index left by earlier tests) would add its own
    # proposals between these listings next to the hand-made one.
    with paused():
        return _two_orgs(make_org, make_member)


def _two_orgs(make_org, make_member):
    """A university with a bit of everything; an enterprise with its own need and work."""
    db.session.add(ResearchField(code="aquaculture", name_vi="Thủy sản", name_en="Aquaculture"))
    now = utcnow()
    uni = make_org("Trường Đại học Nông Lâm", kind=OrgKind.university)
    firm = make_org("Công ty TNHH Đầm Phá", kind=OrgKind.enterprise)
    researcher, manager = make_member(uni), make_member(firm)
    soon = _listing("result", uni, "Vắc-xin cho tôm", expires_at=now + dt.timedelta(days=10))
    later = _listing("result", uni, "Chế phẩm sinh học", expires_at=now + dt.timedelta(days=200))
    draft = _listing("result", uni, "Bản nháp quy trình", publish=False)
    archived = _listing("need", uni, "Nhu cầu cũ", state=ListingState.archived)
    hidden = _listing("result", uni, "Kết quả bị ẩn", hidden_at=now, hidden_reason="Sai")
    need = _listing("need", firm, "Cảm biến oxy cho ao tôm")
    # The enterprise said yes; the university has not answered: it waits for the university.
    waiting = Match(
        source_kind="need",
        source_id=need.id,
        target_kind="result",
        target_id=soon.id,
        source_org_id=firm.id,
        target_org_id=uni.id,
        score=0.8,
        state=MatchState.interested,
        source_interested_at=now,
    )
    call = FundCall(
        title_vi="Đợt gọi 2026",
        budget=1_000_000_000,
        max_amount=500_000_000,
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=9),
        state=CallState.open,
    )
    application = FundApplication(call=call, organisation_id=uni.id, title="Hồ sơ tôm sạch")
    lab = Lab(organisation_id=uni.id, name_vi="PTN Sinh học", opening_hours={})
    equipment = Equipment(lab=lab, name_vi="Máy PCR", cost_operation=100_000)
    db.session.add_all([waiting, call, application, lab, equipment])
    db.session.flush()
    job = Job(kind="import.validate", state=JobState.succeeded, created_by_id=researcher.id)
    db.session.add(job)
    db.session.flush()
    batch = ImportBatch(
        kind="result",
        filename="ket-qua.csv",
        created_by_id=researcher.id,
        organisation_id=uni.id,
        state=ImportState.ready,
        job_id=job.id,
    )
    booking = Booking(
        equipment_id=equipment.id,
        user_id=researcher.id,
        organisation_id=uni.id,
        user_kind=UserKind.research,
        starts_at=now + dt.timedelta(days=3),
        ends_at=now + dt.timedelta(days=3, hours=1),
    )
    db.session.add_all([batch, booking])
    db.session.commit()
    return {
        "researcher": researcher,
        "manager": manager,
        "listings": (soon, later, draft, archived, hidden),
        "need": need,
        "match": waiting,
        "application": application,
        "batch": batch,
        "job": job,
        "booking": booking,
    }


def _page(client) -> str:
    response = client.get("/my-work")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _group_of(page: str, marker: str) -> str:
    """The state group (h3 data-group) under which a row appears."""
    position = page.index(marker)
    return re.findall(r'data-group="(\w+)"', page[:position])[-1]


def _ids(page: str, attribute: str) -> set[str]:
    return set(re.findall(rf'data-{attribute}="([\w-]+)"', page))


def test_my_work_shows_the_users_own_work(client, two_orgs):
    login(client, two_orgs["researcher"])
    page = _page(client)
    soon, later, draft, archived, hidden = two_orgs["listings"]
    assert _group_of(page, f'data-listing="result-{soon.id}"') == "published"
    assert _group_of(page, f'data-listing="result-{later.id}"') == "published"
    assert _group_of(page, f'data-listing="result-{draft.id}"') == "draft"
    assert _group_of(page, f'data-listing="need-{archived.id}"') == "archived"
    assert _group_of(page, f'data-listing="result-{hidden.id}"') == "hidden"
    assert f"need-{two_orgs['need'].id}" not in _ids(page, "listing")
    # Only the one expiring within 30 days is marked, with its date as dd/mm/yyyy.
    soon_row = page[page.index(f'data-listing="result-{soon.id}"') :].split("</tr>")[0]
    later_row = page[page.index(f'data-listing="result-{later.id}"') :].split("</tr>")[0]
    assert 'data-expiry="soon"' in soon_row and "data-expiry" not in later_row
    assert re.search(r"\d{2}/\d{2}/\d{4}", soon_row)
    assert _ids(page, "match") == {str(two_orgs["match"].id)}
    assert _ids(page, "import") == {str(two_orgs["batch"].id)}
    assert _ids(page, "job") == {str(two_orgs["job"].id)}
    assert _ids(page, "application") == {str(two_orgs["application"].id)}
    assert _ids(page, "booking") == {str(two_orgs["booking"].id)}
    assert f'href="/imports/{two_orgs["batch"].id}"' in page
    assert f'href="/matches/{two_orgs["match"].id}"' in page


def test_another_organisation_sees_none_of_it(client, two_orgs):
    """The enterprise's member sees their own need, and nothing of the university's; the
    proposal no longer waits for them (their side already said yes)."""
    login(client, two_orgs["manager"])
    page = _page(client)
    assert _ids(page, "listing") == {f"need-{two_orgs['need'].id}"}
    for section in ("match", "import", "job", "application", "booking"):
        assert _ids(page, section) == set(), section
    for title in ("Vắc-xin cho tôm", "Bản nháp quy trình", "Kết quả bị ẩn", "ket-qua.csv"):
        assert title not in page
    assert _ids(page, "empty") == {"proposals", "imports", "jobs", "applications", "bookings"}


def test_a_new_user_gets_an_empty_state_for_every_section(client, make_user):
    login(client, make_user())
    page = _page(client)
    assert _ids(page, "empty") == {
        "listings",
        "proposals",
        "imports",
        "jobs",
        "applications",
        "bookings",
    }


@pytest.mark.parametrize(("lang", "title"), [("vi", "Việc của tôi"), ("en", "My work")])
def test_the_account_menu_links_to_my_work(client, make_user, lang, title):
    login(client, make_user())
    client.post("/language", data={"lang": lang, "next": "/"})
    home = client.get("/").get_data(as_text=True)
    assert f'<a class="dropdown-item" href="/my-work">{title}</a>' in home
    assert f'<h1 class="h3 mb-3">{title}</h1>' in _page(client)
