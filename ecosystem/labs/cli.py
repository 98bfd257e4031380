"""Operator commands for the shared labs: ``flask labs release|report``.

``release`` runs the scheduled release of bookings nobody checked in (for a set-up without
Celery beat); ``report`` writes a lab's quarterly usage-efficiency report to an .xlsx file,
the same workbook as the report page's download.
"""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ecosystem.core.models import MAX_ID
from ecosystem.core.operator import operator_locale, operator_transaction
from ecosystem.extensions import db
from ecosystem.labs import reports
from ecosystem.labs.calendars import today
from ecosystem.labs.models import Lab
from ecosystem.labs.release import release_unclaimed
from ecosystem.registry.spreadsheets import workbook_bytes

labs_group = AppGroup("labs", help="The shared labs: releases and usage reports.")


@labs_group.command("release")
def release_command() -> None:
    """Release the bookings not checked in within the grace time (idempotent)."""
    with operator_transaction():
        counts = release_unclaimed()
    click.echo(f"released {counts['released']}, expired {counts['expired']}")


@labs_group.command("report")
@click.argument("lab_id", type=int)
@click.option("--quarter", default="", help="YYYY-Qn, e.g. 2026-Q4 (default: this quarter).")
@click.option("--out", "path", required=True, type=click.Path(dir_okay=False, writable=True))
def report_command(lab_id: int, quarter: str, path: str) -> None:
    """Write a lab's quarterly usage-efficiency report (.xlsx)."""

    lab = db.session.get(Lab, lab_id) if 0 < lab_id <= MAX_ID else None
    if lab is None:
        raise click.ClickException(f"no lab {lab_id}")
    with operator_locale():
        period = reports.parse_quarter(quarter or None, today())
        body = workbook_bytes(reports.efficiency_sheets(lab, period))
    with open(path, "wb") as handle:
        handle.write(body)
    click.echo(f"{lab.name_vi}: {period.label} written to {path}")
