"""iCalendar feeds, read back with the real ``icalendar`` package: a user's bookings and a
piece of equipment's taken times (holders named only for managers); revoking ends a feed."""

from __future__ import annotations

import datetime as dt
import re

import icalendar
import sqlalchemy as sa

from ecosystem.core.formatting import LOCAL_TZ
from ecosystem.extensions import db
from ecosystem.labs import bookings as ops
from ecosystem.labs import catalogue
from ecosystem.labs.feeds import create_feed
from ecosystem.labs.models import DowntimeKind, FeedToken
from tests.auth_helpers import login
from tests.labs.conftest import local, next_weekday


def _parse(response) -> list:
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.data)
    return list(calendar.walk("VEVENT"))


def _book(lab_world, item, day, start, end):
    return ops.request_booking(
        item, lab_world["booker"], {"starts_at": local(day, start), "ends_at": local(day, end)}
    )


def test_the_users_feed_lists_their_bookings_in_utc(client, lab_world, make_equipment):
    item = make_equipment(lab_world["lab"])
    day = next_weekday(0)
    booking = _book(lab_world, item, day, 9, 11)
    ops.apply(booking, "approve", lab_world["manager"])
    cancelled = _book(lab_world, item, day, 13, 14)
    ops.apply(cancelled, "cancel", lab_world["booker"])
    _token, secret = create_feed(lab_world["booker"])
    (event,) = _parse(client.get(f"/labs/ical/{secret}.ics"))
    assert event["UID"] == f"lab-booking-{booking.id}@hue-ecosystem"
    start = event.decoded("DTSTART")
    assert start == local(day, 9) and start.astimezone(LOCAL_TZ).hour == 9
    assert event.decoded("DTEND") - start == dt.timedelta(hours=2)
    assert "Máy PCR định lượng" in str(event["SUMMARY"])
    assert str(event["STATUS"]) == "CONFIRMED"


def test_the_feed_page_shows_a_new_address_once_and_revoking_ends_it(
    client, lab_world, make_equipment
):
    item = make_equipment(lab_world["lab"])
    _book(lab_world, item, next_weekday(0), 9, 10)
    login(client, lab_world["booker"])
    client.post("/labs/feeds")
    page = client.get("/labs/feeds").get_data(as_text=True)
    url = re.search(r'value="(http[^"]+\.ics)"', page).group(1)
    path = url.split("localhost", 1)[1]
    assert len(_parse(client.get(path))) == 1
    assert 'value="http' not in client.get("/labs/feeds").get_data(as_text=True)  # shown once
    token = db.session.scalar(sa.select(FeedToken))
    client.post(f"/labs/feeds/{token.id}/revoke")
    assert client.get(path).status_code == 404
    assert client.get("/labs/ical/not-a-secret.ics").status_code == 404


def test_the_equipment_feed_names_holders_only_for_managers(client, lab_world, make_equipment):
    item = make_equipment(lab_world["lab"])
    day = next_weekday(0)
    _book(lab_world, item, day, 9, 10)
    catalogue.add_downtime(
        item,
        lab_world["manager"],
        kind=DowntimeKind.breakdown,
        starts_at=local(day, 12),
        ends_at=local(day, 17),
    )
    _t, public_secret = create_feed(lab_world["orgless"], item)
    _t, manager_secret = create_feed(lab_world["manager"], item)
    public = _parse(client.get(f"/labs/ical/{public_secret}.ics"))
    managers = _parse(client.get(f"/labs/ical/{manager_secret}.ics"))
    assert len(public) == len(managers) == 2
    summaries = [str(e["SUMMARY"]) for e in public]
    assert not any("Lê Doanh Nghiệp" in s for s in summaries)
    assert any(s.startswith("Ngừng phục vụ") for s in summaries)
    assert any("Lê Doanh Nghiệp" in str(e["SUMMARY"]) for e in managers)


def test_an_equipment_feed_from_its_page(client, lab_world, make_equipment):
    item = make_equipment(lab_world["lab"])
    login(client, lab_world["booker"])
    assert "Lịch iCalendar của thiết bị" in client.get(f"/labs/equipment/{item.id}").get_data(
        as_text=True
    )
    client.post("/labs/feeds", data={"equipment_id": str(item.id)})
    token = db.session.scalar(sa.select(FeedToken))
    assert token.equipment_id == item.id and token.user_id == lab_world["booker"].id
    assert "Máy PCR định lượng" in client.get("/labs/feeds").get_data(as_text=True)
