"""The labs in the API: public labs and equipment, own bookings, POST /bookings with the
same rules as the page, a 409 that says what holds the slot, naive times in Huế time."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from ecosystem.extensions import db
from ecosystem.labs import bookings as ops
from ecosystem.labs.models import Booking
from tests.api.conftest import bearer
from tests.labs.conftest import local, next_weekday


def _post(client, token, **body):
    return client.post("/api/v1/bookings", json=body, headers=bearer(token))


def test_public_labs_and_equipment_with_fee_basis(client, lab_world, make_equipment):
    item = make_equipment(lab_world["lab"], research_rate=200_000)
    labs = client.get("/api/v1/labs").get_json()
    assert labs["total"] == 1 and labs["items"][0]["opening_hours"]["6"] is None
    body = client.get(f"/api/v1/equipment/{item.id}").get_json()
    assert (body["unit_cost"], body["research_rate"], body["enterprise_rate"]) == (
        250_000,
        200_000,
        250_000,
    )
    assert body["cost_depreciation"] == 100_000 and body["fee_unit"] == "hour"
    assert client.get("/api/v1/equipment?lab=99999").get_json()["total"] == 0
    assert client.get("/api/v1/equipment/99999").status_code == 404


def test_post_a_booking_with_a_naive_time_is_hue_time(
    client, lab_world, make_equipment, make_token
):
    item = make_equipment(lab_world["lab"])
    token = make_token(lab_world["booker"])
    day = next_weekday(0)
    response = _post(
        client,
        token,
        equipment_id=item.id,
        starts_at=f"{day.isoformat()}T09:00",
        ends_at=f"{day.isoformat()}T11:00+07:00",
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["state"] == "requested"
    assert body["starts_at"] == f"{day.isoformat()}T02:00:00Z"  # 09:00 in Huế is 02:00 UTC
    assert client.get("/api/v1/bookings", headers=bearer(token)).get_json()["total"] == 1
    assert client.get(f"/api/v1/bookings/{body['id']}", headers=bearer(token)).status_code == 200


def test_a_taken_slot_is_409_with_what_holds_it(
    client, lab_world, make_equipment, make_token, make_member
):
    item = make_equipment(lab_world["lab"])
    day = next_weekday(0)
    first = ops.request_booking(
        item, lab_world["booker"], {"starts_at": local(day, 9), "ends_at": local(day, 11)}
    )
    outsider = make_member(lab_world["operator"], full_name="Người Ngoài")
    token = make_token(outsider)
    response = _post(
        client,
        token,
        equipment_id=item.id,
        starts_at=f"{day.isoformat()}T10:00:00+07:00",
        ends_at=f"{day.isoformat()}T12:00:00+07:00",
    )
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["clash"] == {
        "kind": "booking",
        "id": first.id,
        "state": "requested",
        "starts_at": f"{day.isoformat()}T02:00:00Z",
        "ends_at": f"{day.isoformat()}T04:00:00Z",
    }
    assert "Lê Doanh Nghiệp" not in response.get_data(as_text=True)
    assert lab_world["booker"].email not in response.get_data(as_text=True)
    # Someone else's booking is not readable through the number the clash gave.
    assert client.get(f"/api/v1/bookings/{first.id}", headers=bearer(token)).status_code == 404


def test_bad_bookings_are_422_in_the_callers_language(
    client, lab_world, make_equipment, make_token
):
    item = make_equipment(lab_world["lab"], training_required=True)
    token = make_token(lab_world["booker"])
    day = next_weekday(0).isoformat()
    english = {**bearer(token), "Accept-Language": "en"}
    cases = [
        (
            {"equipment_id": item.id, "starts_at": "tomorrow", "ends_at": f"{day}T10:00"},
            "starts_at",
        ),
        (
            {"equipment_id": item.id, "starts_at": f"{day}T10:00", "ends_at": f"{day}T09:00"},
            "ends_at",
        ),
        (
            {
                "equipment_id": item.id,
                "starts_at": "2020-01-06T09:00",
                "ends_at": "2020-01-06T10:00",
            },
            "starts_at",
        ),
        (
            {"equipment_id": item.id, "starts_at": f"{day}T09:00", "ends_at": f"{day}T10:00"},
            "equipment_id",
        ),
        (
            {"equipment_id": "1", "starts_at": f"{day}T09:00", "ends_at": f"{day}T10:00"},
            "equipment_id",
        ),
        (
            {
                "equipment_id": item.id,
                "starts_at": f"{day}T09:00",
                "ends_at": f"{day}T10:00",
                "samples": -1,
            },
            "samples",
        ),
    ]
    for body, field in cases:
        response = client.post("/api/v1/bookings", json=body, headers=english)
        assert response.status_code == 422, (body, response.get_json())
        assert field in response.get_json()["error"]["fields"], response.get_json()
    training = client.post("/api/v1/bookings", json=cases[3][0], headers=english).get_json()
    assert "trained" in training["error"]["message"]
    assert client.post("/api/v1/bookings", data="[]", headers=english).status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(Booking.id))) == 0


def test_booking_needs_a_write_token(client, lab_world, make_equipment, make_token):
    item = make_equipment(lab_world["lab"])
    body = {"equipment_id": item.id, "starts_at": "2030-01-07T09:00", "ends_at": "2030-01-07T10:00"}
    assert client.post("/api/v1/bookings", json=body).status_code == 401
    read_only = make_token(lab_world["booker"], can_write=False)
    assert _post(client, read_only, **body).status_code == 403
    assert client.get("/api/v1/bookings").status_code == 401


def test_the_openapi_document_describes_the_labs(client):
    document = client.get("/api/v1/openapi.json").get_json()
    post = document["paths"]["/api/v1/bookings"]["post"]
    assert "409" in post["responses"] and "Asia/Ho_Chi_Minh" in post["description"]
    assert {"/api/v1/labs", "/api/v1/equipment/{item_id}"} <= set(document["paths"])
    assert dt.datetime  # datetimes are documented as UTC in the info


def test_an_award_of_another_organisation_is_refused(client, lab_world, make_equipment, make_token):
    item = make_equipment(lab_world["lab"])
    day = next_weekday(0).isoformat()
    response = _post(
        client,
        make_token(lab_world["booker"]),
        equipment_id=item.id,
        award_id=4242,
        starts_at=f"{day}T09:00",
        ends_at=f"{day}T10:00",
    )
    assert response.status_code == 422 and "award_id" in response.get_json()["error"]["fields"]
