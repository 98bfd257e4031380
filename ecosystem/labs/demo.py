"""Demo data for the shared labs: four labs of Hue University and the city with 22 pieces of
equipment, their managers, authorisations, downtime, and a quarter of bookings in every
state, so that calendars, utilisation, statements and the disclosure report show real
figures.

Labs and equipment come from the registry's seed (registry/seed/labs.json) plus a materials
lab of the University of Sciences. Bookings to come go through the real operation and
transitions; the past quarter's history (which the rules rightly refuse to book now) is
written as the same rows those transitions leave: booking, hold, usage record with its fee.
Idempotent: nothing is created when a lab exists.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from importlib import resources
from typing import Any

import sqlalchemy as sa

from ecosystem.auth.models import MembershipStatus, OrgMembership, OrgRole, User
from ecosystem.auth.operations import email_key
from ecosystem.auth.seed import demo_password_hash, demo_user
from ecosystem.core.formatting import LOCAL_TZ
from ecosystem.core.models import utcnow
from ecosystem.extensions import db
from ecosystem.labs import bookings as ops
from ecosystem.labs import catalogue
from ecosystem.labs.models import (
    Booking,
    BookingState,
    DowntimeKind,
    Equipment,
    FeeUnit,
    Hold,
    Lab,
    UsageRecord,
    UserKind,
)
from ecosystem.labs.rules import user_kind_of
from ecosystem.registry.demo import org_ids_by_key
from ecosystem.registry.models import Organisation, ResearchField, ResearchResult

WEEKDAYS_8_17 = {**{str(d): [450, 1020] for d in range(5)}, "5": [450, 690], "6": None}
FABLAB_HOURS = {str(d): [480, 1260] for d in range(7)}  # every day 08:00–21:00
ALWAYS = {str(d): [0, 1440] for d in range(7)}  # incubators and chambers run overnight

LAB_SETTINGS = {
    "phong-thi-nghiem-phan-tich-dung-chung": {
        "field": "food-technology",
        "hours": WEEKDAYS_8_17,
        "address": "25 Lý Thường Kiệt, phường Thuận Hóa, thành phố Huế",
        "manager": ("phongthinghiem@hue-innovation.local", None),
        "per_sample": {"aas-kim-loai-nang": 180_000, "bo-do-bod-cod": 90_000},
    },
    "fablab-hue": {
        "field": None,
        "hours": FABLAB_HOURS,
        "address": "Trung tâm Hỗ trợ Khởi nghiệp, 07 Đống Đa, thành phố Huế",
        "manager": ("fablab@hue-innovation.local", "ThS. Nguyễn Văn Xưởng"),
        "per_sample": {},
    },
    "phong-thi-nghiem-sinh-hoc-phan-tu": {
        "field": "biotechnology",
        "hours": WEEKDAYS_8_17,
        "address": "Viện Công nghệ sinh học, Đại học Huế, Phú Vang, thành phố Huế",
        "manager": ("ptn.sinhhoc@hue-innovation.local", "TS. Hoàng Thị Sinh Học"),
        "per_sample": {},
    },
}
MATERIALS_LAB = {
    "key": "phong-thi-nghiem-vat-lieu",
    "org_key": "husc",
    "name_vi": "Phòng thí nghiệm Vật liệu và Linh kiện nano dùng chung",
    "name_en": "Shared Laboratory for Materials and Nano-devices",
    "description": "Đo đạc cấu trúc và tính chất vật liệu cho các nhóm nghiên cứu và doanh nghiệp "
    "gốm sứ, vật liệu xây dựng, chế biến gỗ.",
    "equipment": [
        {
            "key": "xrd",
            "name_vi": "Máy nhiễu xạ tia X (XRD)",
            "name_en": "X-ray diffractometer (XRD)",
            "fee_per_hour": 600_000,
            "training_required": True,
        },
        {
            "key": "sem-eds",
            "name_vi": "Kính hiển vi điện tử quét SEM-EDS",
            "name_en": "Scanning electron microscope with EDS",
            "fee_per_hour": 1_200_000,
            "training_required": True,
        },
        {
            "key": "ftir",
            "name_vi": "Máy quang phổ hồng ngoại FTIR",
            "name_en": "FTIR spectrometer",
            "fee_per_hour": 250_000,
            "training_required": False,
        },
        {
            "key": "uv-vis",
            "name_vi": "Máy quang phổ UV-Vis",
            "name_en": "UV-Vis spectrophotometer",
            "fee_per_hour": 100_000,
            "training_required": False,
        },
        {
            "key": "lo-nung-1600",
            "name_vi": "Lò nung nhiệt độ cao 1600 °C",
            "name_en": "1600 °C high-temperature furnace",
            "fee_per_hour": 90_000,
            "training_required": True,
        },
        {
            "key": "may-do-ben-keo",
            "name_vi": "Máy đo độ bền kéo nén vạn năng",
            "name_en": "Universal tensile and compression tester",
            "fee_per_hour": 180_000,
            "training_required": True,
        },
        {
            "key": "tu-say-chan-khong",
            "name_vi": "Tủ sấy chân không",
            "name_en": "Vacuum drying oven",
            "fee_per_hour": 30_000,
            "training_required": False,
        },
    ],
}
MATERIALS_SETTINGS = {
    "field": None,
    "hours": WEEKDAYS_8_17,
    "address": "77 Nguyễn Huệ, phường Thuận Hóa, thành phố Huế",
    "manager": ("ptn.vatlieu@hue-innovation.local", "PGS.TS. Phan Văn Vật Liệu"),
    "per_sample": {},
}
CATEGORIES = {
    "phong-thi-nghiem-phan-tich-dung-chung": "Phân tích hóa lý, an toàn thực phẩm",
    "fablab-hue": "Chế tạo số, làm mẫu nhanh",
    "phong-thi-nghiem-sinh-hoc-phan-tu": "Sinh học phân tử",
    "phong-thi-nghiem-vat-lieu": "Phân tích vật liệu",
}
MODELS = {
    "hplc-pda-shimadzu": "Shimadzu LC-2030C 3D Plus",
    "gc-ms": "Agilent 8890 / 5977B",
    "aas-kim-loai-nang": "PerkinElmer PinAAcle 900T",
    "real-time-pcr": "Bio-Rad CFX96 Touch",
    "may-ly-tam-lanh": "Eppendorf 5430 R",
    "may-doc-elisa": "BioTek Epoch 2",
    "xrd": "Bruker D8 Advance",
    "sem-eds": "JEOL JSM-IT200",
    "ftir": "Thermo Nicolet iS20",
    "uv-vis": "Shimadzu UV-1900i",
    "may-in-3d-fdm": "Creality K1 Max",
    "may-cat-laser-co2": "Laser CO2 1390",
}
# Who books: the demo accounts of an enterprise, a startup and a university.
BOOKERS = (
    "doanhnghiep@hue-innovation.local",
    "khoinghiep@hue-innovation.local",
    "nhakhoahoc@hue-innovation.local",
)


def _seed_labs() -> list[dict[str, Any]]:
    text = resources.files("ecosystem.registry").joinpath("seed/labs.json").read_text("utf-8")
    return [*json.loads(text), MATERIALS_LAB]


def _settings(key: str) -> dict[str, Any]:
    return LAB_SETTINGS.get(key, MATERIALS_SETTINGS)


def _costs(total: int) -> dict[str, int]:
    """The Law's four parts of the actual cost, in whole thousands of đồng."""
    maintenance = round(total * 0.2, -3)
    repair = round(total * 0.1, -3)
    depreciation = round(total * 0.3, -3)
    return {
        "cost_maintenance": int(maintenance),
        "cost_repair": int(repair),
        "cost_depreciation": int(depreciation),
        "cost_operation": int(total - maintenance - repair - depreciation),
    }


def _manager(email: str, name: str | None, org_id: int) -> User:
    user = db.session.scalar(sa.select(User).where(User.email_key == email_key(email)))
    if user is None:
        user = demo_user(email, name or email, ["lab_manager"], demo_password_hash())
    if not db.session.scalar(
        sa.select(OrgMembership.id).where(
            OrgMembership.user_id == user.id, OrgMembership.organisation_id == org_id
        )
    ):
        db.session.add(
            OrgMembership(
                user_id=user.id,
                organisation_id=org_id,
                role=OrgRole.admin,
                status=MembershipStatus.active,
            )
        )
    db.session.flush()
    db.session.refresh(user)
    return user


def _field(code: str | None) -> str | None:

    return code if code and db.session.get(ResearchField, code) else None


def _labs(orgs: dict[str, int]) -> list[Lab]:
    labs = []
    for row in _seed_labs():
        settings = _settings(row["key"])
        if row["org_key"] not in orgs:
            continue
        org_id = orgs[row["org_key"]]
        manager = _manager(*settings["manager"], org_id)
        lab = catalogue.save_lab(
            None,
            {
                "organisation_id": org_id,
                "name_vi": row["name_vi"],
                "name_en": row["name_en"],
                "field_code": _field(settings["field"]),
                "address": settings["address"],
                "opening_hours": settings["hours"],
                "rules_vi": row["description"]
                + "\nĐặt lịch trước; hủy muộn dưới 24 giờ hoặc vắng mặt được ghi nhận.",
                "rules_en": "Book ahead; late cancellations (under 24 hours) and no-shows are recorded.",
                "contact_email": manager.email,
                "manager_id": manager.id,
            },
            manager,
        )
        for i, item in enumerate(row["equipment"]):
            per_sample = settings["per_sample"].get(item["key"])
            total = per_sample or item["fee_per_hour"]
            costs = _costs(total)
            catalogue.save_equipment(
                None,
                lab,
                {
                    "name_vi": item["name_vi"],
                    "name_en": item["name_en"],
                    "category": CATEGORIES.get(row["key"], ""),
                    "field_code": lab.field_code,
                    "model": MODELS.get(item["key"], ""),
                    "specifications": item["name_en"],
                    "location": f"Phòng {101 + i}",
                    "fee_unit": FeeUnit.sample if per_sample else FeeUnit.hour,
                    **costs,
                    # Research users pay 80% of cost where the operator chose to.
                    "research_rate": int(round(total * 0.8, -3)) if i % 2 == 0 else None,
                    "enterprise_rate": None,
                    "training_required": item["training_required"],
                    "approval_required": i % 3 != 2,
                    "min_minutes": 30,
                    "max_minutes": 720 if settings["hours"] is ALWAYS else 480,
                    "lead_hours": 2 if item["training_required"] else 0,
                },
                manager,
            )
        labs.append(lab)
    return labs


def _bookers() -> list[tuple[User, Organisation]]:
    out = []
    for email in BOOKERS:
        user = db.session.scalar(sa.select(User).where(User.email_key == email_key(email)))
        if user is None or not user.active_org_ids:
            continue
        out.append((user, db.session.get(Organisation, sorted(user.active_org_ids)[0])))
    return out


def _local(day: dt.date, minutes: int) -> dt.datetime:
    moment = dt.datetime.combine(day, dt.time(0), tzinfo=LOCAL_TZ) + dt.timedelta(minutes=minutes)
    return moment.astimezone(dt.UTC)


def _past_booking(item: Equipment, user: User, org: Organisation, start, end, state, rng):
    booking = Booking(
        equipment=item,
        user_id=user.id,
        organisation_id=org.id,
        user_kind=UserKind(user_kind_of(org.kind)),
        starts_at=start,
        ends_at=end,
        samples=rng.randint(2, 12) if item.fee_unit is FeeUnit.sample else 0,
        purpose="Phân tích mẫu cho đề tài"
        if org.kind.value == "university"
        else "Kiểm nghiệm sản phẩm",
        state=state,
        decided_at=start - dt.timedelta(days=2),
        decided_by_id=item.lab.manager_id,
    )
    db.session.add(booking)
    db.session.flush()
    if state is BookingState.completed:
        db.session.add(
            Hold(equipment_id=item.id, booking_id=booking.id, starts_at=start, ends_at=end)
        )
        used_end = end - dt.timedelta(minutes=rng.choice([0, 0, 15, 30]))
        usage = UsageRecord(
            booking=booking,
            equipment_id=item.id,
            organisation_id=org.id,
            user_kind=booking.user_kind,
            started_at=start + dt.timedelta(minutes=rng.choice([0, 5, 10])),
            ended_at=used_end,
            samples=booking.samples,
            fee_unit=item.fee_unit,
            unit_rate=item.rate_for(booking.user_kind),
            unit_cost=item.unit_cost,
        )
        usage.units = ops.usage_units(usage)
        usage.amount = round(usage.unit_rate * usage.units)
        usage.cost_amount = round(usage.unit_cost * usage.units)
        db.session.add(usage)
    elif state is BookingState.cancelled:
        booking.cancelled_at = start - dt.timedelta(hours=rng.choice([3, 30, 72]))
        booking.late_cancellation = start - booking.cancelled_at < dt.timedelta(hours=24)
    elif state is BookingState.rejected:
        booking.reason = "Thiết bị đang hiệu chuẩn định kỳ."
    return booking


PAST_STATES = [BookingState.completed] * 14 + [
    BookingState.no_show,
    BookingState.cancelled,
    BookingState.cancelled,
    BookingState.rejected,
]


def _history(labs: list[Lab], bookers, today: dt.date, rng: random.Random) -> int:
    """Up to two uses a day (morning, afternoon) of each piece of equipment, over 92 days."""
    created = 0
    for lab in labs:
        for item in lab.equipment:
            busy = 0.35 + 0.1 * (item.id % 4)  # some equipment is in more demand
            for back in range(92, 0, -1):
                day = today - dt.timedelta(days=back)
                hours = (lab.opening_hours or {}).get(str(day.weekday()))
                if not hours:
                    continue
                middle = (hours[0] + hours[1]) // 2 // 30 * 30
                for low, high in ((hours[0], middle), (middle, hours[1])):
                    if rng.random() > busy or high - low < 60:
                        continue
                    length = rng.choice([60, 120, 180, 240, 240])
                    length = min(length, (high - low) // 30 * 30)
                    start_minute = low + 30 * rng.randint(0, (high - low - length) // 30)
                    user, org = rng.choice(bookers)
                    _past_booking(
                        item,
                        user,
                        org,
                        _local(day, start_minute),
                        _local(day, start_minute + length),
                        rng.choice(PAST_STATES),
                        rng,
                    )
                    created += 1
    return created


def _future(labs: list[Lab], bookers, today: dt.date, rng: random.Random) -> int:
    """Requests and approvals of the next two weeks, through the real operation."""
    created = 0
    for lab in labs:
        for item in lab.equipment[:4]:
            for ahead in (2, 5, 9, 12):
                day = today + dt.timedelta(days=ahead)
                hours = (lab.opening_hours or {}).get(str(day.weekday()))
                if not hours:
                    continue
                user, org = bookers[(item.id + ahead) % len(bookers)]
                start = _local(day, hours[0] + 60)
                data = {
                    "starts_at": start,
                    "ends_at": start + dt.timedelta(hours=2),
                    "samples": 4 if item.fee_unit is FeeUnit.sample else 0,
                    "purpose": "Thử nghiệm mẫu sản phẩm mới",
                }
                try:
                    with db.session.begin_nested():
                        booking = ops.request_booking(item, user, data)
                        if ahead in (2, 9) and booking.state is BookingState.requested:
                            ops.apply(booking, "approve", lab.manager)
                    created += 1
                except Exception:
                    continue
    return created


def _in_use(labs: list[Lab], bookers) -> int:
    """One booking checked in right now: the manager's page shows equipment in use."""
    item = labs[0].equipment[1]
    user, org = bookers[0]
    now = utcnow().replace(second=0, microsecond=0)
    start, end = now - dt.timedelta(minutes=30), now + dt.timedelta(minutes=90)
    if ops.rules.clashing_hold(item.id, start, end) is not None:
        return 0
    booking = _past_booking(item, user, org, start, end, BookingState.approved, random.Random(1))
    db.session.add(Hold(equipment_id=item.id, booking_id=booking.id, starts_at=start, ends_at=end))
    db.session.flush()
    ops.apply(booking, "check_in", item.lab.manager, _at=start + dt.timedelta(minutes=3))
    return 1


def _authorise(labs: list[Lab], bookers, today: dt.date) -> int:
    count = 0
    for lab in labs:
        for item in lab.equipment:
            if not item.training_required:
                continue
            for i, (user, _org) in enumerate(bookers):
                # One lapsed authorisation per lab shows what an expired one looks like.
                expires = (
                    today - dt.timedelta(days=10)
                    if (i == 2 and item is lab.equipment[0])
                    else today + dt.timedelta(days=365)
                )
                grant = catalogue.grant_authorisation(
                    item, user, lab.manager, expires_on=max(expires, today)
                )
                grant.expires_on = expires
                count += 1
    return count


def _downtime(labs: list[Lab], today: dt.date) -> None:
    for n, lab in enumerate(labs):
        item = lab.equipment[-1]
        day = today + dt.timedelta(days=3 + n)
        catalogue.add_downtime(
            item,
            lab.manager,
            kind=DowntimeKind.maintenance if n % 2 == 0 else DowntimeKind.breakdown,
            starts_at=_local(day, 0),
            ends_at=_local(day + dt.timedelta(days=1), 0),
            note="Bảo trì định kỳ theo khuyến cáo của hãng" if n % 2 == 0 else "Chờ thay linh kiện",
        )


def _links(labs: list[Lab]) -> None:
    """A few bookings serve a fund award or a research result: the chain is visible."""
    awards = sa.table("fund_awards", sa.column("id"))
    award_id = db.session.scalar(sa.select(awards.c.id).limit(1))
    result_id = db.session.scalar(sa.select(ResearchResult.id).limit(1))
    done = db.session.scalars(
        sa.select(Booking).where(Booking.state == BookingState.completed).limit(6)
    ).all()
    for i, booking in enumerate(done):
        if i % 2 == 0 and award_id:
            booking.award_id = award_id
        elif result_id:
            booking.result_id = result_id


def seed_labs() -> int:
    if db.session.scalar(sa.select(Lab.id).limit(1)) is not None:
        return 0
    orgs = org_ids_by_key()
    labs = _labs(orgs)
    bookers = _bookers()
    if not labs or not bookers:
        return len(labs)
    today = utcnow().astimezone(LOCAL_TZ).date()
    rng = random.Random(57)
    for lab in labs:
        db.session.refresh(lab)
    count = _authorise(labs, bookers, today)
    count += _history(labs, bookers, today, rng)
    _downtime(labs, today)
    count += _future(labs, bookers, today, rng)
    count += _in_use(labs, bookers)
    _links(labs)
    db.session.flush()
    return len(labs) + sum(len(lab.equipment) for lab in labs) + count
