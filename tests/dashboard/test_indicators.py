"""Every indicator against a hand-computed fixture: the records, the formula and the numbers
are written here, and the page, the export and the drill-down are checked against them.

The fixture (all dates 2026, local time Asia/Ho_Chi_Minh):

results (published): R1 15/01, R2 20/02, R3 10/04, R4 01/07 10:00; R5 draft, R6 hidden
enterprises: ENT (created 10/02), ENT2 (05/05); a merged enterprise and a startup org don't count
needs: N1 of ENT (enterprise), N2 of UNI (a university)
matches: M1 N1→R1 created 01/03, interest 03/03 & 05/03, introduced 05/03, deal 20/11 500 000 000 ₫
         M2 N2→R2 created 02/03, interest 04/03 & 06/03, introduced 06/03 (no enterprise side)
         M3 N1→R3 created 01/04, interest 20/04 only
         M4 N1→R4 created 01/06, interest 10/06 & 15/06, introduced 15/06, deal 01/09 1 500 000 000 ₫
fund: calls C1 opens 10/01, C3 opens 05/05 (C2 draft); applications A3 submitted 15/02 (approved
      20/03), A1 (UNI with ENT as enterprise partner, result R2) submitted 01/08 (rejected 10/09),
      A2 draft (result R3, by ENT); award of A3 signed 01/04 for 1 000 000 000 ₫, paid
      400 000 000 ₫ on 10/05 and 300 000 000 ₫ on 05/11
budget 2026: 630 000 000 000 ₫ of 21 000 000 000 000 ₫; target 3 %
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from ecosystem.dashboard import figures
from ecosystem.dashboard.indicators import (
    Indicator,
    Value,
    buckets_for,
    get_indicator,
    register_provider,
    unregister_provider,
)
from ecosystem.dashboard.indicators.base import parse_bucket
from ecosystem.dashboard.models import BudgetFigure, IndicatorTarget
from ecosystem.dashboard.open_data import Dataset, register_dataset, unregister_dataset
from ecosystem.extensions import db
from ecosystem.matching.models import ContractType, Match, MatchState
from ecosystem.matching.signals import paused
from ecosystem.registry import listing_operations
from ecosystem.registry.enums import ListingState, OrgKind
from ecosystem.registry.enums import OrgKind as K
from ecosystem.registry.identifiers import organisation_name_key
from ecosystem.registry.models import Organisation, ResearchField, ResearchResult
from ecosystem.workflow.models import (
    ApplicationPartner,
    ApplicationState,
    Award,
    CallState,
    Decision,
    Disbursement,
    FundApplication,
    FundCall,
    Milestone,
    PartnerRole,
)
from tests.auth_helpers import login
from tests.conftest import html_text

HUE = ZoneInfo("Asia/Ho_Chi_Minh")


def at(month: int, day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=HUE).astimezone(dt.UTC)


@pytest.fixture
def world(db_session, make_org):
    with paused():
        return _world(make_org)


def _world(make_org):
    db.session.add(ResearchField(code="agri", name_vi="Nông nghiệp", name_en="Agriculture"))
    uni = make_org("Trường Đại học Nông Lâm", kind=OrgKind.university, created_at=at(1, 2))
    ent = make_org("Công ty Đầm Phá", kind=OrgKind.enterprise, created_at=at(2, 10))
    make_org("Công ty Hương Giang", kind=OrgKind.enterprise, created_at=at(5, 5))
    merged = make_org("Công ty trùng", kind=OrgKind.enterprise, created_at=at(3, 1))
    merged.merged_into_id = ent.id
    make_org("AquaStart", kind=OrgKind.startup, created_at=at(3, 1))

    def listing(kind, org, published, **fields):
        item = listing_operations.create_listing(
            kind, {"organisation_id": org.id, **fields}, None, publish=published is not None
        )
        if published is not None:
            item.published_at = published
        return item

    result = {"summary": "Tóm tắt", "field_code": "agri", "trl": 5}
    r1 = listing("result", uni, at(1, 15), title="R1", **result)
    r2 = listing("result", uni, at(2, 20), title="R2", **result)
    r3 = listing("result", uni, at(4, 10), title="R3", **result)
    r4 = listing("result", uni, at(7, 1, 10), title="R4", **result)
    listing("result", uni, None, title="R5 draft", **result)
    hidden = listing("result", uni, at(1, 20), title="R6 hidden", **result)
    hidden.hidden_at = at(2, 1)
    need = {"problem": "Vấn đề", "field_code": "agri", "trl_wanted": 5}
    n1 = listing("need", ent, at(1, 5), title="N1", **need)
    n2 = listing("need", uni, at(1, 6), title="N2", **need)
    startup = {"stage": "seed", "pitch": "Pitch"}
    listing("startup", ent, at(3, 15), name="S1", **startup)
    listing("startup", ent, at(10, 1), name="S2", **startup)
    listing("startup", ent, None, name="S3 draft", **startup)

    def match(need, res, created, first, second=None, introduced=None, deal=None):
        m = Match(
            source_kind="need",
            source_id=need.id,
            target_kind="result",
            target_id=res.id,
            source_org_id=need.organisation_id,
            target_org_id=res.organisation_id,
            created_at=created,
            source_interested_at=first,
            target_interested_at=second,
            introduced_at=introduced,
            state=MatchState.introduced if introduced else MatchState.interested,
        )
        if deal:
            m.state, m.deal_type = MatchState.deal_reported, ContractType.licence
            m.deal_date, m.deal_value = deal
        db.session.add(m)

    match(n1, r1, at(3, 1), at(3, 3), at(3, 5), at(3, 5), (dt.date(2026, 11, 20), 500_000_000))
    match(n2, r2, at(3, 2), at(3, 4), at(3, 6), at(3, 6))
    match(n1, r3, at(4, 1), at(4, 20))
    match(n1, r4, at(6, 1), at(6, 10), at(6, 15), at(6, 15), (dt.date(2026, 9, 1), 1_500_000_000))

    def call(opens, state=CallState.open):
        c = FundCall(
            title_vi="Đợt",
            budget=10**10,
            max_amount=10**9,
            opens_at=opens,
            closes_at=opens + dt.timedelta(days=60),
            state=state,
        )
        db.session.add(c)
        return c

    c1 = call(at(1, 10))
    call(at(2, 1), CallState.draft)
    call(at(5, 5), CallState.closed)
    a3 = FundApplication(
        call=c1,
        organisation_id=ent.id,
        title="A3",
        state=ApplicationState.contracted,
        submitted_at=at(2, 15),
    )
    a1 = FundApplication(
        call=c1,
        organisation_id=uni.id,
        title="A1",
        state=ApplicationState.rejected,
        submitted_at=at(8, 1),
        result_id=r2.id,
        partners=[ApplicationPartner(organisation_id=ent.id, role=PartnerRole.enterprise)],
    )
    a2 = FundApplication(call=c1, organisation_id=ent.id, title="A2 draft", result_id=r3.id)
    db.session.add_all([a1, a2, a3])
    db.session.flush()
    db.session.add_all(
        [
            Decision(
                application_id=a3.id,
                outcome=ApplicationState.approved,
                reason="Tốt",
                amount=10**9,
                decided_at=at(3, 20),
            ),
            Decision(
                application_id=a1.id,
                outcome=ApplicationState.rejected,
                reason="Chưa đạt",
                decided_at=at(9, 10),
            ),
        ]
    )
    m1 = Milestone(title="Mốc 1", amount=400_000_000, due_on=dt.date(2026, 5, 1))
    m2 = Milestone(title="Mốc 2", amount=600_000_000, due_on=dt.date(2026, 11, 1))
    db.session.add(
        Award(
            application_id=a3.id,
            contract_number="HĐ-01",
            signed_on=dt.date(2026, 4, 1),
            amount=1_000_000_000,
            milestones=[m1, m2],
        )
    )
    db.session.flush()
    db.session.add_all(
        [
            Disbursement(
                milestone_id=m1.id,
                amount=400_000_000,
                paid_on=dt.date(2026, 5, 10),
                reference="UNC-1",
            ),
            Disbursement(
                milestone_id=m2.id,
                amount=300_000_000,
                paid_on=dt.date(2026, 11, 5),
                reference="UNC-2",
            ),
            BudgetFigure(
                year=2026,
                st_spending=630_000_000_000,
                total_spending=21_000_000_000_000,
                source="Sở Tài chính",
            ),
            IndicatorTarget(indicator="budget_share", year=2026, value=3),
            IndicatorTarget(indicator="cooperation_rate", year=2026, value=60),
        ]
    )
    db.session.flush()
    return {"r1": r1, "r2": r2, "r4": r4, "ent": ent}


def quarterly(key: str) -> list:
    indicator = get_indicator(key)
    return [v.value for v in indicator.compute(buckets_for("quarter", 2026))]


def test_cooperation_rate(world):
    # Rate at the end of each quarter = cooperating published results / published results:
    # Q1: R1 (introduced to ENT 05/03) of R1, R2            = 1/2 = 50.00 %
    # Q2: R1 of R1, R2, R3 (R4 is published 01/07)          = 1/3 = 33.33 %
    # Q3: R1, R4 (from its publication 01/07), R2 (the fund application with ENT 01/08)
    #     of R1–R4                                          = 3/4 = 75.00 %
    # Q4: unchanged                                         = 3/4 = 75.00 %
    # Not counted: M2 (N2 is a university's need), M3 (interest only), A2 (a draft),
    # R5 (draft), R6 (hidden).
    values = get_indicator("cooperation_rate").compute(buckets_for("quarter", 2026))
    assert [(v.numerator, v.denominator) for v in values] == [(1, 2), (1, 3), (3, 4), (3, 4)]
    assert [round(v.value, 2) for v in values] == [50.0, 33.33, 75.0, 75.0]


def test_enterprises_and_startups(world):
    # Enterprises created: ENT 10/02 (Q1), ENT2 05/05 (Q2); the merged one and the startup
    # organisation are not enterprises on the platform. Startups published: S1 15/03, S2 01/10.
    assert quarterly("enterprises") == [1, 1, 0, 0]
    assert quarterly("startups") == [1, 0, 0, 1]


def test_matching_funnel(world):
    # Each stage counted on the date it was reached:
    # proposed: M1, M2 (March), M3 (April), M4 (June)           → Q1 2, Q2 2
    # interested (first side): M1, M2 (March), M3 20/04, M4 10/06 → Q1 2, Q2 2
    # introduced: M1, M2 (March), M4 (June)                      → Q1 2, Q2 1
    # deals: M4 01/09, M1 20/11                                  → Q3 1, Q4 1
    # deal value: 1 500 000 000 ₫ in Q3, 500 000 000 ₫ in Q4; the year: 2 000 000 000 ₫
    assert quarterly("matches_proposed") == [2, 2, 0, 0]
    assert quarterly("matches_interested") == [2, 2, 0, 0]
    assert quarterly("matches_introduced") == [2, 1, 0, 0]
    assert quarterly("deals") == [0, 0, 1, 1]
    assert quarterly("deal_value") == [0, 0, 1_500_000_000, 500_000_000]
    year = get_indicator("deal_value").compute(buckets_for("year", 2026, years_back=0))
    assert year[0].value == 2_000_000_000


def test_fund_indicators(world):
    # calls opened: C1 10/01, C3 05/05 (C2 is a draft)           → Q1 1, Q2 1
    # applications submitted: A3 15/02, A1 01/08 (A2 is a draft)  → Q1 1, Q3 1
    # approvals: A3 20/03 (A1's rejection is not an approval)     → Q1 1
    # disbursement share at the end of each quarter = paid ÷ awarded:
    #   Q1 nothing awarded → none; Q2 400 000 000 / 1 000 000 000 = 40 %; Q3 40 %;
    #   Q4 700 000 000 / 1 000 000 000 = 70 %
    assert quarterly("fund_calls") == [1, 1, 0, 0]
    assert quarterly("fund_applications") == [1, 0, 1, 0]
    assert quarterly("fund_approvals") == [1, 0, 0, 0]
    assert quarterly("disbursement_share") == [None, 40.0, 40.0, 70.0]


def test_budget_share_against_target(world):
    # 630 000 000 000 / 21 000 000 000 000 × 100 = 3.00 %; target 3 % → 100 % attained
    points, _at = figures.series(get_indicator("budget_share"), "year", 2026)
    last = points[-1]
    assert round(last.value.value, 2) == 3.0 and last.target == 3.0
    assert round(last.attainment, 2) == 100.0
    assert points[0].value.value is None  # 2022: no figures entered


def test_monthly_buckets_follow_local_time(world):
    # R4 was published 01/07 10:00 in Huế: July, not June (03:00 UTC the same day).
    values = get_indicator("cooperation_rate").compute(buckets_for("month", 2026))
    assert values[5].denominator == 3 and values[6].denominator == 4


def test_page_shows_formula_numbers_and_target(client, world):
    page = html_text(client.get("/indicators/cooperation_rate?period=quarter&year=2026"))
    assert "Công thức" in page and "÷ tổng số kết quả nghiên cứu đã công bố" in page
    assert "Q3/2026 75,00% 3 4" in page
    yearly = html_text(client.get("/indicators/cooperation_rate?period=year&year=2026"))
    assert "2026 75,00% 3 4 60,00% 125,00%" in yearly  # 75 % of a 60 % target = 125 %
    csv = client.get("/indicators/fund_applications.csv?period=quarter&year=2026")
    assert csv.status_code == 200 and "Q3/2026,1" in csv.get_data(as_text=True)
    public = html_text(client.get("/indicators/?year=2026"))
    assert "Tỷ lệ hợp tác nghiên cứu" in public and "75,00%" in public


def test_drill_down_lists_the_records_behind_a_value(
    client, world, make_platform_user, make_member
):
    # Anonymous visitors see the numbers, not the records.
    anonymous = client.get("/indicators/cooperation_rate/records?bucket=2026-Q3")
    assert anonymous.status_code == 302
    admin = make_platform_user("admin")
    login(client, admin)
    page = html_text(client.get("/indicators/cooperation_rate/records?bucket=2026-Q3"))
    assert "R1" in page and "R2" in page and "R4" in page and "R3" not in page
    funnel = html_text(client.get("/indicators/matches_introduced/records?bucket=2026-Q1"))
    assert "2 hồ sơ bạn được xem" in funnel
    client.post("/auth/logout")
    # A member of an unrelated organisation: the two introductions are counted but hidden.
    outsider = make_member(make_org_for_test(K.enterprise))
    login(client, outsider)
    funnel = html_text(client.get("/indicators/matches_introduced/records?bucket=2026-Q1"))
    assert "0 hồ sơ bạn được xem" in funnel and "2 hồ sơ khác" in funnel
    applications = html_text(client.get("/indicators/fund_applications/records?bucket=2026-Q3"))
    assert "A1" not in applications and "1 hồ sơ khác" in applications
    assert client.get("/indicators/cooperation_rate/records?bucket=nonsense").status_code == 404
    assert client.get("/indicators/unknown").status_code == 404


def make_org_for_test(kind):

    org = Organisation(
        kind=kind, name_vi="Công ty ngoài", name_key=organisation_name_key("Công ty ngoài")
    )
    db.session.add(org)
    db.session.flush()
    return org


@pytest.mark.parametrize(
    "url, data, message",
    [
        (
            "/dashboard/targets",
            {"indicator": "deals", "year": "2026", "value": "-1"},
            "không được là số âm",
        ),
        (
            "/dashboard/budget",
            {
                "year": "2026",
                "st_spending": "3.000",
                "total_spending": "2.000",
                "source": "Sở Tài chính",
            },
            "không thể vượt 100%",
        ),
        (
            "/dashboard/budget",
            {"year": "2026", "st_spending": "abc", "total_spending": "2.000", "source": "x"},
            "Số tiền không hợp lệ",
        ),
    ],
)
def test_bad_targets_and_budget_are_refused(client, secretariat, url, data, message):
    login(client, secretariat)
    before = (db.session.query(IndicatorTarget).count(), db.session.query(BudgetFigure).count())
    response = client.post(url, data=data)
    assert response.status_code == 422
    assert message in html_text(response)
    assert (
        db.session.query(IndicatorTarget).count(),
        db.session.query(BudgetFigure).count(),
    ) == before


def test_secretariat_sets_target_and_budget(client, secretariat):
    login(client, secretariat)
    assert (
        client.post(
            "/dashboard/targets", data={"indicator": "deals", "year": "2027", "value": "12"}
        ).status_code
        == 302
    )
    assert (
        client.post(
            "/dashboard/targets", data={"indicator": "deals", "year": "2027", "value": "15"}
        ).status_code
        == 302
    )
    assert (
        db.session.query(IndicatorTarget).filter_by(indicator="deals", year=2027).one().value == 15
    )
    response = client.post(
        "/dashboard/budget",
        data={
            "year": "2027",
            "st_spending": "300.000",
            "total_spending": "10.000.000",
            "source": "Dự toán 2027",
        },
    )
    assert response.status_code == 302
    page = html_text(client.get("/indicators/budget_share?year=2027"))
    assert "3,00%" in page


def test_a_later_feature_plugs_in_its_indicators_and_datasets(client, db_session):
    """A later feature registers a provider and a dataset without the dashboard importing it
    (the labs' own indicators are built in now; this one stands for the next feature)."""

    def later_indicators():
        return [
            Indicator(
                "later_rate",
                "Tỷ lệ của tính năng sau",
                "Giờ sử dụng ÷ giờ sẵn sàng × 100.",
                "percent",
                "Phòng thí nghiệm",
                lambda buckets: [Value(42.0, 42, 100) for _b in buckets],
            )
        ]

    register_provider("later", later_indicators)
    register_dataset(
        Dataset(
            "later",
            "Dữ liệu sau",
            "Bộ dữ liệu của tính năng sau",
            lambda: (["id"], [{"id": "later-1"}]),
        )
    )
    try:
        assert "Tỷ lệ của tính năng sau" in html_text(client.get("/indicators/?year=2026"))
        assert "42,00%" in html_text(client.get("/indicators/later_rate?period=quarter"))
        keys = {i["key"] for i in client.get("/api/v1/indicators").get_json()["items"]}
        assert {"later_rate", "lab_utilisation", "cooperation_rate"} <= keys
        assert "later-1" in client.get("/open-data/later.json").get_data(as_text=True)
        assert client.get("/open-data/results.json").status_code == 200  # built-ins still there
    finally:
        unregister_provider("later")
        unregister_dataset("later")
    assert client.get("/indicators/later_rate").status_code == 404
    assert client.get("/indicators/lab_utilisation").status_code == 200  # built in


def test_summary_export_holds_shares_and_headline(client, world):
    body = client.get("/indicators/summary.csv?year=2026").get_data(as_text=True)
    assert "Tỷ lệ hợp tác nghiên cứu,75.0,3,4,60.0" in body
    assert client.get("/indicators/summary.xlsx?year=2026").data[:2] == b"PK"


def test_drill_down_pages_by_fifty(db_session, make_org, make_platform_user, app):
    """55 cooperating results: page 1 holds 50, page 2 the other 5, the export all 55."""

    db.session.add(ResearchField(code="agri", name_vi="Nông nghiệp", name_en="Agriculture"))
    uni = make_org("Trường Đại học Khoa học", kind=OrgKind.university)
    ent = make_org("Công ty Hạt Giống", kind=OrgKind.enterprise)
    call = FundCall(
        title_vi="Đợt",
        budget=10**10,
        max_amount=10**9,
        opens_at=at(1, 1),
        closes_at=at(3, 1),
        state=CallState.closed,
    )
    db.session.add(call)
    for i in range(55):
        result = ResearchResult(
            organisation_id=uni.id,
            title=f"KQ {i}",
            summary="x",
            field_code="agri",
            trl=4,
            state=ListingState.published,
            published_at=at(1, 2),
        )
        db.session.add(result)
        db.session.flush()
        db.session.add(
            FundApplication(
                call=call,
                organisation_id=ent.id,
                title=f"HS {i}",
                state=ApplicationState.submitted,
                submitted_at=at(2, 1),
                result_id=result.id,
            )
        )
    db.session.flush()
    admin = make_platform_user("admin")
    drill = get_indicator("cooperation_rate").drill
    with app.test_request_context():
        first, second, everything = (drill(parse_bucket("2026"), admin, p) for p in (1, 2, 0))
    assert (first.total, len(first.rows), len(second.rows), len(everything.rows)) == (55, 50, 5, 55)
