"""What a booking may serve: a fund award or a research result of the paying organisation.

The chain fund → award → lab use (and result → lab use) is visible in reports; a booking can
only name an award of a project its organisation runs (as applicant or partner) and a
result its organisation owns.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from ecosystem.core.errors import UserError
from ecosystem.extensions import db
from ecosystem.registry.models import ResearchResult
from ecosystem.workflow.models import ApplicationPartner, Award, FundApplication


def awards_of(org_ids: set[int]) -> list[Award]:
    partner = sa.select(ApplicationPartner.application_id).where(
        ApplicationPartner.organisation_id.in_(sorted(org_ids))
    )
    return list(
        db.session.scalars(
            sa.select(Award)
            .join(FundApplication, FundApplication.id == Award.application_id)
            .where(
                sa.or_(
                    FundApplication.organisation_id.in_(sorted(org_ids)),
                    FundApplication.id.in_(partner),
                )
            )
            .order_by(Award.signed_on.desc())
        )
    )


def results_of(org_ids: set[int]) -> list[ResearchResult]:
    return list(
        db.session.scalars(
            sa.select(ResearchResult)
            .where(ResearchResult.organisation_id.in_(sorted(org_ids)))
            .order_by(ResearchResult.title)
            .limit(200)
        )
    )


def check_links(organisation_id: int, data: dict[str, Any]) -> None:
    award_id, result_id = data.get("award_id"), data.get("result_id")
    if award_id is not None and award_id not in {a.id for a in awards_of({organisation_id})}:
        raise UserError(
            _("Hợp đồng tài trợ này không thuộc một dự án của tổ chức trả phí."), field="award_id"
        )
    if result_id is not None and result_id not in {r.id for r in results_of({organisation_id})}:
        raise UserError(_("Kết quả nghiên cứu này không thuộc tổ chức trả phí."), field="result_id")
