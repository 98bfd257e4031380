"""Bodies that leave out or null optional text never reach the database as NULL (found by fuzzing)."""

import pytest

from ecosystem.extensions import db
from ecosystem.registry.enums import OrgKind
from tests.api.conftest import bearer
from tests.api.test_api import _result


@pytest.mark.parametrize("body", [{"details": None}, {"details": None, "keywords": []}])
def test_null_optional_text_is_stored_as_empty(
    client, make_org, make_member, make_token, taxonomy, body
):
    org = make_org("Viện Công nghệ sinh học", kind=OrgKind.research_institute)
    result = _result(org)
    token = make_token(make_member(org))
    db.session.commit()
    response = client.patch(
        f"/api/v1/results/{result.id}", json=body, headers=bearer(token), csrf=False
    )
    assert response.status_code == 200, response.get_json()
    db.session.expire_all()
    assert db.session.get(type(result), result.id).details == ""


@pytest.mark.parametrize("depth", [100_000, 3_000])
def test_deeply_nested_json_is_a_clear_error(
    client, make_org, make_member, make_token, taxonomy, depth
):
    org = make_org("Viện Nghiên cứu Độ sâu", kind=OrgKind.research_institute)
    token = make_token(make_member(org))
    db.session.commit()
    body = "[" * depth + "]" * depth
    response = client.post(
        "/api/v1/results",
        data=body,
        content_type="application/json",
        headers=bearer(token),
        csrf=False,
    )
    assert response.status_code in (400, 422)
    assert response.get_json()["error"]["message"]
