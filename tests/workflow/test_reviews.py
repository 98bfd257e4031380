"""Expert review: conflicts from the registry, the declaration before the details, scores on
the rubric, reviewer suggestion on labelled cases, and the committee's ranking."""

from __future__ import annotations

import pytest

from ecosystem.core.errors import UserError
from ecosystem.core.models import utcnow
from ecosystem.extensions import db
from ecosystem.matching.models import Match, MatchState
from ecosystem.registry.enums import OrgKind
from ecosystem.registry.models import Membership
from ecosystem.workflow import conflicts, reviewers, reviews
from ecosystem.workflow import permissions as perms
from ecosystem.workflow.committee import committee_rows
from ecosystem.workflow.models import (
    ApplicationPartner,
    ApplicationState,
    AssignmentState,
    ConflictOfInterest,
    PartnerRole,
)

S = ApplicationState
A = AssignmentState


@pytest.fixture
def reviewing(make_application, people):
    return make_application(org=people["_org"], state=S.under_review)


def _reasons(application, user) -> set[str]:
    return {c.reason for c in conflicts.detect(application, user)}


def test_conflicts_are_found_in_the_registry(reviewing, make_expert, make_org, people):
    partner = make_org(kind=OrgKind.university)
    reviewing.partners = [ApplicationPartner(organisation_id=partner.id, role=PartnerRole.research)]
    db.session.flush()
    other = make_org(kind=OrgKind.research_institute)
    cases = {
        "same_org": make_expert("A", ["tôm"], affiliations=[partner]),
        "same_org_as_user": make_expert("B", ["tôm"], member_of=[people["_org"]]),
        "joint_result": make_expert("C", ["tôm"], groups=[(people["_org"], ["Vắc-xin tôm"])]),
        "free": make_expert("D", ["tôm"], affiliations=[other], groups=[(other, ["Lúa"])]),
    }
    assert _reasons(reviewing, cases["same_org"]) == {"same_org"}
    assert _reasons(reviewing, cases["same_org_as_user"]) == {"same_org"}
    # A group of the applicant organisation: a shared group and a joint result.
    assert _reasons(reviewing, cases["joint_result"]) == {"shared_group", "joint_result"}
    assert _reasons(reviewing, cases["free"]) == set()


def test_an_earlier_introduction_is_a_conflict(reviewing, make_expert, make_org, people):
    lab = make_org(kind=OrgKind.research_institute)
    expert = make_expert("E", ["tôm"], affiliations=[lab])
    match = Match(
        source_kind="need",
        source_id=1,
        target_kind="result",
        target_id=2,
        source_org_id=people["_org"].id,
        target_org_id=lab.id,
        state=MatchState.proposed,
    )
    db.session.add(match)
    db.session.flush()
    assert _reasons(reviewing, expert) == set()  # only a proposal: nobody met
    match.state = MatchState.introduced
    match.source_interested_at = match.target_interested_at = match.introduced_at = utcnow()
    db.session.flush()
    assert _reasons(reviewing, expert) == {"earlier_match"}


def test_a_conflicted_expert_cannot_be_assigned(reviewing, make_expert, people):
    expert = make_expert("F", ["tôm"], member_of=[people["_org"]])
    with pytest.raises(UserError) as refused:
        reviews.assign(reviewing, expert, people["manager"])
    assert "xung đột lợi ích" in refused.value.message
    assert perms.assignment_of(expert, reviewing) is None


def test_details_open_only_after_the_declaration(reviewing, make_expert, make_org, people):
    expert = make_expert("G", ["tôm"], affiliations=[make_org()])
    assignment = reviews.assign(reviewing, expert, people["manager"])
    assert assignment.state is A.invited
    assert not perms.can_view_application(expert, reviewing)
    reviews.ASSIGNMENT_WORKFLOW.apply(assignment, "declare_none", expert)
    assert assignment.state is A.accepted and assignment.declared_at is not None
    assert perms.can_view_application(expert, reviewing)


def test_a_declared_conflict_closes_the_application_for_good(
    reviewing, make_expert, make_org, people
):
    expert = make_expert("H", ["tôm"], affiliations=[make_org()])
    assignment = reviews.assign(reviewing, expert, people["manager"])
    reviews.ASSIGNMENT_WORKFLOW.apply(assignment, "declare_conflict", expert, detail="Người thân")
    assert assignment.state is A.declined
    assert perms.has_conflict(expert, reviewing) and not perms.can_view_application(
        expert, reviewing
    )
    with pytest.raises(UserError):
        reviews.assign(reviewing, expert, people["manager"])


def test_a_conflict_that_appears_after_the_invitation_overrules_the_declaration(
    reviewing, make_expert, make_org, people
):
    expert = make_expert("I", ["tôm"], affiliations=[make_org()])
    assignment = reviews.assign(reviewing, expert, people["manager"])
    # Meanwhile the registry learnt the expert works at the applicant organisation.
    person = conflicts.person_of(expert)
    person.memberships.append(Membership(organisation_id=people["_org"].id))
    db.session.flush()
    reviews.ASSIGNMENT_WORKFLOW.apply(assignment, "declare_none", expert)
    assert assignment.state is A.declined
    assert not perms.can_view_application(expert, reviewing)
    assert (
        db.session.scalar(db.select(ConflictOfInterest.reason).filter_by(reviewer_id=expert.id))
        == "same_org"
    )


def test_the_load_limit_needs_a_reason_to_override(
    make_application, make_call, make_expert, make_org, people
):
    call = make_call(reviewer_load_limit=1)
    first = make_application(call, org=people["_org"], state=S.under_review)
    second = make_application(call, org=people["_org"], state=S.under_review)
    expert = make_expert("J", ["tôm"], affiliations=[make_org()])
    reviews.assign(first, expert, people["manager"])
    with pytest.raises(UserError) as refused:
        reviews.assign(second, expert, people["manager"])
    assert refused.value.field == "override_reason"
    assignment = reviews.assign(
        second, expert, people["manager"], override_reason="Chuyên môn hiếm"
    )
    assert assignment.override_reason == "Chuyên môn hiếm"


def _accepted(application, expert, manager):
    assignment = reviews.assign(application, expert, manager)
    reviews.ASSIGNMENT_WORKFLOW.apply(assignment, "declare_none", expert)
    return assignment


@pytest.mark.parametrize("bad", ["0", "6", "3.5", "ba", "-1"])
def test_a_score_outside_the_scale_is_refused_and_nothing_changes(
    reviewing, make_expert, make_org, people, bad
):
    expert = make_expert("K", ["tôm"], affiliations=[make_org()])
    assignment = _accepted(reviewing, expert, people["manager"])
    reviews.save_scores(assignment, expert, scores={"novelty": "4", "impact": "3"})
    with pytest.raises(UserError) as refused:
        reviews.save_scores(assignment, expert, scores={"novelty": bad, "impact": "2"})
    assert refused.value.field == "score_novelty" and "1 đến 5" in refused.value.message
    assert assignment.scores == {"novelty": 4, "impact": 3}


def test_a_review_is_submitted_complete_and_then_final(reviewing, make_expert, make_org, people):
    expert = make_expert("L", ["tôm"], affiliations=[make_org()])
    assignment = _accepted(reviewing, expert, people["manager"])
    with pytest.raises(UserError) as refused:
        reviews.ASSIGNMENT_WORKFLOW.apply(assignment, "submit", expert, scores={"novelty": "4"})
    assert refused.value.field == "score_impact"
    reviews.ASSIGNMENT_WORKFLOW.apply(
        assignment, "submit", expert, scores={"novelty": "4", "impact": "1"}, overall="Tốt"
    )
    assert assignment.state is A.submitted
    assert reviews.weighted_score(assignment, reviewing.call.rubric) == pytest.approx(3.0)
    with pytest.raises(UserError):
        reviews.save_scores(assignment, expert, scores={"novelty": "5", "impact": "5"})


def test_someone_else_cannot_act_on_an_assignment(reviewing, make_expert, make_org, people):
    expert = make_expert("M", ["tôm"], affiliations=[make_org()])
    other = make_expert("N", ["tôm"], affiliations=[make_org()])
    assignment = reviews.assign(reviewing, expert, people["manager"])
    with pytest.raises(UserError) as refused:
        reviews.ASSIGNMENT_WORKFLOW.apply(assignment, "declare_none", other)
    assert refused.value.status == 403 and assignment.state is A.invited


# Suggestion on labelled cases -------------------------------------------------------------


def test_the_right_expert_ranks_first_and_a_conflicted_one_never_appears(
    make_application, make_expert, make_org, people
):
    uni = make_org("Trường Đại học Nông Lâm", kind=OrgKind.university)
    hospital = make_org("Bệnh viện Trung ương Huế", kind=OrgKind.research_institute)
    shrimp = make_expert(
        "PGS. Tôm",
        ["nuôi tôm", "tuần hoàn", "lọc sinh học"],
        affiliations=[uni],
        groups=[(uni, ["Hệ thống nuôi tôm thẻ chân trắng tuần hoàn khép kín"])],
    )
    make_expert(
        "TS. Tim mạch",
        ["tim mạch", "siêu âm"],
        affiliations=[hospital],
        groups=[(hospital, ["Chẩn đoán bệnh tim bằng siêu âm"])],
        field_code="health",
    )
    insider = make_expert(
        "TS. Nội bộ",
        ["nuôi tôm", "tuần hoàn", "lọc sinh học", "tôm thẻ chân trắng"],
        member_of=[people["_org"]],
    )
    application = make_application(
        org=people["_org"],
        state=S.under_review,
        title="Nuôi tôm thẻ chân trắng tuần hoàn",
        summary="Lọc sinh học cho hệ thống nuôi tôm tuần hoàn ở đầm phá.",
    )
    found = reviewers.suggest(application, limit=3)
    assert found, "no expert suggested"
    assert found[0].user.id == shrimp.id
    assert insider.id not in {s.user.id for s in found}
    terms = {term for term, _share in found[0].terms}
    assert any("tôm" in term for term in terms)


def test_experts_already_asked_are_not_suggested_again(reviewing, make_expert, make_org, people):
    expert = make_expert("O", ["nuôi tôm", "tuần hoàn"], affiliations=[make_org()])
    assert expert.id in {s.user.id for s in reviewers.suggest(reviewing)}
    reviews.assign(reviewing, expert, people["manager"])
    assert expert.id not in {s.user.id for s in reviewers.suggest(reviewing)}


# Committee ----------------------------------------------------------------------------------


def test_committee_ranks_flags_disagreement_and_counts_the_budget(
    make_application, make_call, make_expert, make_org, people
):
    call = make_call(budget=1_000_000_000, disagreement_threshold=1.5)
    experts = [make_expert(f"X{i}", ["tôm"], affiliations=[make_org()]) for i in range(2)]
    plans = {"calm": [(4, 4), (4, 4)], "split": [(5, 5), (2, 2)], "weak": [(2, 2), (2, 3)]}
    apps = {}
    for name, scores in plans.items():
        application = make_application(
            call, org=people["_org"], state=S.under_review, title=name, requested_amount=400_000_000
        )
        for expert, (novelty, impact) in zip(experts, scores, strict=True):
            assignment = _accepted(application, expert, people["manager"])
            reviews.ASSIGNMENT_WORKFLOW.apply(
                assignment, "submit", expert, scores={"novelty": novelty, "impact": impact}
            )
        apps[name] = application
    rows = committee_rows(call)
    assert [r.application.title for r in rows] == ["calm", "split", "weak"]
    by_title = {r.application.title: r for r in rows}
    assert by_title["split"].disagreement and not by_title["calm"].disagreement
    assert by_title["split"].spread == pytest.approx(3.0)
    assert by_title["weak"].mean == pytest.approx((2 + (2 * 2 + 3) / 3) / 2)
    assert [r.budget_left for r in rows] == [600_000_000, 200_000_000, -200_000_000]
    assert [r.rank for r in rows] == [1, 2, 3]


def test_the_expert_index_is_reused_until_the_registry_changes(make_expert, make_org):
    expert = make_expert("P", ["nuôi tôm"], affiliations=[make_org()])
    first = reviewers.expert_index()
    assert reviewers.expert_index() is first
    person = conflicts.person_of(expert)
    person.expertise = ["lúa chịu mặn"]
    person.updated_at = utcnow()
    db.session.flush()
    assert reviewers.expert_index() is not first
