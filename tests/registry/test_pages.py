"""Every registry page opens, in Vietnamese and in English, for every role, in every state
of its record (full pages and the HTMX fragments): no 500 anywhere."""

from __future__ import annotations

import io

import pytest

from ecosystem.registry import operations as ops
from ecosystem.registry.attachments import add_attachment
from tests.registry.conftest import ROLES


@pytest.fixture
def site(world, make_listing, make_person, make_group):
    leader = make_person("PGS.TS. Nguyễn Văn An", world.owner, email="an@huaf.edu.vn")
    group = make_group(world.owner, "Nhóm Thủy sản nước lợ", leader=leader, members=[leader])
    urls = [
        "/search",
        "/search?q=tom&kind=result&field=aquaculture&trl=3&province=Thành+phố+Huế",
        "/organisations",
        f"/organisations/{world.owner.id}",
        "/organisations/new",
        f"/organisations/{world.owner.id}/edit",
        f"/organisations/{world.other.id}/merge",
        "/people",
        f"/people/{leader.id}",
        "/people/new",
        f"/people/{leader.id}/edit",
        f"/people/{leader.id}/merge",
        "/groups",
        f"/groups/{group.id}",
        "/groups/new",
        f"/groups/{group.id}/edit",
    ]
    for kind in ("result", "need", "startup", "investor"):
        urls += [f"/{kind}s/", f"/{kind}s/new"]
        for state in ("published", "draft", "archived", "hidden", "expired"):
            listing = make_listing(
                kind,
                world.owner,
                state=state,
                **(
                    {"group_id": group.id, "confidentiality": "members"} if kind == "result" else {}
                ),
            )
            urls += [f"/{kind}s/{listing.id}", f"/{kind}s/{listing.id}/edit"]
            if kind == "result":
                add_attachment(listing, io.BytesIO(b"%PDF-1.4\n"), "tai-lieu.pdf", None)
    return urls


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("role", ROLES)
def test_every_page_opens(client, site, as_role, role, lang):
    as_role(role)
    client.post("/language", data={"lang": lang})
    failures = []
    for url in site:
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(url, headers=headers)
            if response.status_code >= 500 or response.status_code not in (200, 301, 302, 403):
                failures.append((url, response.status_code))
            elif response.status_code == 200 and not headers:
                assert f'<html lang="{lang}"' in response.text, url
    assert failures == []


def test_english_pages_and_messages_speak_english(client, site, as_role, world):
    as_role("member")
    client.post("/language", data={"lang": "en"})
    page = client.get("/results/").text
    assert "Research results and technologies" in page
    assert "Kết quả nghiên cứu và công nghệ" not in page
    response = client.post(
        "/results/new",
        data={"organisation_id": str(world.owner.id), "title": "x", "summary": "y", "trl": "10"},
    )
    assert response.status_code == 422
    assert "TRL must be between 1 and 9." in response.text


def test_province_names_follow_the_language(client, world):

    ops.update_organisation(world.owner, {"province": "Khác"}, None)
    vi = client.get(f"/organisations/{world.owner.id}").text
    assert "Khác (tỉnh/thành khác)" in vi
    client.post("/language", data={"lang": "en"})
    en = client.get(f"/organisations/{world.owner.id}").text
    assert "Other (another province)" in en and "Khác" not in en
    assert ">Hồ Chí Minh City</option>" in client.get("/results/").text
