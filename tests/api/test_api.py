"""The JSON API: tokens, visibility, validation with named fields, writes through operations."""

import datetime as dt

import pytest
import sqlalchemy as sa

from ecosystem.auth.models import ApiToken
from ecosystem.core.models import utcnow
from ecosystem.extensions import db
from ecosystem.registry import listing_operations
from ecosystem.registry.models import Organisation, ResearchResult, TechnologyNeed
from tests.api.conftest import bearer
from tests.auth_helpers import login


def _result(org, **overrides):
    data = {
        "organisation_id": org.id,
        "title": "Vắc-xin phòng bệnh đốm trắng cho tôm",
        "summary": "Tóm tắt công khai",
        "details": "Chủng vi khuẩn bí mật B-17",
        "field_code": "aquaculture",
        "keywords": ["tôm"],
        "trl": 6,
        "ip_status": "patent_pending",
        "confidentiality": "after_introduction",
        "language": "vi",
    }
    data.update(overrides)
    return listing_operations.create_listing("result", data, None, publish=True)


NEED = {
    "organisation_id": None,
    "title": "Cảm biến oxy cho ao tôm",
    "problem": "Cần đo oxy hòa tan liên tục",
    "field_code": "aquaculture",
    "trl_wanted": 6,
    "budget_min": 100_000_000,
    "budget_max": 300_000_000,
}


def test_token_is_shown_once_and_stored_hashed(client, make_user):
    user = make_user()
    login(client, user)
    page = client.post(
        "/auth/account/tokens/", data={"name": "Phần mềm Sở", "days": "30", "can_write": "y"}
    )
    text = page.get_data(as_text=True)
    plain = text.split('data-testid="token">')[1].split("<")[0].strip()
    assert plain.startswith("hue_")
    db.session.expire_all()
    stored = db.session.scalars(sa.select(ApiToken)).one()
    assert plain not in (stored.token_hash, stored.prefix) and stored.can_write
    me = client.get("/api/v1/me", headers=bearer(plain))
    assert me.status_code == 200 and me.get_json()["email"] == user.email
    client.post(f"/auth/account/tokens/{stored.id}/revoke")
    assert client.get("/api/v1/me", headers=bearer(plain)).status_code == 401


def test_anonymous_reads_public_records_only_and_never_confidential_details(client, lab):
    org, _member, token = lab
    _result(org)
    listing_operations.create_listing("result", {**_base_result(org), "title": "Bản nháp"}, None)
    db.session.commit()
    items = client.get("/api/v1/results").get_json()["items"]
    assert [i["title"] for i in items] == ["Vắc-xin phòng bệnh đốm trắng cho tôm"]
    assert items[0]["details"] is None
    own = client.get("/api/v1/results", headers=bearer(token)).get_json()["items"]
    assert {i["title"] for i in own} == {"Vắc-xin phòng bệnh đốm trắng cho tôm", "Bản nháp"}
    assert any(i["details"] == "Chủng vi khuẩn bí mật B-17" for i in own)
    draft_id = next(i["id"] for i in own if i["title"] == "Bản nháp")
    assert client.get(f"/api/v1/results/{draft_id}").status_code == 404


def _base_result(org):
    return {
        "organisation_id": org.id,
        "title": "x",
        "summary": "y",
        "field_code": "aquaculture",
        "trl": 3,
    }


def test_search_without_diacritics_through_the_api(client, lab):
    org, _member, _token = lab
    _result(org)
    db.session.commit()
    found = client.get("/api/v1/results?q=vac+xin+dom+trang").get_json()
    assert found["total"] == 1


@pytest.mark.parametrize(
    ("headers", "status"),
    [({}, 401), ({"Authorization": "Bearer hue_nope"}, 401), ({"Authorization": "Basic abc"}, 401)],
)
def test_writes_need_a_valid_token(client, lab, headers, status):
    org, *_ = lab
    response = client.post(
        "/api/v1/needs", json={**NEED, "organisation_id": org.id}, headers=headers, csrf=False
    )
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == status
    assert db.session.scalar(sa.select(sa.func.count(TechnologyNeed.id))) == 0


def test_read_only_and_expired_tokens_cannot_write(client, lab, make_token):
    org, member, _ = lab
    read_only = make_token(member, can_write=False)
    db.session.commit()
    response = client.post(
        "/api/v1/needs",
        json={**NEED, "organisation_id": org.id},
        headers=bearer(read_only),
        csrf=False,
    )
    assert response.status_code == 403
    expired = make_token(member, days=1)
    db.session.execute(sa.update(ApiToken).values(expires_at=utcnow() - dt.timedelta(minutes=1)))
    db.session.commit()
    assert client.get("/api/v1/me", headers=bearer(expired)).status_code == 401


def test_create_update_archive_a_need(client, lab):
    org, _member, token = lab
    created = client.post(
        "/api/v1/needs",
        json={**NEED, "organisation_id": org.id, "publish": True},
        headers=bearer(token),
        csrf=False,
    )
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["state"] == "published" and body["budget_max"] == 300_000_000
    assert created.headers["Location"].endswith(f"/api/v1/needs/{body['id']}")
    patched = client.patch(
        f"/api/v1/needs/{body['id']}",
        json={"title": "Cảm biến oxy và pH"},
        headers=bearer(token),
        csrf=False,
    )
    assert patched.status_code == 200 and patched.get_json()["title"] == "Cảm biến oxy và pH"
    assert patched.get_json()["problem"] == NEED["problem"]  # untouched fields stay
    archived = client.post(f"/api/v1/needs/{body['id']}/archive", headers=bearer(token), csrf=False)
    assert archived.status_code == 200 and archived.get_json()["state"] == "archived"


@pytest.mark.parametrize(
    ("change", "field", "fragment"),
    [
        ({"trl_wanted": 10}, "trl_wanted", "ngoài khoảng"),
        ({"trl_wanted": "6"}, "trl_wanted", "số nguyên"),
        (
            {"budget_min": 500_000_000, "budget_max": 100_000_000},
            "budget_max",
            "lớn hơn ngân sách tối đa",
        ),
        ({"deadline": "2001-01-01"}, "deadline", "quá khứ"),
        ({"deadline": "31/12/2030"}, "deadline", "YYYY-MM-DD"),
        ({"field_code": "vu-tru"}, "field_code", "danh mục"),
        ({"title": None}, "title", "null"),
    ],
)
def test_invalid_fields_are_named_with_422_and_nothing_is_saved(
    client, lab, change, field, fragment
):
    org, _member, token = lab
    response = client.post(
        "/api/v1/needs",
        json={**NEED, "organisation_id": org.id, **change},
        headers=bearer(token),
        csrf=False,
    )
    assert response.status_code == 422
    fields = response.get_json()["error"]["fields"]
    assert field in fields and fragment in fields[field], fields
    assert db.session.scalar(sa.select(sa.func.count(TechnologyNeed.id))) == 0


@pytest.mark.parametrize("body", ["not json", "[1, 2]", "null"])
def test_malformed_bodies_are_refused_clearly(client, lab, body):
    _org, _member, token = lab
    response = client.post(
        "/api/v1/needs",
        data=body,
        content_type="application/json",
        headers=bearer(token),
        csrf=False,
    )
    assert response.status_code == 422
    assert "body" in response.get_json()["error"]["fields"]


def test_checksums_are_checked_and_english_on_request(client, lab, make_platform_user, make_token):
    admin = make_platform_user("admin")
    token = make_token(admin)
    db.session.commit()
    payload = {
        "kind": "enterprise",
        "name_vi": "Công ty TNHH Nón Lá Huế",
        "tax_code": "3300100629",
        "province": "Thành phố Huế",
    }
    response = client.post(
        "/api/v1/organisations",
        json=payload,
        headers={**bearer(token), "Accept-Language": "en"},
        csrf=False,
    )
    assert response.status_code == 422
    assert "tax_code" in response.get_json()["error"]["fields"]
    assert (
        db.session.scalar(sa.select(sa.func.count(Organisation.id))) == 1
    )  # only the fixture's lab


def test_probable_duplicate_organisation_needs_confirmation(
    client, lab, make_platform_user, make_token
):
    admin = make_platform_user("admin")
    token = make_token(admin)
    db.session.commit()
    payload = {"kind": "university", "name_vi": "ĐH Nông Lâm - Huế", "province": "Thành phố Huế"}
    first = client.post("/api/v1/organisations", json=payload, headers=bearer(token), csrf=False)
    assert first.status_code == 409
    assert "Trường Đại học Nông Lâm Huế" in first.get_json()["error"]["fields"]["name_vi"]
    confirmed = client.post(
        "/api/v1/organisations",
        json={**payload, "confirm_new": True},
        headers=bearer(token),
        csrf=False,
    )
    assert confirmed.status_code == 201


def test_members_of_another_organisation_cannot_change_or_create_for_it(
    client, lab, make_org, make_member, make_token
):
    org, _member, _token = lab
    result = _result(org)
    outsider = make_member(make_org("Công ty khác"))
    token = make_token(outsider)
    db.session.commit()
    assert (
        client.patch(
            f"/api/v1/results/{result.id}",
            json={"title": "Bị sửa"},
            headers=bearer(token),
            csrf=False,
        ).status_code
        == 403
    )
    assert (
        client.post(
            "/api/v1/needs",
            json={**NEED, "organisation_id": org.id},
            headers=bearer(token),
            csrf=False,
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"/api/v1/results/{result.id}/archive", headers=bearer(token), csrf=False
        ).status_code
        == 403
    )
    db.session.expire_all()
    assert db.session.get(ResearchResult, result.id).title.startswith("Vắc-xin")


def test_huge_ids_are_not_found_not_errors(client):
    assert client.get("/api/v1/results/99999999999").status_code == 404
    assert client.get("/results/99999999999").status_code == 404


def test_openapi_document_and_docs_page(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    assert {
        "/api/v1/results",
        "/api/v1/needs/{item_id}",
        "/api/v1/startups/{item_id}/archive",
    } <= set(document["paths"])
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and "/api/v1/organisations" in page.get_data(as_text=True)


def test_the_docs_page_speaks_the_readers_language(client):
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert "Tạo tổ chức" in page and "Create a organisation" not in page
    assert "Nộp bản nháp hồ sơ của tổ chức bạn trước khi đợt kêu gọi đóng" in page
    client.post("/language", data={"lang": "en"})
    english = client.get("/api/v1/docs").get_data(as_text=True)
    assert "Create a record (organisation)" in english and "Tạo tổ chức" not in english
