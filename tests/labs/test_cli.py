"""``flask labs release`` and ``flask labs report``."""

from __future__ import annotations

import datetime as dt

import openpyxl

from ecosystem.core.models import utcnow
from ecosystem.extensions import db
from ecosystem.labs.models import Booking, BookingState, Hold, UserKind


def test_release_and_report(cli, lab_world, make_equipment, tmp_path):
    item = make_equipment(lab_world["lab"])
    start = utcnow() - dt.timedelta(hours=2)
    booking = Booking(
        equipment=item,
        user_id=lab_world["booker"].id,
        organisation_id=lab_world["enterprise"].id,
        user_kind=UserKind.enterprise,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        state=BookingState.approved,
    )
    db.session.add(booking)
    db.session.flush()
    db.session.add(
        Hold(
            equipment_id=item.id,
            booking_id=booking.id,
            starts_at=booking.starts_at,
            ends_at=booking.ends_at,
        )
    )
    db.session.commit()
    result = cli("labs", "release")
    assert result.exit_code == 0 and "released 1, expired 0" in result.output
    assert cli("labs", "release").output.startswith("released 0")
    out = tmp_path / "report.xlsx"
    result = cli(
        "labs", "report", str(lab_world["lab"].id), "--quarter", "2026-Q4", "--out", str(out)
    )
    assert result.exit_code == 0, result.output
    summary = openpyxl.load_workbook(out).worksheets[0]
    assert summary["B4"].value == "Q4/2026"  # operators read English
    assert cli("labs", "report", "999999", "--out", str(out)).exit_code != 0
