"""Role × route: every route of the application, requested as anonymous, as a member of an
unrelated organisation, as each organisation role and as each platform role.

It fails when a route is added without a rule here, so every new page gets its
permission checked. Each request runs inside a savepoint that is rolled back, so one
request's effect never changes another's answer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import secrets

import pytest

from ecosystem.api.tokens import create_token
from ecosystem.auth.models import MembershipStatus, OrgMembership, UserSession
from ecosystem.core.jobs import Job
from ecosystem.core.models import utcnow
from ecosystem.dashboard import tracker
from ecosystem.dashboard.models import TaskImport
from ecosystem.extensions import db
from ecosystem.labs.feeds import create_feed
from ecosystem.labs.models import (
    Authorisation,
    Booking,
    Downtime,
    DowntimeKind,
    Equipment,
    Hold,
    Lab,
    UserKind,
)
from ecosystem.matching.models import Match, MatchState
from ecosystem.matching.signals import paused
from ecosystem.matching.tasks import unsubscribe_token
from ecosystem.registry import listing_operations, operations
from ecosystem.registry.attachments import add_attachment
from ecosystem.registry.enums import OrgKind
from ecosystem.registry.import_models import ImportBatch, ImportState
from ecosystem.registry.models import ResearchField
from ecosystem.workflow.models import (
    ApplicationState,
    Award,
    CallState,
    FundApplication,
    FundCall,
    Milestone,
    ReviewAssignment,
)

ROLES = (
    "anon",
    "outsider",
    "member",
    "orgadmin",
    "admin",
    "fund_manager",
    "reviewer",
    "lab_manager",
    "steering",
    "secretariat",
)
PLATFORM = ("fund_manager", "reviewer", "lab_manager", "steering", "secretariat")


def profile(default: str, **roles: str) -> dict[str, str]:
    return {role: roles.get(role, default) for role in ROLES}


# Expectations: "ok" (served: 2xx/3xx, or 400/422 for a POST without data), "login"
# (sent to sign in), "403", "404", "401".
PUBLIC = profile("ok")
SIGNED_IN = profile("ok", anon="login")
SIGNED_IN_POST = profile("ok", anon="403")
ADMIN = profile("403", anon="login", admin="ok")
ADMIN_POST = profile("403", admin="ok")
ORG_EDIT = profile("403", anon="login", member="ok", orgadmin="ok", admin="ok")
ORG_EDIT_POST = {**ORG_EDIT, "anon": "403"}
ORG_ADMIN = profile("403", anon="login", orgadmin="ok", admin="ok")
ORG_ADMIN_POST = {**ORG_ADMIN, "anon": "403"}
HAS_ORG = profile("ok", anon="login", **dict.fromkeys(PLATFORM, "403"))
MATCH_VIEW = profile("403", anon="login", member="ok", orgadmin="ok", admin="ok", steering="ok")
MATCH_ACT = profile("403", member="ok", orgadmin="ok")
CREATOR = profile("403", anon="login", member="ok", admin="ok")
CREATOR_POST = {**CREATOR, "anon": "403"}
API_WRITE = profile("401")
EVERYONE_404 = profile("404")
FUND = profile("403", anon="login", admin="ok", fund_manager="ok")
FUND_POST = {**FUND, "anon": "403"}
# Another organisation's application answers like a missing one.
APPLICATION = profile(
    "404", anon="login", member="ok", orgadmin="ok", admin="ok", fund_manager="ok"
)
APPLICATION_POST = {**APPLICATION, "anon": "403"}
APPLICATION_MANAGE = {**APPLICATION, "member": "403", "orgadmin": "403"}
LEDGER = {**FUND, "steering": "ok"}
APPLICATION_MANAGE_POST = {**APPLICATION_MANAGE, "anon": "403"}
OWN_REVIEW = profile("404", anon="login", reviewer="ok")
OWN_REVIEW_POST = {**OWN_REVIEW, "anon": "403"}
DRAFT_EDIT = {**APPLICATION, "admin": "403", "fund_manager": "403"}
LAB_MANAGE = profile("403", anon="login", orgadmin="ok", admin="ok", lab_manager="ok")
LAB_MANAGE_POST = {**LAB_MANAGE, "anon": "403"}
LAB_BOOKING = profile(
    "404", anon="login", outsider="ok", orgadmin="ok", admin="ok", lab_manager="ok"
)
LAB_BOOKING_POST = {**LAB_BOOKING, "anon": "403"}
# The steering committee's dashboard: the committee reads, its secretariat keeps it.
DASHBOARD = profile("403", anon="login", admin="ok", steering="ok", secretariat="ok")
SECRETARIAT = profile("403", anon="login", admin="ok", secretariat="ok")
SECRETARIAT_POST = {**SECRETARIAT, "anon": "403"}

LISTING_RULES = {
    "index": ("GET", "/{kind}s/", PUBLIC),
    "new": ("GET", "/{kind}s/new", HAS_ORG),
    "detail": ("GET", "/{kind}s/{id}", PUBLIC),
    "edit": ("GET", "/{kind}s/{id}/edit", ORG_EDIT),
    "change_state": ("POST", "/{kind}s/{id}/state", ORG_EDIT_POST),
    "hide": ("POST", "/{kind}s/{id}/hide", ADMIN_POST),
    "unhide": ("POST", "/{kind}s/{id}/unhide", ADMIN_POST),
}

RULES: dict[str, list[tuple[str, str, dict[str, str]]]] = {
    "site.home": [("GET", "/", PUBLIC)],
    "site.healthz": [("GET", "/healthz", PUBLIC)],
    "site.set_language": [("POST", "/language", PUBLIC)],
    "site.job_page": [("GET", "/jobs/{job}", CREATOR)],
    "site.job_status": [("GET", "/jobs/{job}/status", CREATOR)],
    "auth.login": [("GET", "/auth/login", PUBLIC), ("POST", "/auth/login", PUBLIC)],
    "auth.register": [("GET", "/auth/register", PUBLIC), ("POST", "/auth/register", PUBLIC)],
    "auth.logout": [("POST", "/auth/logout", PUBLIC)],
    "auth.verify_email": [("GET", "/auth/verify/not-a-token", profile("login"))],
    "auth.resend_verification": [("POST", "/auth/resend-verification", profile("login"))],
    "auth.reset_request": [("GET", "/auth/reset", PUBLIC), ("POST", "/auth/reset", PUBLIC)],
    "auth.reset_password": [("GET", "/auth/reset/not-a-token", PUBLIC)],
    "auth.profile": [
        ("GET", "/auth/account", SIGNED_IN),
        ("POST", "/auth/account", SIGNED_IN_POST),
    ],
    "auth.change_password": [("POST", "/auth/account/password", SIGNED_IN_POST)],
    "oidc.login": [("POST", "/auth/oidc/login", EVERYONE_404)],
    "oidc.callback": [("GET", "/auth/oidc/callback", EVERYONE_404)],
    "oidc.link": [("POST", "/auth/oidc/link", profile("404", anon="403"))],
    "api_tokens.create": [("POST", "/auth/account/tokens/", SIGNED_IN_POST)],
    "api_tokens.revoke": [("POST", "/auth/account/tokens/{token}/revoke", CREATOR_POST)],
    "memberships.join": [
        ("GET", "/organisations/{org_c}/join", profile("ok", anon="login", outsider="403"))
    ],
    "memberships.members": [("GET", "/organisations/{org}/members", ORG_ADMIN)],
    "memberships.decide": [("POST", "/memberships/{link}/decide", ORG_ADMIN_POST)],
    "memberships.set_role": [("POST", "/memberships/{link}/role", ORG_ADMIN_POST)],
    "memberships.revoke": [("POST", "/memberships/{link}/revoke", ORG_ADMIN_POST)],
    "admin.users": [("GET", "/admin/users", ADMIN)],
    "admin.user_detail": [("GET", "/admin/users/{member_id}", ADMIN)],
    "admin.change_role": [("POST", "/admin/users/{member_id}/roles", ADMIN_POST)],
    "admin.set_active": [("POST", "/admin/users/{member_id}/active", ADMIN_POST)],
    "admin.audit": [("GET", "/admin/audit", ADMIN)],
    "registry.search": [("GET", "/search?q=tom", PUBLIC)],
    "registry.organisations": [("GET", "/organisations", PUBLIC)],
    "registry.organisation": [("GET", "/organisations/{org}", PUBLIC)],
    "registry.organisation_new": [("GET", "/organisations/new", SIGNED_IN)],
    "registry.organisation_edit": [("GET", "/organisations/{org}/edit", ORG_ADMIN)],
    "registry.organisation_merge": [("GET", "/organisations/{org}/merge", ADMIN)],
    "registry.people": [("GET", "/people", PUBLIC)],
    "registry.person": [("GET", "/people/{person}", PUBLIC)],
    "registry.person_new": [("GET", "/people/new", HAS_ORG)],
    "registry.person_edit": [("GET", "/people/{person}/edit", ORG_EDIT)],
    "registry.person_merge": [("GET", "/people/{person}/merge", ADMIN)],
    "registry.groups": [("GET", "/groups", PUBLIC)],
    "registry.group": [("GET", "/groups/{group}", PUBLIC)],
    "registry.group_new": [("GET", "/groups/new", HAS_ORG)],
    "registry.group_edit": [("GET", "/groups/{group}/edit", ORG_EDIT)],
    "attachments.upload": [("POST", "/results/{result}/attachments", ORG_EDIT_POST)],
    "attachments.download": [
        (
            "GET",
            "/attachments/{attachment}",
            profile("403", anon="login", member="ok", orgadmin="ok", admin="ok"),
        )
    ],
    "attachments.delete": [("POST", "/attachments/{attachment_to_delete}/delete", ORG_EDIT_POST)],
    "data.import_new": [("GET", "/imports/new", HAS_ORG)],
    "data.import_batch": [("GET", "/imports/{batch}", CREATOR)],
    "data.import_decide": [("POST", "/imports/{batch}/cancel", CREATOR_POST)],
    "data.import_template": [("GET", "/imports/template/need.csv", PUBLIC)],
    "data.export": [("GET", "/export/result.csv", PUBLIC)],
    "matching.index": [("GET", "/matches", SIGNED_IN)],
    "matching.detail": [("GET", "/matches/{match}", MATCH_VIEW)],
    "matching.interest": [("POST", "/matches/{match}/interest", MATCH_ACT)],
    "matching.dismiss": [("POST", "/matches/{match}/dismiss", MATCH_ACT)],
    "matching.deal": [("POST", "/matches/{match}/deal", MATCH_ACT)],
    "matching.start_rebuild": [("POST", "/admin/matching/rebuild", ADMIN_POST)],
    "matching.terms": [("GET", "/admin/matching/terms", ADMIN)],
    "matching.add_term_group": [("POST", "/admin/matching/terms", ADMIN_POST)],
    "matching.merge_term_groups": [("POST", "/admin/matching/terms/merge", ADMIN_POST)],
    "matching.retire_term_group": [
        ("POST", "/admin/matching/terms/shrimp-farming/retire", ADMIN_POST)
    ],
    "matching.unsubscribe": [("GET", "/matches/unsubscribe/{unsubscribe}", PUBLIC)],
    "site.notifications": [("GET", "/notifications", SIGNED_IN)],
    "site.my_work_page": [("GET", "/my-work", SIGNED_IN)],
    "site.notifications_read": [("POST", "/notifications/read", SIGNED_IN_POST)],
    "api.openapi": [("GET", "/api/v1/openapi.json", PUBLIC)],
    "api.docs": [("GET", "/api/v1/docs", PUBLIC)],
    "api.fields": [("GET", "/api/v1/fields", PUBLIC)],
    "api.me": [("GET", "/api/v1/me", profile("401"))],
    "api.list_items": [("GET", "/api/v1/results", PUBLIC)],
    "api.get_item": [("GET", "/api/v1/results/{result}", PUBLIC)],
    "api.create_item": [("POST", "/api/v1/needs", API_WRITE)],
    "api.update_item": [("PATCH", "/api/v1/results/{result}", API_WRITE)],
    "api.archive_item": [("POST", "/api/v1/results/{result}/archive", API_WRITE)],
    # A browser session does not count in the API: the fund's own records need a token
    # (what each token holder sees is in tests/api/test_fund_api.py).
    "api.list_calls": [("GET", "/api/v1/calls", PUBLIC)],
    "api.get_call": [("GET", "/api/v1/calls/{call}", PUBLIC)],
    "api.list_applications": [("GET", "/api/v1/applications", profile("401"))],
    "api.get_application": [("GET", "/api/v1/applications/{application}", profile("401"))],
    "api.submit_application": [
        ("POST", "/api/v1/applications/{draft_application}/submit", API_WRITE)
    ],
    "api.list_tasks": [("GET", "/api/v1/tasks?status=done", PUBLIC)],
    "api.list_indicators": [("GET", "/api/v1/indicators?period=quarter", PUBLIC)],
    "api.get_indicator_values": [("GET", "/api/v1/indicators/deals", PUBLIC)],
    "api.list_reviews": [("GET", "/api/v1/reviews", profile("401"))],
    "api.get_review": [("GET", "/api/v1/reviews/{assignment}", profile("401"))],
    "api.list_labs": [("GET", "/api/v1/labs", PUBLIC)],
    "api.get_lab": [("GET", "/api/v1/labs/{lab}", PUBLIC)],
    "api.list_equipment": [("GET", "/api/v1/equipment", PUBLIC)],
    "api.get_equipment": [("GET", "/api/v1/equipment/{equipment}", PUBLIC)],
    "api.list_bookings": [("GET", "/api/v1/bookings", profile("401"))],
    "api.get_booking": [("GET", "/api/v1/bookings/{booking}", profile("401"))],
    "api.create_booking": [("POST", "/api/v1/bookings", API_WRITE)],
    "workflow.index": [("GET", "/fund/", PUBLIC)],
    "workflow.feed": [("GET", "/fund/calls.atom", PUBLIC)],
    "workflow.call": [("GET", "/fund/calls/{call}", PUBLIC)],
    "workflow.new_call": [("GET", "/fund/calls/new", FUND)],
    "workflow.call_state": [("POST", "/fund/calls/{call}/state", FUND_POST)],
    "workflow.call_applications": [("GET", "/fund/calls/{call}/applications", FUND)],
    "workflow.apply": [("GET", "/fund/calls/{call}/apply", SIGNED_IN)],
    "workflow.applications": [("GET", "/fund/applications", SIGNED_IN)],
    "workflow.application": [("GET", "/fund/applications/{application}", APPLICATION)],
    "workflow.edit": [("GET", "/fund/applications/{draft_application}/edit", DRAFT_EDIT)],
    "workflow.assign": [("GET", "/fund/applications/{application}/reviewers", APPLICATION_MANAGE)],
    "workflow.my_reviews": [("GET", "/fund/reviews", SIGNED_IN)],
    "workflow.review": [("GET", "/fund/reviews/{assignment}", OWN_REVIEW)],
    "workflow.review_save": [("POST", "/fund/reviews/{assignment}", OWN_REVIEW_POST)],
    "workflow.declare": [("POST", "/fund/reviews/{assignment}/declare", OWN_REVIEW_POST)],
    "workflow.committee": [("GET", "/fund/calls/{call}/committee", FUND)],
    "workflow.award": [("GET", "/fund/applications/{application}/award", APPLICATION)],
    "workflow.sign": [("POST", "/fund/applications/{application}/award", APPLICATION_MANAGE_POST)],
    "workflow.milestone_state": [("POST", "/fund/milestones/{milestone}/state", APPLICATION_POST)],
    "workflow.disburse": [
        ("POST", "/fund/milestones/{milestone}/disbursements", APPLICATION_MANAGE_POST)
    ],
    "workflow.write_off": [
        ("POST", "/fund/applications/{application}/award/write-off", APPLICATION_MANAGE_POST)
    ],
    "workflow.letter": [("GET", "/fund/applications/{application}/letter", APPLICATION)],
    # The world's proposal is not an introduction yet: nobody may start from it.
    "workflow.from_match": [("GET", "/fund/from-match/{match}", profile("404", anon="login"))],
    "workflow.ledger_page": [("GET", "/fund/ledger", LEDGER)],
    "workflow.ledger_xlsx": [("GET", "/fund/ledger.xlsx", LEDGER)],
    "workflow.export_applications": [("GET", "/fund/applications.csv", SIGNED_IN)],
    "workflow.export_call_applications": [
        ("GET", "/fund/calls/{call}/applications.xlsx", SIGNED_IN)
    ],
    "dashboard.tasks": [("GET", "/dashboard/tasks?unit=x&source=plan_02&overdue=1", DASHBOARD)],
    "dashboard.tasks_export": [("GET", "/dashboard/tasks.xlsx", DASHBOARD)],
    "dashboard.task_new": [("GET", "/dashboard/tasks/new", SECRETARIAT)],
    "dashboard.task": [("GET", "/dashboard/tasks/{task}", DASHBOARD)],
    "dashboard.task_edit": [("GET", "/dashboard/tasks/{task}/edit", SECRETARIAT)],
    "dashboard.task_report": [("POST", "/dashboard/tasks/{task}/reports", SECRETARIAT_POST)],
    "dashboard.task_import_new": [("GET", "/dashboard/tasks/import", SECRETARIAT)],
    # Another secretary's dry run answers like a missing one.
    "dashboard.task_import_batch": [
        ("GET", "/dashboard/tasks/import/{task_import}", {**SECRETARIAT, "secretariat": "404"})
    ],
    "dashboard.task_import_decide": [
        (
            "POST",
            "/dashboard/tasks/import/{task_import}/cancel",
            {**SECRETARIAT_POST, "secretariat": "404"},
        )
    ],
    "dashboard.task_import_template": [
        ("GET", "/dashboard/tasks/import/template.csv", SECRETARIAT)
    ],
    "dashboard.evidence": [("GET", "/dashboard/evidence/{evidence}", DASHBOARD)],
    "indicators.index": [("GET", "/indicators/?year=2026", PUBLIC)],
    "indicators.indicator": [("GET", "/indicators/cooperation_rate?period=quarter", PUBLIC)],
    "indicators.indicator_export": [("GET", "/indicators/deals.xlsx?period=year", PUBLIC)],
    "indicators.records": [
        ("GET", "/indicators/matches_proposed/records?bucket=2026", SIGNED_IN),
        ("GET", "/indicators/fund_applications/records?bucket=2026-Q1&format=csv", SIGNED_IN),
    ],
    "open_data.catalogue": [("GET", "/open-data/", PUBLIC)],
    "open_data.catalogue_jsonld": [("GET", "/open-data/catalog.jsonld", PUBLIC)],
    "open_data.dataset": [("GET", "/open-data/results.csv", PUBLIC)],
    "dashboard.overview": [("GET", "/dashboard/", DASHBOARD)],
    "dashboard.report": [("GET", "/dashboard/report?year=2026", DASHBOARD)],
    "dashboard.targets": [
        ("GET", "/dashboard/targets", SECRETARIAT),
        ("POST", "/dashboard/targets", SECRETARIAT_POST),
    ],
    "dashboard.budget": [
        ("GET", "/dashboard/budget", SECRETARIAT),
        ("POST", "/dashboard/budget", SECRETARIAT_POST),
    ],
    "workflow.application_state": [
        ("POST", "/fund/applications/{application}/state", APPLICATION_POST)
    ],
    "labs.index": [("GET", "/labs/?q=pcr&date=01/01/2030&fee_max=abc", PUBLIC)],
    "labs.lab": [("GET", "/labs/{lab}", PUBLIC)],
    "labs.equipment": [("GET", "/labs/equipment/{equipment}", PUBLIC)],
    "labs.lab_calendar": [("GET", "/labs/{lab}/calendar?view=month", PUBLIC)],
    "labs.equipment_calendar": [("GET", "/labs/equipment/{equipment}/calendar", PUBLIC)],
    "labs.disclosures": [("GET", "/labs/disclosures", PUBLIC)],
    "labs.disclosures_export": [("GET", "/labs/disclosures/equipment.xlsx", PUBLIC)],
    "labs.reports_page": [("GET", "/labs/{lab}/reports?quarter=2026-Q4", PUBLIC)],
    "labs.reports_xlsx": [("GET", "/labs/{lab}/reports.xlsx", PUBLIC)],
    "labs.ical": [("GET", "/labs/ical/{feed_secret}.ics", PUBLIC)],
    "labs.book": [("POST", "/labs/equipment/{equipment}/book", SIGNED_IN_POST)],
    "labs.waitlist": [("POST", "/labs/equipment/{equipment}/waitlist", SIGNED_IN_POST)],
    "labs.my_bookings": [("GET", "/labs/bookings", SIGNED_IN)],
    "labs.my_statements": [("GET", "/labs/statements", SIGNED_IN)],
    "labs.feeds_page": [("GET", "/labs/feeds", SIGNED_IN)],
    "labs.create_feed": [("POST", "/labs/feeds", SIGNED_IN_POST)],
    "labs.revoke_feed": [
        ("POST", "/labs/feeds/{feed}/revoke", profile("404", anon="403", member="ok"))
    ],
    # The booker is the outsider (another organisation's member); the lab is run by org.
    "labs.booking": [("GET", "/labs/bookings/{booking}", LAB_BOOKING)],
    "labs.booking_state": [("POST", "/labs/bookings/{booking}/state", LAB_BOOKING_POST)],
    "labs.new_lab": [
        ("GET", "/labs/new", profile("403", anon="login", admin="ok", lab_manager="ok"))
    ],
    "labs.manage": [("GET", "/labs/{lab}/manage", LAB_MANAGE)],
    "labs.edit_lab": [("GET", "/labs/{lab}/edit", LAB_MANAGE)],
    "labs.new_equipment": [("GET", "/labs/{lab}/equipment/new", LAB_MANAGE)],
    "labs.edit_equipment": [("GET", "/labs/equipment/{equipment}/edit", LAB_MANAGE)],
    "labs.statements": [("GET", "/labs/{lab}/statements?month=2026-11", LAB_MANAGE)],
    "labs.add_downtime": [("POST", "/labs/equipment/{equipment}/downtime", LAB_MANAGE_POST)],
    "labs.remove_downtime": [("POST", "/labs/downtime/{downtime}/delete", LAB_MANAGE_POST)],
    "labs.grant": [("POST", "/labs/equipment/{equipment}/authorisations", LAB_MANAGE_POST)],
    "labs.revoke": [("POST", "/labs/authorisations/{authorisation}/revoke", LAB_MANAGE_POST)],
}
for kind in ("result", "need", "startup", "investor"):
    for view, (method, path, expected) in LISTING_RULES.items():
        RULES[f"{kind}s.{view}"] = [
            (method, path.replace("{kind}", kind).replace("{id}", "{" + kind + "}"), expected)
        ]


@pytest.fixture
def world(db_session, make_org, make_member, make_platform_user, make_user, app):
    # Matching is paused: the hand-made proposal below must not be recomputed away.
    with paused():
        return _world(make_org, make_member, make_platform_user, make_user, app)


def _world(make_org, make_member, make_platform_user, make_user, app):
    for code in ("aquaculture", "health"):
        db.session.add(ResearchField(code=code, name_vi=code, name_en=code))
    org = make_org("Trường Đại học Nông Lâm", kind=OrgKind.university)
    counterpart = make_org("Công ty TNHH Thủy sản Đầm Phá", kind=OrgKind.enterprise)
    unrelated = make_org("Công ty Cổ phần Du lịch Hương Giang", kind=OrgKind.enterprise)
    users = {
        "member": make_member(org),
        "orgadmin": make_member(org, role="admin"),
        "outsider": make_member(unrelated),
        "admin": make_platform_user("admin"),
        **{role: make_platform_user(role) for role in PLATFORM},
    }
    listing = {"organisation_id": org.id}
    result = listing_operations.create_listing(
        "result",
        {
            **listing,
            "title": "Vắc-xin tôm",
            "summary": "Tóm tắt",
            "details": "Bí mật",
            "field_code": "aquaculture",
            "trl": 6,
            "confidentiality": "after_introduction",
        },
        None,
        publish=True,
    )
    need = listing_operations.create_listing(
        "need",
        {
            "organisation_id": counterpart.id,
            "title": "Cần vắc-xin tôm",
            "problem": "Tôm chết",
            "field_code": "aquaculture",
            "trl_wanted": 5,
        },
        None,
        publish=True,
    )
    own_need = listing_operations.create_listing(
        "need",
        {
            **listing,
            "title": "Nhu cầu",
            "problem": "Vấn đề",
            "field_code": "health",
            "trl_wanted": 3,
        },
        None,
        publish=True,
    )
    startup = listing_operations.create_listing(
        "startup",
        {**listing, "name": "AquaStart", "stage": "seed", "pitch": "Pitch"},
        None,
        publish=True,
    )
    investor = listing_operations.create_listing(
        "investor", {**listing, "name": "Quỹ Hương", "thesis": "Đầu tư"}, None, publish=True
    )
    person = operations.create_person(
        {"full_name": "Nguyễn Văn An", "organisation_id": org.id}, None
    )
    group = operations.save_group(
        None, {"organisation_id": org.id, "name_vi": "Nhóm thủy sản"}, None
    )
    attachment = add_attachment(
        result, io.BytesIO(b"%PDF-1.4 test"), "quy-trinh.pdf", users["member"]
    )
    # Deleting removes the file once committed; savepoints cannot bring a file back.
    to_delete = add_attachment(
        result, io.BytesIO(b"%PDF-1.4 other"), "phu-luc.pdf", users["member"]
    )
    applicant = make_user()
    link = OrgMembership(
        user_id=applicant.id, organisation_id=org.id, status=MembershipStatus.pending
    )
    db.session.add(link)
    match = Match(
        source_kind="need",
        source_id=own_need.id,
        target_kind="result",
        target_id=result.id,
        source_org_id=org.id,
        target_org_id=counterpart.id,
        score=0.3,
        explanation={"terms": [], "facets": []},
        state=MatchState.proposed,
    )
    db.session.add(match)
    job = Job(kind="test", created_by_id=users["member"].id)
    batch = ImportBatch(
        kind="need",
        filename="x.csv",
        created_by_id=users["member"].id,
        organisation_id=org.id,
        state=ImportState.ready,
    )
    db.session.add_all([job, batch])
    token, _plain = create_token(users["member"], "t", True, None)
    call, application, draft_application = _fund(org)
    labs = _labs(org, users)
    task, evidence = _task(users["secretariat"])
    db.session.flush()
    assignment = ReviewAssignment(application_id=application.id, reviewer_id=users["reviewer"].id)
    milestone = Milestone(title="Mốc 1", amount=100, due_on=dt.date(2027, 1, 1))
    award = Award(
        application_id=application.id,
        contract_number="HĐ-1",
        signed_on=dt.date(2026, 1, 1),
        amount=100,
        milestones=[milestone],
    )
    db.session.add_all([assignment, award])
    db.session.flush()
    ids = {
        "org": org.id,
        "org_c": unrelated.id,
        "result": result.id,
        "need": own_need.id,
        "other_need": need.id,
        "startup": startup.id,
        "investor": investor.id,
        "person": person.id,
        "group": group.id,
        "attachment": attachment.id,
        "attachment_to_delete": to_delete.id,
        "link": link.id,
        "match": match.id,
        "job": job.id,
        "batch": batch.id,
        "token": token.id,
        "call": call.id,
        "application": application.id,
        "draft_application": draft_application.id,
        "assignment": assignment.id,
        "milestone": milestone.id,
        "member_id": users["member"].id,
        "task": task.id,
        "evidence": evidence.id,
        "task_import": _task_import(users["admin"]).id,
        "unsubscribe": _unsubscribe(app, users["member"]),
        **labs,
    }
    db.session.commit()
    return users, ids


def _fund(org):
    now = utcnow()
    call = FundCall(
        title_vi="Đợt gọi",
        budget=1_000_000_000,
        max_amount=500_000_000,
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=9),
        state=CallState.open,
    )
    submitted = FundApplication(
        call=call,
        organisation_id=org.id,
        title="Hồ sơ đã nộp",
        state=ApplicationState.submitted,
        submitted_at=now,
    )
    draft = FundApplication(call=call, organisation_id=org.id, title="Bản nháp")
    db.session.add_all([call, submitted, draft])
    return call, submitted, draft


def _labs(org, users) -> dict:

    now = utcnow()
    lab = Lab(
        organisation_id=org.id,
        manager_id=users["lab_manager"].id,
        name_vi="PTN Công nghệ sinh học",
        opening_hours={str(d): [0, 1440] for d in range(7)},
    )
    equipment = Equipment(lab=lab, name_vi="Máy PCR", cost_operation=100_000)
    db.session.add_all([lab, equipment])
    db.session.flush()
    booking = Booking(
        equipment_id=equipment.id,
        user_id=users["outsider"].id,
        organisation_id=next(iter(users["outsider"].active_org_ids)),
        user_kind=UserKind.enterprise,
        starts_at=now + dt.timedelta(days=3),
        ends_at=now + dt.timedelta(days=3, hours=1),
    )
    downtime = Downtime(
        equipment_id=equipment.id,
        kind=DowntimeKind.maintenance,
        starts_at=now + dt.timedelta(days=5),
        ends_at=now + dt.timedelta(days=6),
    )
    authorisation = Authorisation(
        user_id=users["member"].id, equipment_id=equipment.id, expires_on=dt.date(2030, 1, 1)
    )
    db.session.add_all([booking, downtime, authorisation])
    db.session.flush()
    db.session.add_all(
        [
            Hold(
                equipment_id=equipment.id,
                booking_id=booking.id,
                starts_at=booking.starts_at,
                ends_at=booking.ends_at,
            ),
            Hold(
                equipment_id=equipment.id,
                downtime_id=downtime.id,
                starts_at=downtime.starts_at,
                ends_at=downtime.ends_at,
            ),
        ]
    )
    feed, secret = create_feed(users["member"])
    return {
        "lab": lab.id,
        "equipment": equipment.id,
        "booking": booking.id,
        "downtime": downtime.id,
        "authorisation": authorisation.id,
        "feed": feed.id,
        "feed_secret": secret,
    }


def _task(user):
    task = tracker.create_task(
        {
            "code": "T-1",
            "title": "Nhiệm vụ",
            "source": "plan_02",
            "unit": "Sở KH&CN",
            "deadline": dt.date(2027, 1, 1),
            "kind": "one_off",
        },
        user,
    )
    report = tracker.file_report(
        task,
        {"reported_on": dt.date(2026, 11, 1), "status": "in_progress", "text": "Bắt đầu"},
        [("minh-chung.pdf", io.BytesIO(b"%PDF-1.4 evidence"))],
        user,
    )
    return task, report.files[0]


def _task_import(user):
    batch = TaskImport(filename="nhiem-vu.csv", created_by_id=user.id, total_rows=0)
    db.session.add(batch)
    db.session.flush()
    return batch


def _unsubscribe(app, user) -> str:
    with app.test_request_context():
        return unsubscribe_token(user)


def _sign_in(client, user) -> None:
    """A server-side session created directly (the sign-in form has its own tests)."""
    token = secrets.token_urlsafe(16)
    db.session.add(
        UserSession(token_hash=hashlib.sha256(token.encode()).hexdigest(), user_id=user.id)
    )
    db.session.flush()
    with client.session_transaction() as session:
        session["sid"] = token


def _verdict(response, method: str) -> str:
    status = response.status_code
    if status in (401, 403, 404, 500):
        return str(status)
    if status == 302 and "/auth/login" in response.headers.get("Location", ""):
        return "login"
    if status < 400 or (method != "GET" and status in (400, 422)):
        return "ok"
    return str(status)


def test_every_route_has_a_rule(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    assert endpoints - set(RULES) == set(), "routes without an access rule in tests/test_access.py"
    assert set(RULES) - endpoints == set(), "rules for routes that no longer exist"


@pytest.mark.parametrize("role", ROLES)
def test_role_by_route(app, client, world, role):
    users, ids = world
    mismatches = []
    for endpoint, rules in sorted(RULES.items()):
        for method, path, expected in rules:
            url = path.format(**ids)
            request_client = app.test_client()
            connection = db.session.connection()
            savepoint = connection.begin_nested()
            try:
                if role != "anon":
                    _sign_in(request_client, users[role])
                headers = {"X-CSRFToken": request_client.csrf_token()} if method != "GET" else {}
                response = request_client.open(url, method=method, headers=headers)
                got = _verdict(response, method)
            finally:
                savepoint.rollback()
                db.session.expire_all()
            if got != expected[role]:
                mismatches.append(
                    f"{method} {url} ({endpoint}): expected {expected[role]}, got {got} [{response.status_code}]"
                )
    assert not mismatches, "\n".join(mismatches)
