"""Every fund state has its own label, even where two enums share a value."""

from __future__ import annotations

import pytest

from ecosystem.workflow.labels import fund_label
from ecosystem.workflow.models import (
    ApplicationState,
    AssignmentState,
    CallState,
    MilestoneState,
    PartnerRole,
)


@pytest.mark.parametrize(
    "enum_cls", [ApplicationState, AssignmentState, CallState, MilestoneState, PartnerRole]
)
def test_every_member_is_labelled(app, enum_cls):
    with app.test_request_context():
        assert all(fund_label(m) != m.value for m in enum_cls)


def test_shared_values_keep_their_own_labels(app):
    with app.test_request_context():
        assert fund_label(ApplicationState.submitted) == "Đã nộp"
        assert fund_label(AssignmentState.submitted) == "Đã nộp nhận xét"
        assert fund_label(ApplicationState.closed) != fund_label(CallState.closed)
        assert fund_label(AssignmentState.accepted) != fund_label(MilestoneState.accepted)
