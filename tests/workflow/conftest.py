"""Builders for the fund: a call, an application in any state, a fund cycle."""

from __future__ import annotations

import datetime as dt

import pytest

from ecosystem.core.models import utcnow
from ecosystem.extensions import db
from ecosystem.registry.enums import ListingState, OrgKind
from ecosystem.registry.models import (
    Membership,
    Person,
    ResearchField,
    ResearchGroup,
    ResearchResult,
)
from ecosystem.workflow.models import (
    ApplicationState,
    BudgetLine,
    CallState,
    FundApplication,
    FundCall,
    FundCycle,
)
from tests.auth.support import Mailbox

RUBRIC = [
    {"key": "novelty", "label_vi": "Tính mới", "label_en": "Novelty", "weight": 2},
    {"key": "impact", "label_vi": "Tác động", "label_en": "Impact", "weight": 1},
]


@pytest.fixture
def make_call(db_session):
    def _make(*, state: CallState = CallState.open, **fields) -> FundCall:
        now = utcnow()
        values = {
            "title_vi": "Đợt gọi thử nghiệm",
            "title_en": "Test call",
            "description_vi": "Hỗ trợ dự án nuôi tôm công nghệ cao.",
            "budget": 6_000_000_000,
            "min_amount": 100_000_000,
            "max_amount": 1_500_000_000,
            "cofunding_percent": 30,
            "opens_at": now - dt.timedelta(days=10),
            "closes_at": now + dt.timedelta(days=10),
            "rubric": RUBRIC,
            "state": state,
        }
        values.update(fields)
        call = FundCall(**values)
        db.session.add(call)
        db.session.flush()
        return call

    return _make


@pytest.fixture
def make_application(db_session, make_call, make_org):
    """An application that passes every check at submission, in ``state``."""

    def _make(
        call: FundCall | None = None,
        *,
        org=None,
        state: ApplicationState = ApplicationState.draft,
        **fields,
    ) -> FundApplication:
        call = call or make_call()
        org = org or make_org(kind=OrgKind.enterprise)
        values = {
            "title": "Nuôi tôm thẻ chân trắng tuần hoàn",
            "summary": "Hệ thống nuôi tôm tuần hoàn ở đầm phá Tam Giang.",
            "trl": 5,
            "requested_amount": 700_000_000,
            "cofunding_amount": 300_000_000,
        }
        values.update(fields)
        application = FundApplication(call=call, organisation_id=org.id, state=state, **values)
        application.budget_lines = [
            BudgetLine(
                position=0,
                label="Thiết bị",
                fund_amount=application.requested_amount,
                cofunding_amount=application.cofunding_amount,
            )
        ]
        if state is not ApplicationState.draft:
            application.submitted_at = utcnow()
        db.session.add(application)
        db.session.flush()
        db.session.refresh(application)
        return application

    return _make


@pytest.fixture
def make_cycle(db_session):
    def _make(capital: int = 20_000_000_000, state_share: int = 9_000_000_000) -> FundCycle:
        today = utcnow().date()
        cycle = FundCycle(
            name=f"Chu kỳ {today.year}",
            starts_on=today - dt.timedelta(days=180),
            ends_on=today + dt.timedelta(days=180),
            charter_capital=capital,
            state_budget_capital=state_share,
        )
        db.session.add(cycle)
        db.session.flush()
        return cycle

    return _make


@pytest.fixture
def people(make_org, make_member, make_platform_user, make_user):
    applicant_org = make_org(kind=OrgKind.enterprise)
    return {
        "applicant": make_member(applicant_org),
        "manager": make_platform_user("fund_manager"),
        "reviewer": make_platform_user("reviewer"),
        "outsider": make_member(make_org()),
        "steering": make_platform_user("steering"),
        "_org": applicant_org,
    }


@pytest.fixture
def make_expert(db_session, make_platform_user, make_member):
    """A reviewer with a person record: expertise, affiliations and research groups (each
    given as (group, [result titles]) to create results of the group's organisation)."""

    def _field(code: str) -> str:
        if db.session.get(ResearchField, code) is None:
            db.session.add(ResearchField(code=code, name_vi=code, name_en=code))
            db.session.flush()
        return code

    def _make(
        name: str,
        expertise: list[str],
        *,
        affiliations=(),
        member_of=(),
        groups=(),
        field_code: str = "aquaculture",
    ):
        user = make_platform_user("reviewer", full_name=name)
        for org in member_of:
            make_member(org, user=user)
        person = Person(full_name=name, expertise=expertise, user_id=user.id)
        person.memberships = [Membership(organisation_id=org.id) for org in affiliations]
        db.session.add(person)
        for org, titles in groups:
            group = ResearchGroup(organisation_id=org.id, name_vi=f"Nhóm {name}", members=[person])
            db.session.add(group)
            db.session.flush()
            for title in titles:
                db.session.add(
                    ResearchResult(
                        organisation_id=org.id,
                        group_id=group.id,
                        title=title,
                        summary=title,
                        field_code=_field(field_code),
                        trl=5,
                        keywords=expertise,
                        state=ListingState.published,
                    )
                )
        db.session.flush()
        db.session.refresh(user)
        return user

    return _make


@pytest.fixture
def mailbox(app, db_session):

    box = Mailbox(app.config["MAIL_FILE_DIR"])
    box.clear()
    return box
