"""``flask export-organisation ID``: all of one organisation's data, nothing of others'."""

from __future__ import annotations

import json
import zipfile

import sqlalchemy as sa

from ecosystem.extensions import db
from ecosystem.matching.models import Match
from ecosystem.registry.models import Organisation, ResearchResult, TechnologyNeed
from ecosystem.seed import seed_demo
from ecosystem.workflow.models import FundApplication


def _busiest_organisation() -> Organisation:
    """The demo organisation with a result, a proposal and a fund application."""
    for org in db.session.scalars(sa.select(Organisation).order_by(Organisation.id)):
        has_application = db.session.scalar(
            sa.select(FundApplication.id).where(FundApplication.organisation_id == org.id)
        )
        has_result = db.session.scalar(
            sa.select(ResearchResult.id).where(ResearchResult.organisation_id == org.id)
        )
        if has_application and has_result:
            return org
    raise AssertionError("the demo has no organisation with a result and an application")


def test_the_export_holds_the_organisations_data_and_no_one_elses(app, db_session):
    seed_demo()
    db.session.flush()
    org = _busiest_organisation()
    runner = app.test_cli_runner()
    out = app.instance_path + f"/export-{org.id}.zip"
    result = runner.invoke(args=["export-organisation", str(org.id), "-o", out])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as archive:
        data = json.loads(archive.read("data.json"))
    assert [o["id"] for o in data["organisations"]] == [org.id]
    results = {r["id"] for r in data["research_results"]}
    expected = set(
        db.session.scalars(
            sa.select(ResearchResult.id).where(ResearchResult.organisation_id == org.id)
        )
    )
    assert results == expected  # all of its results, including details and drafts
    assert all(r["organisation_id"] == org.id for r in data["research_results"])
    assert all(n["organisation_id"] == org.id for n in data.get("technology_needs", []))
    own_apps = set(
        db.session.scalars(
            sa.select(FundApplication.id).where(FundApplication.organisation_id == org.id)
        )
    )
    assert own_apps <= {a["id"] for a in data["fund_applications"]}
    # Its proposals: each one has the organisation on one side.
    for match in data.get("matches", []):
        assert org.id in (match["source_org_id"], match["target_org_id"])
    assert len(data.get("matches", [])) == db.session.scalar(
        sa.select(sa.func.count(Match.id)).where(
            sa.or_(Match.source_org_id == org.id, Match.target_org_id == org.id)
        )
    )
    # Never: credentials, reviewers' identities and reviews, platform logs, other needs.
    text = json.dumps(data)
    assert "password" not in text and "token_hash" not in text
    for table in ("fund_review_assignments", "api_tokens", "user_sessions", "audit_events"):
        assert table not in data
    assert all(
        set(u) <= {"id", "email", "full_name", "locale", "created_at"} for u in data["users"]
    )
    others = set(
        db.session.scalars(
            sa.select(TechnologyNeed.id).where(TechnologyNeed.organisation_id != org.id)
        )
    )
    assert not others & {n["id"] for n in data.get("technology_needs", [])}


def test_an_unknown_organisation_is_a_clear_error(app, db_session):
    result = app.test_cli_runner().invoke(args=["export-organisation", "999999"])
    assert result.exit_code != 0
    assert "no organisation 999999" in result.output
