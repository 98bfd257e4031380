"""The chain match → application: one click from an accepted introduction opens a draft
pre-filled from both profiles; strangers and mere proposals get nothing."""

from __future__ import annotations

import pytest

from ecosystem.core.models import utcnow
from ecosystem.extensions import db
from ecosystem.matching.models import Match, MatchState
from ecosystem.matching.signals import paused
from ecosystem.registry import listing_operations
from ecosystem.registry.enums import OrgKind
from ecosystem.registry.models import ResearchField
from ecosystem.workflow.models import FundApplication
from tests.auth_helpers import login
from tests.conftest import html_text


@pytest.fixture
def introduction(make_org, make_member):
    db.session.add(ResearchField(code="aquaculture", name_vi="Thủy sản", name_en="Aquaculture"))
    university = make_org("Trường Đại học Nông Lâm Huế", kind=OrgKind.university)
    company = make_org("Công ty Thủy sản Tam Giang", kind=OrgKind.enterprise)
    with paused():
        result = listing_operations.create_listing(
            "result",
            {
                "organisation_id": university.id,
                "title": "Chế phẩm sinh học phòng bệnh tôm",
                "summary": "Chế phẩm vi sinh giảm 40% tỷ lệ tôm chết.",
                "field_code": "aquaculture",
                "trl": 6,
            },
            None,
            publish=True,
        )
        need = listing_operations.create_listing(
            "need",
            {
                "organisation_id": company.id,
                "title": "Giảm tôm chết mùa nắng nóng",
                "problem": "Tôm chết hàng loạt khi nhiệt độ tăng.",
                "field_code": "aquaculture",
                "trl_wanted": 5,
            },
            None,
            publish=True,
        )
    now = utcnow()
    match = Match(
        source_kind="need",
        source_id=need.id,
        target_kind="result",
        target_id=result.id,
        source_org_id=company.id,
        target_org_id=university.id,
        state=MatchState.introduced,
        source_interested_at=now,
        target_interested_at=now,
        introduced_at=now,
    )
    db.session.add(match)
    db.session.flush()
    return {
        "match": match,
        "result": result,
        "need": need,
        "company": company,
        "university": university,
        "company_user": make_member(company),
    }


def test_an_introduction_becomes_a_prefilled_draft(client, introduction, make_call):
    call = make_call()
    login(client, introduction["company_user"])
    match = introduction["match"]
    assert "Lập hồ sơ xin Quỹ" in html_text(client.get(f"/matches/{match.id}"))
    assert call.title_vi in html_text(client.get(f"/fund/from-match/{match.id}"))
    response = client.post(f"/fund/from-match/{match.id}", data={"call_id": call.id})
    assert response.status_code == 302 and "/edit" in response.headers["Location"]
    application = db.session.scalars(db.select(FundApplication)).one()
    assert application.organisation_id == introduction["company"].id
    assert application.partner_org_ids == {introduction["university"].id}
    assert (application.result_id, application.need_id, application.match_id) == (
        introduction["result"].id,
        introduction["need"].id,
        match.id,
    )
    assert application.title == "Chế phẩm sinh học phòng bệnh tôm" and application.trl == 6
    assert "Tôm chết hàng loạt" in application.summary
    again = client.post(
        f"/fund/from-match/{match.id}", data={"call_id": call.id}, follow_redirects=True
    )
    assert "đã có hồ sơ" in html_text(again)
    assert db.session.scalar(db.select(db.func.count(FundApplication.id))) == 1


def test_only_the_two_sides_of_an_introduction(
    client, introduction, make_call, make_member, make_org
):
    make_call()
    match = introduction["match"]
    login(client, make_member(make_org()))
    assert client.get(f"/fund/from-match/{match.id}").status_code == 404
    match.state = MatchState.interested
    match.introduced_at = None
    match.source_interested_at = None
    db.session.flush()
    login(client, introduction["company_user"])
    assert client.get(f"/fund/from-match/{match.id}").status_code == 404
