"""The match life cycle as data: each transition refuses a wrong state and a user who is
not one of the two sides, with a clear message, and ``allowed_transitions`` offers what each
role may do in each state."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import current_app
from sqlalchemy import func, select

from ecosystem.core.audit import AuditEvent
from ecosystem.core.errors import UserError
from ecosystem.core.models import utcnow
from ecosystem.core.transitions import allowed_names
from ecosystem.extensions import db
from ecosystem.matching import operations as ops
from ecosystem.matching.models import ContractType, MatchState
from tests.auth_helpers import login
from tests.matching_web.conftest import commit

S = MatchState
TODAY = dt.date.today()
DATA = {"deal": {"contract_type": "licence", "value": 1_000_000, "date": TODAY}}
SIDES = {"enterprise", "researcher"}  # the need's (source) and the result's (target) side


def put(match, state: MatchState, *, source_said_yes: bool = False):
    """Bring the proposal into ``state`` with what the state implies (who agreed, a deal)."""
    now = utcnow()
    both = state in (S.introduced, S.deal_reported)
    match.source_interested_at = now if both or source_said_yes else None
    match.target_interested_at = now if both else None
    match.deal_type = ContractType.other if state is S.deal_reported else None
    match.state = state
    db.session.flush()
    return match


def audit_rows() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent))


WRONG_STATES = [
    (name, state)
    for name, transition in ops.MATCH_WORKFLOW.by_name.items()
    for state in S
    if state not in transition.sources
]


@pytest.mark.parametrize(("name", "state"), WRONG_STATES)
def test_each_transition_refuses_a_wrong_state(world, world_match, name, state):
    match = put(world_match, state)
    rows = audit_rows()
    with current_app.test_request_context(), pytest.raises(UserError) as refused:
        ops.act(match, name, world.users["enterprise"], **DATA.get(name, {}))
    assert refused.value.message == (
        "Không thể thực hiện thao tác này ở trạng thái hiện tại của đề xuất."
    )
    assert refused.value.status == 422
    assert match.state is state
    assert audit_rows() == rows


@pytest.mark.parametrize("role", ["outsider", "admin", "steering", "unaffiliated", "anonymous"])
@pytest.mark.parametrize("name", list(ops.MATCH_WORKFLOW.by_name))
def test_each_transition_refuses_whoever_is_not_a_side(world, world_match, name, role):
    start = next(iter(ops.MATCH_WORKFLOW.by_name[name].sources))
    match = put(world_match, start)
    rows = audit_rows()
    with current_app.test_request_context(), pytest.raises(UserError) as refused:
        ops.act(match, name, world.users[role], **DATA.get(name, {}))
    assert refused.value.message == "Bạn không thuộc tổ chức nào trong đề xuất này."
    assert refused.value.status == 403
    assert match.state is start
    assert audit_rows() == rows


def test_interest_twice_is_refused_by_the_rule_not_the_state(world, world_match):
    match = put(world_match, S.interested, source_said_yes=True)
    with current_app.test_request_context(), pytest.raises(UserError) as refused:
        ops.interest(match, world.users["enterprise"])
    assert refused.value.message == "Tổ chức của bạn đã bày tỏ quan tâm rồi."
    assert match.state is S.interested


def test_the_second_yes_computes_the_introduction(world, world_match):
    match = put(world_match, S.proposed)
    with current_app.test_request_context():
        assert ops.interest(match, world.users["researcher"]) is S.interested
        assert ops.interest(match, world.users["enterprise"]) is S.introduced
    actions = db.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.object_id == str(match.id), AuditEvent.action.like("match.%"))
        .order_by(AuditEvent.id)
    )
    assert list(actions) == ["match.interest", "match.introduced"]


# What each role is offered, by state (the enterprise said yes first in "interested").
OFFERED = {
    S.proposed: {"enterprise": {"interest", "dismiss"}, "researcher": {"interest", "dismiss"}},
    S.interested: {"enterprise": {"dismiss"}, "researcher": {"interest", "dismiss"}},
    S.introduced: {"enterprise": {"deal"}, "researcher": {"deal"}},
    S.deal_reported: {"enterprise": {"deal"}, "researcher": {"deal"}},
    S.dismissed: {},
}
ROLES = ["enterprise", "researcher", "outsider", "admin", "steering", "unaffiliated", "anonymous"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("state", list(S))
def test_allowed_transitions_per_role_and_state(world, world_match, state, role):
    match = put(world_match, state, source_said_yes=state is S.interested)
    assert allowed_names(match, world.users[role]) == OFFERED[state].get(role, set())


def test_detail_page_offers_only_the_allowed_buttons(client, world, world_match):

    put(world_match, S.interested, source_said_yes=True)
    commit()
    login(client, world.users["enterprise"])
    page = client.get(f"/matches/{world_match.id}").get_data(as_text=True)
    assert 'data-testid="interest"' not in page
    assert f"/matches/{world_match.id}/dismiss" in page
    assert f"/matches/{world_match.id}/deal" not in page
