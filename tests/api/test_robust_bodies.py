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
