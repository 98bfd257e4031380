"""Twenty people asking for overlapping slots of one piece of equipment at the same moment:
exactly one gets it, the nineteen others the clash message, and the database holds one
booking. Real concurrent requests against a separate application that commits: on
PostgreSQL (DATABASE_URL set) the exclusion constraint decides, on SQLite the serialised
path (BEGIN IMMEDIATE, then check and insert) and the trigger do."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from ecosystem.api.tokens import create_token
from ecosystem.auth.models import User
from ecosystem.extensions import db
from ecosystem.labs.models import Booking, Equipment, Hold, Lab
from ecosystem.registry.enums import OrgKind
from tests.auth.support import separate_app
from tests.labs.conftest import ALL_DAY
from tests.races import add_org, add_user, race, signed_in_clients

N = 20


def _world() -> int:
    operator = add_org("Viện Công nghệ sinh học Huế", kind="university")
    assert operator.kind is OrgKind.university
    company = add_org("Công ty Cổ phần Thực phẩm Huế")
    for i in range(N):
        add_user(f"booker{i}@example.vn", org=company)
    lab = Lab(organisation_id=operator.id, name_vi="PTN", opening_hours=ALL_DAY)
    item = Equipment(
        lab=lab, name_vi="Máy HPLC", cost_operation=100_000, max_minutes=600, approval_required=True
    )
    db.session.add_all([lab, item])
    db.session.commit()
    return item.id


def _form(i: int, day: dt.date) -> dict[str, str]:
    # Every request overlaps every other: 09:00 + i minutes for two hours.
    start = 9 * 60 + i
    end = start + 120
    return {
        "start_date": day.strftime("%d/%m/%Y"),
        "start_time": f"{start // 60:02d}:{start % 60:02d}",
        "end_time": f"{end // 60:02d}:{end % 60:02d}",
    }


def test_twenty_overlapping_requests_one_wins(tmp_path):
    with separate_app(tmp_path) as application:
        with application.app_context():
            equipment_id = _world()
        clients = []
        for i in range(N):
            clients += signed_in_clients(application, f"booker{i}@example.vn", 1)
        day = dt.date.today() + dt.timedelta(days=7)
        responses = race(
            [
                lambda c=c, i=i: c.post(f"/labs/equipment/{equipment_id}/book", data=_form(i, day))
                for i, c in enumerate(clients)
            ]
        )
        codes = sorted(r.status_code for r in responses)
        assert codes == [302] + [409] * (N - 1), codes
        with application.app_context():
            (winner,) = db.session.scalars(sa.select(Booking)).all()
            assert db.session.scalar(sa.select(sa.func.count(Hold.id))) == 1
        for response in responses:
            if response.status_code == 409:
                page = response.get_data(as_text=True)
                assert f"lượt đặt số {winner.id}" in page
                assert "vừa có người đặt" in page


def test_twenty_overlapping_api_requests_one_wins(tmp_path):

    with separate_app(tmp_path) as application:
        with application.app_context():
            equipment_id = _world()
            tokens = [
                create_token(user, "t", True, None)[1]
                for user in db.session.scalars(sa.select(User).order_by(User.id))
            ]
            db.session.commit()
        day = (dt.date.today() + dt.timedelta(days=7)).isoformat()

        def post(i: int, token: str):
            client = application.test_client()
            body = {
                "equipment_id": equipment_id,
                "starts_at": f"{day}T09:{i:02d}:00+07:00",
                "ends_at": f"{day}T11:{i:02d}:00+07:00",
            }
            return client.post(
                "/api/v1/bookings", json=body, headers={"Authorization": f"Bearer {token}"}
            )

        responses = race([lambda i=i, t=t: post(i, t) for i, t in enumerate(tokens)])
        codes = sorted(r.status_code for r in responses)
        assert codes == [201] + [409] * (N - 1), codes
        winner = next(r.get_json()["id"] for r in responses if r.status_code == 201)
        for response in responses:
            if response.status_code == 409:
                assert response.get_json()["error"]["clash"]["id"] == winner
