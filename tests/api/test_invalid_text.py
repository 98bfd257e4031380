"""Text that cannot be stored (a lone surrogate, NUL) anywhere in a JSON body: a 422 that
names the member, in the client's language, and nothing saved (PostgreSQL would otherwise
answer with a 500 from the driver)."""

import pytest
import sqlalchemy as sa

from ecosystem.extensions import db
from ecosystem.registry.models import TechnologyNeed
from tests.api.conftest import bearer
from tests.api.test_api import NEED, _result

VI = "Chứa ký tự không hợp lệ (ký tự NUL hoặc mã Unicode lỗi). Hãy nhập lại."


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": "Cảm biến \udfff oxy"}, "title"),
        ({"problem": "Đo oxy\x00"}, "problem"),
        ({"keywords": ["tôm", "\ud800"]}, "keywords"),
        # a member the API does not know must not smuggle one in either
        ({"extra": {"note": "\udfff"}}, "extra"),
    ],
)
def test_invalid_text_in_a_body_is_refused_and_nothing_saved(client, lab, change, field):
    org, _member, token = lab
    response = client.post(
        "/api/v1/needs",
        json={**NEED, "organisation_id": org.id, **change},
        headers=bearer(token),
        csrf=False,
    )
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"]["fields"][field] == VI
    assert db.session.scalar(sa.select(sa.func.count(TechnologyNeed.id))) == 0


def test_invalid_text_in_an_update_changes_nothing_and_speaks_english(client, lab):
    org, _member, token = lab
    result = _result(org)
    db.session.commit()
    response = client.patch(
        f"/api/v1/results/{result.id}",
        # raw JSON: the escape arrives as a lone surrogate once parsed
        data='{"summary": "T\\udfffm t\\u1eaft"}',
        content_type="application/json",
        headers={**bearer(token), "Accept-Language": "en"},
        csrf=False,
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"]["summary"].startswith("Contains characters")
    db.session.expire_all()
    assert db.session.get(type(result), result.id).summary == "Tóm tắt công khai"
