"""Proposals: the right pairs, never the wrong ones, kept fresh after every commit."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask import current_app
from sqlalchemy import delete, func, select

from ecosystem.core.jobs import Job, JobState
from ecosystem.core.models import utcnow
from ecosystem.extensions import db
from ecosystem.matching import proposals, saved_index, signals
from ecosystem.matching.models import Match, MatchState
from ecosystem.matching.tasks import rebuild_index
from ecosystem.registry import listing_operations as listing_ops
from ecosystem.registry import operations as registry_ops
from ecosystem.registry.enums import OrgKind
from tests.auth_helpers import login
from tests.conftest import html_text
from tests.matching_web.conftest import HERITAGE_RESULT, commit, the_match


def proposals_of(kind: str, object_id: int) -> list[Match]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Match)
            .where(Match.source_kind == kind, Match.source_id == object_id)
            .order_by(Match.rank)
        )
    )


def all_matches() -> list[Match]:
    db.session.expire_all()
    return list(db.session.scalars(select(Match)))


def words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.casefold()))


@pytest.fixture
def university(make_org):
    return make_org("Viện Công nghệ sinh học, Đại học Huế", kind=OrgKind.research_institute)


@pytest.fixture
def enterprise(make_org):
    return make_org("Công ty CP Tôm giống Lăng Cô", kind=OrgKind.enterprise)


def test_need_gets_the_right_result_first_with_a_true_explanation(
    world, make_result, make_org, university
):
    heritage = make_result(university, **HERITAGE_RESULT)
    # A weaker result on the same subject, from a third organisation.
    other = make_result(
        make_org("Trường Đại học Khoa học Huế", kind=OrgKind.university),
        title="Chế phẩm vi sinh xử lý đáy ao nuôi tôm",
        summary="Chế phẩm vi sinh làm sạch bùn đáy ao nuôi tôm, giảm khí độc.",
        keywords=["vi sinh", "đáy ao"],
    )
    commit()
    listed = proposals_of("need", world.need.id)
    assert [m.target_id for m in listed][0] == world.result.id
    assert listed[0].rank == 1
    assert heritage.id not in {m.target_id for m in listed}
    if other.id in {m.target_id for m in listed}:
        assert listed[0].score > next(m.score for m in listed if m.target_id == other.id)

    match = listed[0]
    assert match.state is MatchState.proposed
    assert match.score == pytest.approx(match.text_score * match.facet_multiplier, rel=1e-6)
    assert match.score >= proposals.MIN_SCORE
    terms = match.explanation["terms"]
    assert 0 < len(terms) <= proposals.MAX_TERMS
    # Every term is really in both records (the public text of the result, the need's text).
    result_text = " ".join(
        [world.result.title, world.result.summary, *world.result.keywords]
    ).casefold()
    need_words = words(f"{world.need.title} {world.need.problem} {world.need.expected_outcome}")
    for term in terms:
        assert term["term"].casefold() in result_text, term
        assert words(term["term"]) <= need_words, term
    shares = [t["share"] for t in terms]
    assert all(s > 0 for s in shares)
    assert shares == sorted(shares, reverse=True)
    assert sum(shares) <= 1.0 + 1e-3
    stored = sum(t["contribution"] for t in terms)
    assert stored <= match.text_score + 1e-5
    # All the contributions (not only the stored top ones) add up to the text score.
    index = saved_index.load_index()
    query = proposals._source_query("need", world.need)
    explanation = index.explain(query, f"result:{world.result.id}")
    assert sum(t.contribution for t in explanation.terms) == pytest.approx(
        match.text_score, rel=1e-4
    )
    for term in terms:
        assert term["share"] == pytest.approx(term["contribution"] / match.text_score, abs=1e-3)
    names = {f["name"]: f["ok"] for f in match.explanation["facets"]}
    assert names.get("fields") is True and names.get("trl") is True


@pytest.mark.parametrize("side", ["source", "target"])
@pytest.mark.parametrize("state", ["draft", "archived", "hidden", "expired"])
def test_records_that_are_not_public_are_never_proposed(
    side, state, make_need, make_result, university, enterprise, make_platform_user
):
    admin = make_platform_user("admin")
    need = make_need(enterprise, state=state if side == "source" else "published", user=admin)
    result = make_result(university, state=state if side == "target" else "published", user=admin)
    # A public pair next to them, so the index is not empty and the test can fail.
    control = make_result(university)
    commit()
    pairs = {(m.source_id, m.target_id) for m in all_matches()}
    assert (need.id, result.id) not in pairs
    if side == "source":
        assert not proposals_of("need", need.id)
    else:
        assert all(m.target_id != result.id for m in all_matches())
        assert (need.id, control.id) in pairs


@pytest.mark.parametrize("how", ["expired", "hidden", "archived"])
def test_a_record_that_stops_being_public_loses_its_proposals(
    how, make_need, make_result, university, enterprise, make_platform_user
):
    """Published and proposed first; then it expires (time passes, no operation runs), is
    hidden by an administrator or archived: the next recomputation must not keep it."""
    admin = make_platform_user("admin")
    need = make_need(enterprise)
    result = make_result(university)
    commit()
    assert the_match("need", need.id, "result", result.id) is not None
    if how == "expired":
        result.expires_at = utcnow() - dt.timedelta(minutes=1)
        db.session.flush()
        # Something else changes: the need's proposals are recomputed from the index.
        listing_ops.update_listing(
            "need", need, {"expected_outcome": "Giảm tỉ lệ tôm chết trong mùa mưa."}, None
        )
    elif how == "hidden":
        with current_app.test_request_context():
            listing_ops.hide_listing("result", result, "Trùng lặp", admin)
    else:
        listing_ops.archive_listing("result", result, None)
    commit()
    assert the_match("need", need.id, "result", result.id) is None


def test_the_nightly_rebuild_drops_expired_records(make_need, make_result, university, enterprise):
    need = make_need(enterprise)
    result = make_result(university)
    commit()
    assert the_match("need", need.id, "result", result.id) is not None
    result.expires_at = utcnow() - dt.timedelta(minutes=1)
    db.session.flush()

    rebuild_index()
    commit()
    assert the_match("need", need.id, "result", result.id) is None


PAIRS = [
    ("need", "result"),
    ("group", "need"),
    ("startup", "investor"),
]


@pytest.fixture
def make_source(make_listing, make_group, make_person, make_result):
    def _make(kind: str, org):
        if kind != "group":
            return make_listing(kind, org)
        person = make_person(
            "PGS. Hồ Thị Thủy", org, expertise=["nuôi tôm", "cảm biến IoT", "chất lượng nước ao"]
        )
        group = make_group(
            org,
            "Nhóm nghiên cứu nuôi trồng thủy sản thông minh",
            members=[person],
            description="Giám sát chất lượng nước ao nuôi tôm bằng cảm biến IoT, oxy hòa tan.",
        )
        make_result(org, group_id=group.id)
        return group

    return _make


@pytest.mark.parametrize(("source_kind", "target_kind"), PAIRS)
def test_each_kind_of_pair_is_proposed_between_two_organisations(
    source_kind, target_kind, make_source, make_listing, university, enterprise
):
    source = make_source(source_kind, university)
    target = make_listing(target_kind, enterprise)
    commit()
    match = the_match(source_kind, source.id, target_kind, target.id)
    assert match is not None
    assert (match.source_org_id, match.target_org_id) == (university.id, enterprise.id)
    assert match.explanation["terms"]


@pytest.mark.parametrize(("source_kind", "target_kind"), PAIRS)
def test_an_organisation_is_never_matched_with_itself(
    source_kind, target_kind, make_source, make_listing, university, enterprise
):
    source = make_source(source_kind, university)
    own = make_listing(target_kind, university)
    theirs = make_listing(target_kind, enterprise)
    commit()
    assert the_match(source_kind, source.id, target_kind, own.id) is None
    match = the_match(source_kind, source.id, target_kind, theirs.id)
    assert match is not None
    assert match.rank == 1  # ranks count what is proposed, not what was skipped
    assert all(m.source_org_id != m.target_org_id for m in all_matches())


def test_editing_a_record_refreshes_its_proposals(make_need, make_result, university, enterprise):
    need = make_need(enterprise)
    result = make_result(university)
    heritage = make_result(university, **HERITAGE_RESULT)
    commit()
    assert the_match("need", need.id, "result", result.id) is not None
    assert the_match("need", need.id, "result", heritage.id) is None

    # The shrimp result becomes about heritage, the heritage one about shrimp water.
    listing_ops.update_listing(
        "result", result, {**HERITAGE_RESULT, "title": "Bảo tồn số lăng tẩm Huế"}, None
    )
    listing_ops.update_listing(
        "result",
        heritage,
        {
            "title": "Cảm biến IoT giám sát nước ao nuôi tôm",
            "summary": "Đo oxy hòa tan, độ mặn, pH nước ao nuôi tôm thẻ chân trắng, cảnh báo sớm.",
            "field_code": "aquaculture",
        },
        None,
    )
    commit()
    assert the_match("need", need.id, "result", result.id) is None
    assert the_match("need", need.id, "result", heritage.id) is not None


def test_editing_through_the_form_refreshes_proposals(
    client, make_need, make_result, university, enterprise, make_member
):
    owner = make_member(enterprise)
    need = make_need(enterprise)
    result = make_result(university)
    heritage = make_result(university, **HERITAGE_RESULT)
    commit()
    login(client, owner)
    form = client.get(f"/needs/{need.id}/edit")
    assert form.status_code == 200
    response = client.post(
        f"/needs/{need.id}/edit",
        data={
            "organisation_id": enterprise.id,
            "title": "Cần số hóa di tích bằng quét laser ba chiều",
            "problem": "Cần mô hình số và quét laser ba chiều cho trùng tu cung điện, lăng tẩm.",
            "expected_outcome": "Hồ sơ số cho di tích triều Nguyễn.",
            "field_code": "heritage",
            "trl_wanted": "5",
            "budget_min": "",
            "budget_max": "",
            "deadline": "",
        },
    )
    assert response.status_code == 302, html_text(response)[:1500]
    assert the_match("need", need.id, "result", result.id) is None
    assert the_match("need", need.id, "result", heritage.id) is not None


def test_archiving_removes_open_proposals_on_both_sides(
    make_need, make_result, university, enterprise
):
    need = make_need(enterprise)
    result = make_result(university)
    second_need = make_need(enterprise)
    commit()
    assert the_match("need", need.id, "result", result.id) is not None
    assert the_match("need", second_need.id, "result", result.id) is not None
    listing_ops.archive_listing("need", need, None)
    commit()
    assert proposals_of("need", need.id) == []
    assert the_match("need", second_need.id, "result", result.id) is not None
    listing_ops.archive_listing("result", result, None)
    commit()
    assert all_matches() == []


def test_a_rolled_back_change_never_reaches_the_index(
    make_need, make_result, university, enterprise
):
    need = make_need(enterprise)
    commit()
    nested = db.session.begin_nested()
    make_result(university)
    nested.rollback()
    commit()
    assert proposals_of("need", need.id) == []


def test_rebuild_job_recomputes_everything_and_reports(
    client,
    make_need,
    make_result,
    make_startup,
    make_investor,
    university,
    enterprise,
    make_platform_user,
):
    admin = make_platform_user("admin")
    with signals.paused():  # as a bulk import would: nothing is matched yet
        need = make_need(enterprise)
        result = make_result(university)
        startup = make_startup(enterprise)
        investor = make_investor(university)
        commit()
    assert all_matches() == []
    login(client, admin)
    response = client.post("/admin/matching/rebuild")
    assert response.status_code == 302
    job_path = response.headers["Location"]
    assert re.search(r"/jobs/\d+$", job_path)
    job = db.session.get(Job, int(job_path.rsplit("/", 1)[1]))
    db.session.refresh(job)
    assert job.state is JobState.succeeded, job.error
    assert job.progress == 100
    assert job.result["documents"] == 4
    assert job.result["proposals"] == 2
    assert the_match("need", need.id, "result", result.id) is not None
    assert the_match("startup", startup.id, "investor", investor.id) is not None
    page = client.get(job_path)
    assert page.status_code == 200
    text = html_text(page)
    assert "Hoàn thành" in text and "100%" in text
    assert job.message == "Đã tính lại 2 đề xuất từ 4 hồ sơ."
    assert "Đã tính lại 2 đề xuất từ 4 hồ sơ." in text
    status = client.get(f"{job_path}/status").get_json()
    assert status["state"] == "succeeded" and status["result"]["proposals"] == 2


def test_rebuild_keeps_what_people_did(make_need, make_result, university, enterprise, world):
    """A full rebuild recomputes scores but never forgets interest or a dismissal."""
    match = the_match("need", world.need.id, "result", world.result.id)
    match.state = MatchState.dismissed
    commit()

    rebuild_index()
    commit()
    assert the_match("need", world.need.id, "result", world.result.id).state is MatchState.dismissed
    assert db.session.scalar(select(func.count(Match.id))) >= 1
    db.session.execute(delete(Match))


def test_a_damaged_index_is_never_used_and_pages_do_not_need_it(
    client, make_need, make_result, university, enterprise, make_member
):
    owner = make_member(enterprise)
    need = make_need(enterprise)
    commit()
    path = saved_index.index_path()
    path.write_bytes(b"not an index at all")
    saved_index.forget_cache()
    login(client, owner)
    assert client.get("/matches").status_code == 200
    assert client.get(f"/needs/{need.id}").status_code == 200
    # The next change rebuilds from the records instead of using the damaged file.
    result = make_result(university)
    commit()
    assert the_match("need", need.id, "result", result.id) is not None
    saved_index.forget_cache()
    assert saved_index.load_index() is not None
    assert f"result:{result.id}" in saved_index.load_index()


def test_a_members_new_expertise_refreshes_the_groups_proposals(
    make_need, make_group, make_person, university, enterprise
):

    person = make_person("TS. Hồ Văn Sử", university, expertise=["lịch sử triều Nguyễn"])
    group = make_group(university, "Nhóm nghiên cứu liên ngành", members=[person], description="")
    need = make_need(enterprise)
    commit()
    assert the_match("group", group.id, "need", need.id) is None
    registry_ops.update_person(
        person,
        {
            "full_name": person.full_name,
            "expertise": ["cảm biến IoT", "oxy hòa tan", "nước ao nuôi tôm thẻ chân trắng"],
        },
        None,
    )
    commit()
    assert the_match("group", group.id, "need", need.id) is not None


def test_when_a_proposed_record_goes_the_next_best_takes_its_place(
    monkeypatch, make_need, make_result, university, make_org, enterprise
):
    monkeypatch.setattr(proposals, "TOP_K", 1)
    need = make_need(enterprise)
    best = make_result(university)
    runner_up = make_result(
        make_org("Trường Đại học Khoa học Huế", kind=OrgKind.university),
        title="Cảnh báo sớm thiếu oxy hòa tan cho ao nuôi tôm",
        summary="Thiết bị đo oxy hòa tan, cảnh báo sớm cho người nuôi tôm.",
        keywords=["oxy hòa tan"],
    )
    commit()
    assert [m.target_id for m in proposals_of("need", need.id)] == [best.id]
    listing_ops.archive_listing("result", best, None)
    commit()
    assert [m.target_id for m in proposals_of("need", need.id)] == [runner_up.id]


def test_publishing_returns_before_the_matching_update_runs(
    client, make_org, make_member, make_result, make_need
):
    """Embedded default: the page is answered first; the proposal appears afterwards."""
    university = make_org("Trường Đại học Nông Lâm Huế", kind=OrgKind.university)
    enterprise = make_org("Công ty Thủy sản Đầm Phá", kind=OrgKind.enterprise)
    researcher = make_member(university, role="admin", email="uow-nghien@huaf.edu.vn")
    need = make_need(enterprise)
    result = make_result(university, state="draft", user=researcher)
    commit()
    login(client, researcher)
    response = client.post(
        f"/results/{result.id}/state", data={"action": "publish"}, buffered=False
    )
    assert response.status_code == 302
    assert the_match("need", need.id, "result", result.id) is None
    response.close()
    assert the_match("need", need.id, "result", result.id) is not None
