"""/api/v1/tasks and /api/v1/indicators: the demo shares equal the city's report, public
fields for everyone, reports and history only for the committee's tokens."""

from __future__ import annotations

from ecosystem.api.tokens import create_token
from ecosystem.dashboard.demo import seed_dashboard
from ecosystem.dashboard.models import SteeringTask


def bearer(user) -> dict[str, str]:
    _token, plain = create_token(user, "test", False, None)
    return {"Authorization": f"Bearer {plain}"}


def test_demo_shares_in_the_api(client, db_session):
    seed_dashboard()
    body = client.get("/api/v1/tasks?per_page=5").get_json()
    shares = {s["status"]: (s["count"], s["percent"]) for s in body["shares"]["statuses"]}
    # 105/168 = 62.50 %, 35/168 = 20.83 %, 23/168 = 13.69 %, 5/168 = 2.98 %
    assert body["shares"]["total"] == 168 == body["total"]
    assert shares == {
        "done": (105, 62.5),
        "recurring": (35, 20.83),
        "in_progress": (23, 13.69),
        "not_started": (5, 2.98),
    }
    assert body["shares"]["overdue"] == 3
    filtered = client.get("/api/v1/tasks?status=done&source=plan_02").get_json()
    assert {t["status"] for t in filtered["items"]} == {"done"}
    assert {t["source"] for t in filtered["items"]} == {"plan_02"}


def test_public_fields_for_anonymous_and_more_for_the_committee(
    client, steering, make_task, make_user
):
    make_task(code="API-1", note="Ghi chú nội bộ")
    anonymous = client.get("/api/v1/tasks").get_json()["items"][0]
    assert anonymous["code"] == "API-1"
    assert (
        anonymous["note"] is None and anonymous["reports"] is None and anonymous["history"] is None
    )
    outsider = client.get("/api/v1/tasks", headers=bearer(make_user())).get_json()["items"][0]
    assert outsider["note"] is None
    committee = client.get("/api/v1/tasks", headers=bearer(steering)).get_json()["items"][0]
    assert committee["note"] == "Ghi chú nội bộ"
    assert committee["history"][0]["to"] == "not_started"


def test_bad_filters_are_named(client, db_session):
    response = client.get("/api/v1/tasks?status=finished")
    assert response.status_code == 422 and "status" in response.get_json()["error"]["fields"]
    response = client.get("/api/v1/indicators?period=week")
    assert response.status_code == 422 and "period" in response.get_json()["error"]["fields"]


def test_indicators_with_formulas(client, db_session):
    body = client.get("/api/v1/indicators?period=quarter&year=2026").get_json()
    keys = {i["key"]: i for i in body["items"]}
    assert {"cooperation_rate", "deals", "fund_applications", "budget_share"} <= set(keys)
    assert [v["period"] for v in keys["deals"]["values"]] == [
        "2026-Q1",
        "2026-Q2",
        "2026-Q3",
        "2026-Q4",
    ]
    assert "÷" in keys["cooperation_rate"]["formula"]
    english = client.get(
        "/api/v1/indicators/cooperation_rate", headers={"Accept-Language": "en"}
    ).get_json()
    assert english["label"] == "Research-cooperation rate"
    assert client.get("/api/v1/indicators/nothing").status_code == 404


def test_openapi_lists_the_paths(client, db_session):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"/api/v1/tasks", "/api/v1/indicators", "/api/v1/indicators/{key}"} <= set(paths)
    assert SteeringTask.__tablename__ == "steering_tasks"
