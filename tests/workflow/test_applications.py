"""Applications: the checks at submission, the deadline on the server, and who may do what."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from ecosystem.core.errors import UserError
from ecosystem.core.transitions import allowed_names
from ecosystem.extensions import db
from ecosystem.registry.enums import OrgKind
from ecosystem.workflow import applications as ops
from ecosystem.workflow.models import (
    ApplicationPartner,
    ApplicationState,
    BudgetLine,
    Decision,
    PartnerRole,
)

S = ApplicationState
HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def _problems(application) -> list[str]:
    return [field for field, _ in ops.submission_problems(application)]


def test_a_complete_application_has_no_problems(make_application):
    assert _problems(make_application()) == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"requested_amount": 50_000_000, "cofunding_amount": 30_000_000}, "requested_amount"),
        ({"requested_amount": 1_600_000_000, "cofunding_amount": 900_000_000}, "requested_amount"),
        ({"cofunding_amount": 100_000_000}, "cofunding_amount"),
        ({"trl": 2}, None),
    ],
)
def test_amounts_and_cofunding_outside_the_call_are_refused(
    make_application, make_call, change, field
):
    call = make_call(trl_min=4, trl_max=7)
    application = make_application(call, **change)
    problems = _problems(application)
    assert (field or "trl") in problems


def test_a_budget_that_does_not_add_up_is_refused(make_application):
    application = make_application()
    application.budget_lines.append(BudgetLine(position=1, label="Nhân công", fund_amount=1))
    db.session.flush()
    assert "budget" in _problems(application)


def test_three_party_calls_need_an_enterprise_and_a_research_partner(
    make_application, make_call, make_org
):
    application = make_application(make_call(three_party=True))
    assert "partners" in _problems(application)
    university = make_org(kind=OrgKind.university)
    application.partners.append(
        ApplicationPartner(organisation_id=university.id, role=PartnerRole.research)
    )
    db.session.flush()
    db.session.refresh(application)
    assert "partners" not in _problems(application)


def test_required_answers_and_documents(make_application, make_call):
    call = make_call(
        questions=[
            {"key": "market", "label_vi": "Thị trường", "type": "text", "required": True},
            {"key": "kind", "label_vi": "Loại", "type": "choice", "choices": ["a", "b"]},
        ],
        required_documents=[{"key": "plan", "label_vi": "Thuyết minh"}],
    )
    application = make_application(call, answers={"kind": "z"})
    assert set(_problems(application)) == {"q_market", "q_kind", "doc_plan"}


def _at(local: dt.datetime) -> dt.datetime:
    return local.replace(tzinfo=HCM).astimezone(dt.UTC)


@pytest.mark.parametrize(
    ("closes_local", "accepted"),
    [
        # The call closes at 00:00:00 on 1/1 local time: 23:59:59 the evening before is in time.
        (dt.datetime(2027, 1, 1, 0, 0, 0), False),
    ],
)
def test_the_deadline_is_enforced_on_the_server_in_local_time(
    make_application, make_call, people, monkeypatch, closes_local, accepted
):
    call = make_call(closes_at=_at(closes_local))
    application = make_application(call, org=people["_org"])
    just_before = _at(closes_local - dt.timedelta(seconds=1))
    monkeypatch.setattr("ecosystem.workflow.models.utcnow", lambda: just_before)
    assert call.is_accepting()
    monkeypatch.setattr("ecosystem.workflow.models.utcnow", lambda: _at(closes_local))
    assert not call.is_accepting()
    with pytest.raises(UserError) as refused:
        ops.apply(application, "submit", people["applicant"])
    assert "hết hạn" in refused.value.message
    assert application.state is S.draft and application.submitted_at is None
    monkeypatch.setattr("ecosystem.workflow.models.utcnow", lambda: just_before)
    ops.apply(application, "submit", people["applicant"])
    assert application.state is S.submitted


# state × role: which actions each role is offered ----------------------------------------

OFFERED = {
    (S.draft, "applicant"): {"submit", "withdraw"},
    (S.submitted, "applicant"): {"withdraw"},
    (S.submitted, "manager"): {
        "start_screening",
        "mark_eligible",
        "mark_ineligible",
        "request_info",
    },
    (S.screening, "manager"): {"mark_eligible", "mark_ineligible", "request_info"},
    # An applicant may withdraw at any point before the decision.
    (S.screening, "applicant"): {"withdraw"},
    (S.under_review, "applicant"): {"withdraw"},
    (S.committee, "applicant"): {"withdraw"},
    (S.info_requested, "applicant"): {"reply", "withdraw"},
    (S.under_review, "manager"): {"to_committee"},
    (S.committee, "manager"): {"approve", "waitlist", "reject"},
    (S.waitlisted, "manager"): {"approve", "reject"},
    (S.waitlisted, "applicant"): {"withdraw"},
    (S.approved, "manager"): {"contract"},
    (S.approved, "applicant"): set(),
    (S.contracted, "manager"): {"start", "terminate"},
    (S.in_progress, "manager"): {"close", "terminate"},
    (S.rejected, "manager"): set(),
}


@pytest.mark.parametrize("role", ["applicant", "manager", "reviewer", "outsider", "steering"])
@pytest.mark.parametrize("state", list(S))
def test_state_role_table(make_application, people, state, role):
    application = make_application(org=people["_org"], state=state)
    offered = allowed_names(application, people[role])
    assert offered == OFFERED.get((state, role), set())


def test_anonymous_is_offered_nothing(make_application):
    assert allowed_names(make_application(state=S.committee), None) == set()


def test_a_refused_transition_changes_nothing(make_application, people):
    application = make_application(org=people["_org"], state=S.committee)
    with pytest.raises(UserError) as refused:
        ops.apply(application, "approve", people["applicant"], reason="tự duyệt")
    assert refused.value.status == 403
    assert application.state is S.committee
    assert db.session.scalar(db.select(Decision).filter_by(application_id=application.id)) is None


def test_approval_needs_a_reason_and_a_cycle_with_room(make_application, make_cycle, people):
    application = make_application(org=people["_org"], state=S.committee)
    with pytest.raises(UserError) as refused:
        ops.apply(application, "approve", people["manager"], reason="")
    assert refused.value.field == "reason"
    with pytest.raises(UserError) as refused:
        ops.apply(application, "approve", people["manager"], reason="Tốt")
    assert "chu kỳ" in refused.value.message
    make_cycle(capital=500_000_000, state_share=0)
    with pytest.raises(UserError) as refused:
        ops.apply(application, "approve", people["manager"], reason="Tốt")
    assert "vốn điều lệ" in refused.value.message
    assert application.state is S.committee


def test_approval_records_the_decision(make_application, make_cycle, people):
    make_cycle()
    application = make_application(org=people["_org"], state=S.committee)
    ops.apply(application, "approve", people["manager"], reason="Đề xuất tốt", amount=600_000_000)
    decision = db.session.scalar(db.select(Decision).filter_by(application_id=application.id))
    assert application.state is S.approved
    assert (decision.outcome, decision.amount, decision.reason) == (
        S.approved,
        600_000_000,
        "Đề xuất tốt",
    )
    assert [e.action for e in ops.timeline(application)][-1] == "fund_application.approve"
