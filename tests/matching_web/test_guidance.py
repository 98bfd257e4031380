"""Where a role cannot act, the page says what to do instead of a bare 403, and the menu
does not offer what the role cannot use."""

from __future__ import annotations

import io

from tests.auth_helpers import login


def test_steering_committee_sees_the_platform_wide_proposals(client, world, world_match):
    login(client, world.users["steering"])
    page = client.get("/matches")
    assert page.status_code == 200
    assert f"/matches/{world_match.id}" in page.text
    assert "Gợi ý phù hợp" in client.get("/").text


def test_a_person_without_an_organisation_is_told_how_to_get_one(client, world):
    login(client, world.users["unaffiliated"])
    home = client.get("/").text
    assert "Gợi ý phù hợp" not in home
    assert "Nhập dữ liệu từ bảng tính" not in home
    for path, purpose in (
        ("/needs/new", "Để đăng nhu cầu công nghệ, bạn cần thuộc một tổ chức."),
        ("/imports/new", "Để nhập dữ liệu từ bảng tính, bạn cần thuộc một tổ chức."),
    ):
        response = client.get(path)
        assert response.status_code == 403
        assert 'data-testid="needs-organisation"' in response.text
        assert purpose in response.text
        assert 'href="/organisations"' in response.text
        assert 'href="/organisations/new"' in response.text


def test_an_import_without_an_organisation_is_a_field_error(client, world):
    login(client, world.users["researcher"])
    assert "Nhập dữ liệu từ bảng tính" in client.get("/").text
    response = client.post(
        "/imports/new",
        data={
            "kind": "need",
            "organisation_id": "0",
            "file": (io.BytesIO(b"title,problem\nA,B\n"), "n.csv"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "Hãy chọn tổ chức sở hữu các hồ sơ được nhập." in response.text
