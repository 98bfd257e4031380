"""Managing a lab: creating it with its opening hours, downtime that cancels open bookings,
the week and month calendars of a lab, the waitlist from the equipment page."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from ecosystem.core.notifications import Notification
from ecosystem.extensions import db
from ecosystem.labs import bookings as ops
from ecosystem.labs import catalogue
from ecosystem.labs.models import BookingState, DowntimeKind, Lab, WaitlistEntry
from tests.auth_helpers import login
from tests.conftest import html_text
from tests.labs.conftest import local, next_weekday
from tests.labs.test_lifecycle import _booking


def test_a_lab_manager_creates_a_lab_with_its_hours(
    client, make_platform_user, make_org, make_member
):
    operator = make_org("Trung tâm Kiểm định Huế")
    manager = make_member(operator, role="admin", user=make_platform_user("lab_manager"))
    login(client, manager)
    data = {
        "organisation_id": str(operator.id),
        "name_vi": "Phòng đo lường",
        "hours_0": "07:30-17:00",
        "hours_5": "08:00-24:00",
        "hours_6": "",
        "is_published": "y",
    }
    response = client.post("/labs/new", data={**data, "hours_1": "17:00-08:00"})
    assert response.status_code == 422 and "Giờ mở cửa không hợp lệ" in html_text(response)
    assert db.session.scalar(sa.select(sa.func.count(Lab.id))) == 0
    response = client.post("/labs/new", data=data)
    assert response.status_code == 302
    lab = db.session.scalar(sa.select(Lab))
    assert lab.opening_hours["0"] == [450, 1020] and lab.opening_hours["5"] == [480, 1440]
    assert lab.opening_hours["6"] is None
    page = html_text(client.get(f"/labs/{lab.id}"))
    assert "07:30-17:00" in page and "Đóng cửa" in page


def test_a_lab_of_another_organisation_cannot_be_created(client, make_platform_user, make_org):
    other = make_org()
    login(client, make_platform_user("lab_manager"))
    response = client.post("/labs/new", data={"organisation_id": str(other.id), "name_vi": "X"})
    assert response.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(Lab.id))) == 0


def test_downtime_cancels_open_bookings_and_tells_them(lab_world, make_equipment):
    item = make_equipment(lab_world["lab"])
    day = next_weekday(0)
    booking = ops.request_booking(
        item, lab_world["booker"], {"starts_at": local(day, 9), "ends_at": local(day, 10)}
    )
    catalogue.add_downtime(
        item,
        lab_world["manager"],
        kind=DowntimeKind.breakdown,
        starts_at=local(day, 8),
        ends_at=local(day, 12),
    )
    assert booking.state is BookingState.cancelled and "ngừng phục vụ" in booking.reason
    notice = db.session.scalar(
        sa.select(Notification).where(Notification.user_id == lab_world["booker"].id)
    )
    assert notice.key == "labs.cancel"


def test_lab_week_and_month_calendars(client, lab_world, make_equipment):
    lab = lab_world["lab"]
    pcr = make_equipment(lab)
    hplc = make_equipment(lab, name_vi="Máy HPLC")
    day = next_weekday(0)
    ops.request_booking(
        pcr, lab_world["booker"], {"starts_at": local(day, 9), "ends_at": local(day, 10)}
    )
    ops.request_booking(
        hplc, lab_world["booker"], {"starts_at": local(day, 13), "ends_at": local(day, 14)}
    )
    week = html_text(client.get(f"/labs/{lab.id}/calendar?week={day.isoformat()}"))
    assert "Máy HPLC" in week and "Máy PCR định lượng" in week
    assert f"{day:%d/%m/%Y} 09:00" in week and "Lê Doanh Nghiệp" not in week
    month = html_text(client.get(f"/labs/{lab.id}/calendar?view=month&month={day:%Y-%m}"))
    assert f"Tháng {day:%m/%Y}" in month and f"{day:%d/%m/%Y} 13:00" in month
    # Garbage in the query string falls back to this week, never an error.
    assert client.get(f"/labs/{lab.id}/calendar?week=garbage").status_code == 200
    assert client.get(f"/labs/{lab.id}/calendar?view=month&month=2026-13").status_code == 200


def test_waitlist_from_the_equipment_page(client, lab_world, make_equipment, make_member):
    item = make_equipment(lab_world["lab"])
    day = next_weekday(0)
    booking = ops.request_booking(
        item, lab_world["booker"], {"starts_at": local(day, 9), "ends_at": local(day, 11)}
    )
    waiting = make_member(lab_world["operator"])
    login(client, waiting)
    form = {"start_date": day.strftime("%d/%m/%Y"), "start_time": "10:00", "end_time": "11:00"}
    assert client.post(f"/labs/equipment/{item.id}/waitlist", data=form).status_code == 302
    entry = db.session.scalar(sa.select(WaitlistEntry))
    assert entry.user_id == waiting.id and entry.starts_at == local(day, 10)
    ops.apply(booking, "cancel", lab_world["booker"])
    db.session.refresh(entry)
    assert entry.offered_at is not None
    page = html_text(client.get("/notifications"))
    assert "vừa trống" in page
    assert dt.timedelta(0) <= entry.offered_at - entry.created_at


def test_check_in_and_out_from_the_managers_page(client, lab_world, make_equipment):

    booking = _booking(lab_world, make_equipment(lab_world["lab"]), BookingState.approved)
    login(client, lab_world["manager"])
    manage = f"/labs/{lab_world['lab'].id}/manage"
    assert "Nhận thiết bị (bắt đầu sử dụng)" in html_text(client.get(manage))
    response = client.post(
        f"/labs/bookings/{booking.id}/state", data={"action": "check_in", "next": manage}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(manage)
    client.post(f"/labs/bookings/{booking.id}/state", data={"action": "check_out", "next": manage})
    db.session.refresh(booking)
    assert booking.state is BookingState.completed and booking.usage.amount > 0
    # A redirect elsewhere than the labs' pages is not followed.
    response = client.post(
        f"/labs/bookings/{booking.id}/state", data={"action": "x", "next": "https://evil.example"}
    )
    assert response.headers["Location"].endswith(f"/labs/bookings/{booking.id}")
