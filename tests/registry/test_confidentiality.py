"""Confidential details of a research result stay confidential in every channel.

A result marked "details after introduction" shows only its public summary outside its
organisation: on its page, in lists, in search (a word found only in the details finds
nothing), and its attachments cannot be downloaded. Another feature can unlock the
details with ``register_details_rule`` (matching does, after an accepted introduction).
"""

from __future__ import annotations

import io

import pytest

from ecosystem.registry.attachments import add_attachment
from ecosystem.registry.permissions import register_details_rule
from tests.registry.conftest import ROLES
from tests.registry.support import result_links, search_total

SECRET = "Vikhuanbimatxyz"
SUMMARY = "Chế phẩm vi sinh làm sạch đáy ao nuôi tôm, giảm khí độc."
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"


@pytest.fixture
def secret_result(world, make_result, make_group):
    def _make(level: str):
        group = make_group(world.owner, "Nhóm Vi sinh vật thủy sản")
        result = make_result(
            world.owner,
            title="Chế phẩm vi sinh cho ao nuôi tôm",
            summary=SUMMARY,
            details=f"Công thức gồm chủng {SECRET} nuôi cấy ở 30 độ C trong 48 giờ.",
            keywords=["vi sinh", "ao tôm"],
            confidentiality=level,
            group_id=group.id,
        )
        attachment = add_attachment(result, io.BytesIO(PDF), "quy-trinh-chi-tiet.pdf", None)
        return result, group, attachment

    return _make


def _pages(client, world, result, group) -> dict[str, str]:
    """Every page a visitor can open that could show the result."""
    urls = {
        "detail": f"/results/{result.id}",
        "list": "/results/",
        "list_partial": "/results/?q=vi+sinh",
        "search": "/search?q=che+pham+vi+sinh",
        "search_secret": f"/search?q={SECRET}",
        "organisation": f"/organisations/{world.owner.id}",
        "group": f"/groups/{group.id}",
    }
    pages = {}
    for name, url in urls.items():
        headers = {"HX-Request": "true"} if name == "list_partial" else {}
        response = client.get(url, headers=headers)
        assert response.status_code == 200, (name, response.status_code)
        pages[name] = response.get_data(as_text=True)
    return pages


SEES_DETAILS = {
    "public": dict.fromkeys(ROLES, True),
    "members": {**dict.fromkeys(ROLES, True), "anonymous": False},
    "after_introduction": {
        "anonymous": False,
        "outsider": False,
        "other_member": False,
        "member": True,
        "org_admin": True,
        "platform_admin": True,
    },
}


@pytest.mark.parametrize(
    ("level", "role", "sees"),
    [(level, role, sees) for level, row in SEES_DETAILS.items() for role, sees in row.items()],
)
def test_details_in_every_channel(client, world, as_role, secret_result, level, role, sees):
    result, group, attachment = secret_result(level)
    as_role(role)
    pages = _pages(client, world, result, group)

    # The public part is everywhere.
    assert SUMMARY in pages["detail"]
    assert f"/results/{result.id}" in result_links(client.get("/search?q=che+pham+vi+sinh"))
    # The details only where allowed: the detail page, nowhere else for outsiders.
    assert (SECRET in pages["detail"]) is sees
    assert ("quy-trinh-chi-tiet.pdf" in pages["detail"]) is sees
    if not sees:
        # The secret search echoes the query in its box; its results must still be empty.
        pages["search_secret"] = pages["search_secret"].split('id="results"', 1)[1]
        assert result_links(client.get(f"/search?q={SECRET}")) == []
        leaks = [name for name, page in pages.items() if SECRET in page]
        assert leaks == []
        assert 'data-testid="details-locked"' in pages["detail"]

    download = client.get(f"/attachments/{attachment.id}")
    if sees:
        assert download.status_code == 200
        assert download.data == PDF
        assert "attachment" in download.headers["Content-Disposition"]
    else:
        assert download.status_code == (302 if role == "anonymous" else 403)
        assert download.data != PDF


@pytest.mark.parametrize("role", ROLES)
def test_a_word_only_in_confidential_details_finds_nothing(
    client, world, as_role, secret_result, role
):
    secret_result("after_introduction")
    as_role(role)
    for url in (f"/search?q={SECRET}", f"/results/?q={SECRET}", f"/search?q={SECRET.lower()}"):
        response = client.get(url)
        assert search_total(response) == 0
        assert result_links(response) == []


def test_a_word_in_public_details_is_searchable(client, world, secret_result):
    """The same search finds a public result: the test above can fail."""
    result, _, _ = secret_result("public")
    assert result_links(client.get(f"/search?q={SECRET}")) == [f"/results/{result.id}"]


def test_details_rule_unlocks_details_and_attachments(client, world, as_role, secret_result):
    result, _, attachment = secret_result("after_introduction")
    introduced = world.users["outsider"]
    as_role("outsider")
    assert SECRET not in client.get(f"/results/{result.id}").get_data(as_text=True)
    assert client.get(f"/attachments/{attachment.id}").status_code == 403

    register_details_rule(lambda user, item: user.id == introduced.id and item.id == result.id)

    page = client.get(f"/results/{result.id}").get_data(as_text=True)
    assert SECRET in page
    download = client.get(f"/attachments/{attachment.id}")
    assert download.status_code == 200
    assert download.data == PDF
    # Still nothing in search: details are never indexed.
    assert result_links(client.get(f"/search?q={SECRET}")) == []


def test_details_rule_unlocks_only_for_whom_it_says(client, world, as_role, secret_result):
    result, _, attachment = secret_result("after_introduction")
    introduced = world.users["outsider"]
    register_details_rule(lambda user, item: user.id == introduced.id)
    as_role("other_member")
    assert SECRET not in client.get(f"/results/{result.id}").get_data(as_text=True)
    assert client.get(f"/attachments/{attachment.id}").status_code == 403


def test_details_rule_does_not_open_unpublished_results(client, world, as_role, make_result):
    """A rule unlocks details, not drafts: the listing itself must be visible first."""
    draft = make_result(
        world.owner, state="draft", details=SECRET, confidentiality="after_introduction"
    )
    register_details_rule(lambda user, item: True)
    as_role("outsider")
    assert client.get(f"/results/{draft.id}").status_code == 403
    assert result_links(client.get("/results/")) == []


def test_attachment_of_hidden_result_is_not_downloadable(client, world, as_role, make_result, app):
    result = make_result(world.owner, state="hidden", confidentiality="public")
    attachment = add_attachment(result, io.BytesIO(PDF), "bao-cao.pdf", None)
    as_role("outsider")
    assert client.get(f"/attachments/{attachment.id}").status_code == 403
    client.post("/auth/logout")
    as_role("member")
    assert client.get(f"/attachments/{attachment.id}").status_code == 200
