"""Field lists of the fund's API resources: calls, applications and review assignments.

The same ``Field`` declarations as the registry's resources drive the output and the
OpenAPI document. Every field is read-only (the one write, submitting a draft, takes no
body). Amounts are whole đồng (integers, VND); datetimes are ISO 8601 in UTC.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ecosystem.api.schemas import CREATED, ID, UPDATED, Field, serialize_fields
from ecosystem.workflow.models import ApplicationState, AssignmentState, CallState

# Drafts never leave the fund's own pages; declined invitations drop off the reviewer's list.
CALL_STATES = tuple(s.value for s in CallState if s is not CallState.draft)
ASSIGNMENT_STATES = tuple(s.value for s in AssignmentState if s is not AssignmentState.declined)
VND = "Whole đồng (VND)"


def _out(name: str, type_: str, **kwargs: Any) -> Field:
    return Field(name, type_, read_only=True, **kwargs)


def _budget_lines(user: Any, application: Any) -> list[dict[str, Any]]:
    return [
        {
            "label": line.label,
            "fund_amount": line.fund_amount,
            "cofunding_amount": line.cofunding_amount,
        }
        for line in application.budget_lines
    ]


def _once_declared(attribute: str) -> Callable[[Any, Any], Any]:
    """The application's ``attribute`` for the reviewer, only after "no conflict" (as on
    the reviewer's pages: before it, the number and the call and nothing else)."""

    def get(user: Any, assignment: Any) -> Any:
        if assignment.state is AssignmentState.invited:
            return None
        return getattr(assignment.application, attribute)

    return get


FUND_RESOURCES: dict[str, tuple[Field, ...]] = {
    "call": (
        ID,
        _out("state", "string", enum=CALL_STATES),
        _out("title_vi", "string"),
        _out("title_en", "string"),
        _out("description_vi", "string"),
        _out("description_en", "string"),
        _out("budget", "integer", description=f"Total budget of the call. {VND}"),
        _out("min_amount", "integer", description=f"Least one application may request. {VND}"),
        _out("max_amount", "integer", description=f"Most one application may request. {VND}"),
        _out("cofunding_percent", "integer", description="Co-funding required, % of the total"),
        _out("opens_at", "date-time"),
        _out("closes_at", "date-time", description="Submission deadline (UTC)"),
        _out(
            "accepting",
            "boolean",
            get=lambda user, call: call.is_accepting(),
            description="Applications can be submitted now",
        ),
        _out("eligible_kinds", "array", description="Organisation kinds that may apply"),
        _out("field_codes", "array"),
        _out("trl_min", "integer"),
        _out("trl_max", "integer"),
        _out("three_party", "boolean", description='"3 nhà": enterprise and research partners'),
        _out("required_documents", "array", items="object"),
        _out("questions", "array", items="object"),
        _out("rubric", "array", items="object", description="Criteria with weights"),
        _out("score_max", "integer", description="Each criterion is scored 1..score_max"),
        _out("decided_at", "date-time", nullable=True),
        CREATED,
        UPDATED,
    ),
    "application": (
        ID,
        _out("call_id", "integer"),
        _out("organisation_id", "integer", description="Applicant organisation"),
        _out(
            "partner_organisation_ids",
            "array",
            items="integer",
            get=lambda user, application: sorted(application.partner_org_ids),
        ),
        _out("lead_person_id", "integer", nullable=True),
        _out("title", "string"),
        _out("summary", "string"),
        _out("field_code", "string", nullable=True),
        _out("trl", "integer", nullable=True),
        _out("requested_amount", "integer", description=VND),
        _out("cofunding_amount", "integer", description=VND),
        _out(
            "budget_lines",
            "array",
            items="object",
            get=_budget_lines,
            description=f"label, fund_amount, cofunding_amount. {VND}",
        ),
        _out("state", "string", enum=tuple(s.value for s in ApplicationState)),
        _out("submitted_at", "date-time", nullable=True),
        _out("screening_note", "string", description="The fund's reason or request"),
        _out("reply_due_at", "date-time", nullable=True),
        _out("result_id", "integer", nullable=True, description="Linked research result"),
        _out("need_id", "integer", nullable=True, description="Linked technology need"),
        CREATED,
        UPDATED,
    ),
    "review": (
        ID,
        _out("application_id", "integer"),
        _out("call_id", "integer", get=lambda user, assignment: assignment.application.call_id),
        _out("state", "string", enum=ASSIGNMENT_STATES),
        _out(
            "application_title",
            "string",
            nullable=True,
            get=_once_declared("title"),
            description="null until you declare no conflict of interest",
        ),
        _out(
            "application_summary",
            "string",
            nullable=True,
            get=_once_declared("summary"),
            description="null until you declare no conflict of interest",
        ),
        _out("declared_at", "date-time", nullable=True),
        _out("scores", "object", get=lambda user, assignment: assignment.scores or {}),
        _out("comments", "object", get=lambda user, assignment: assignment.comments or {}),
        _out("overall_comment", "string"),
        _out("submitted_at", "date-time", nullable=True),
        CREATED,
        UPDATED,
    ),
}
FUND_TITLES = {"call": "FundCall", "application": "FundApplication", "review": "ReviewAssignment"}


def serialize_fund(kind: str, obj: Any, user: Any) -> dict[str, Any]:
    return serialize_fields(FUND_RESOURCES[kind], obj, user)
