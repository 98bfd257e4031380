"""Builders for the labs: a lab open every day (or given hours), equipment, bookings."""

from __future__ import annotations

import datetime as dt

import pytest

from ecosystem.core.formatting import LOCAL_TZ
from ecosystem.core.models import utcnow
from ecosystem.extensions import db
from ecosystem.labs.models import Equipment, FeeUnit, Lab
from ecosystem.registry.enums import OrgKind
from tests.api.conftest import make_token  # noqa: F401 (the API tests' token builder)

ALL_DAY = {str(d): [0, 1440] for d in range(7)}
OFFICE = {**{str(d): [450, 1020] for d in range(5)}, "5": [450, 690], "6": None}


def local(day: dt.date, hh: int, mm: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=LOCAL_TZ) + dt.timedelta(
        hours=hh, minutes=mm
    )


def next_weekday(weekday: int, weeks: int = 1) -> dt.date:
    """A date ``weeks`` weeks ahead that falls on ``weekday`` (Monday = 0), in Huế time."""
    today = utcnow().astimezone(LOCAL_TZ).date()
    return today + dt.timedelta(days=(weekday - today.weekday()) % 7 + 7 * weeks)


@pytest.fixture
def lab_world(make_org, make_member, make_user):
    operator = make_org("Trường Đại học Khoa học Huế", kind=OrgKind.university)
    enterprise = make_org("Công ty TNHH Thực phẩm Sông Hương", kind=OrgKind.enterprise)
    manager = make_member(operator, role="member", full_name="Trần Quản Lý")
    lab = Lab(
        organisation_id=operator.id,
        manager_id=manager.id,
        name_vi="Phòng thí nghiệm Công nghệ sinh học",
        name_en="Biotechnology laboratory",
        opening_hours=OFFICE,
        contact_email="ptn@hueuni.edu.vn",
    )
    db.session.add(lab)
    db.session.flush()
    booker = make_member(enterprise, full_name="Lê Doanh Nghiệp")
    return {
        "operator": operator,
        "enterprise": enterprise,
        "manager": manager,
        "lab": lab,
        "booker": booker,
        "orgless": make_user(full_name="Không Tổ Chức"),
    }


@pytest.fixture
def make_equipment(db_session):
    def _make(lab: Lab, **fields) -> Equipment:
        values = {
            "name_vi": "Máy PCR định lượng",
            "name_en": "Real-time PCR",
            "category": "Sinh học phân tử",
            "fee_unit": FeeUnit.hour,
            "cost_maintenance": 50_000,
            "cost_repair": 20_000,
            "cost_operation": 80_000,
            "cost_depreciation": 100_000,
            "min_minutes": 30,
            "max_minutes": 240,
            "approval_required": True,
        }
        values.update(fields)
        item = Equipment(lab=lab, **values)
        db.session.add(item)
        db.session.flush()
        return item

    return _make
