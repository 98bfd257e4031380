"""Disclosures (public): the equipment list with its fee basis, the quarterly usage-
efficiency report; and monthly statements (the lab's managers; a paying organisation's
members for their own)."""

from __future__ import annotations

from flask import g, render_template, request
from flask_babel import get_locale

from ecosystem.core.permissions import login_required, require
from ecosystem.labs import permissions as perms
from ecosystem.labs import queries, reports
from ecosystem.labs.blueprint import bp, lab_or_404
from ecosystem.labs.calendars import today
from ecosystem.registry.spreadsheets import download, table_download, workbook_bytes


@bp.get("/disclosures")
def disclosures():
    items = queries.published_equipment()
    period = reports.parse_quarter(request.args.get("quarter"), today())
    uses = reports.utilisation(items, period)
    return render_template(
        "labs/disclosures.html",
        items=items,
        period=period,
        uses=uses,
        by_lab=reports.by_lab(uses),
        locale=str(get_locale()),
    )


@bp.get("/disclosures/equipment.<any(csv, xlsx):fmt>")
def disclosures_export(fmt: str):
    header, rows = reports.equipment_list_table(queries.published_equipment())
    return table_download(header, rows, fmt, "danh-muc-thiet-bi-dung-chung")


@bp.get("/<int:lab_id>/reports")
def reports_page(lab_id: int):
    lab = lab_or_404(lab_id)
    period = reports.parse_quarter(request.args.get("quarter"), today())
    items = list(lab.equipment)
    return render_template(
        "labs/report.html",
        lab=lab,
        period=period,
        quarter=request.args.get("quarter", ""),
        uses=reports.utilisation(items, period),
        kinds=reports.users_by_kind(items, period),
        locale=str(get_locale()),
        can_manage=perms.can_manage_lab(g.user, lab),
        today=today(),
    )


@bp.get("/<int:lab_id>/reports.xlsx")
def reports_xlsx(lab_id: int):
    lab = lab_or_404(lab_id)
    period = reports.parse_quarter(request.args.get("quarter"), today())
    name = (
        f"bao-cao-hieu-qua-{lab.id}-{period.first.year}-q{(period.first.month - 1) // 3 + 1}.xlsx"
    )
    return download(workbook_bytes(reports.efficiency_sheets(lab, period)), "xlsx", name)


@bp.get("/<int:lab_id>/statements")
@login_required
def statements(lab_id: int):
    lab = lab_or_404(lab_id)
    require(perms.can_manage_lab(g.user, lab))
    period = reports.parse_month(request.args.get("month"), today())
    return render_template(
        "labs/statements.html",
        lab=lab,
        period=period,
        statements=reports.statements(period, lab=lab),
        locale=str(get_locale()),
    )


@bp.get("/statements")
@login_required
def my_statements():
    period = reports.parse_month(request.args.get("month"), today())
    return render_template(
        "labs/statements.html",
        lab=None,
        period=period,
        statements=reports.statements(period, organisation_ids=g.user.active_org_ids),
        locale=str(get_locale()),
    )
