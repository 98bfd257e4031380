"""The search box over every kind: diacritics both ways, typos, filters, pagination,
visibility, and garbage in the query string. Runs on SQLite (FTS5) and PostgreSQL
(tsvector) alike: set DATABASE_URL to run it on PostgreSQL."""

from __future__ import annotations

import unicodedata

import pytest
import sqlalchemy as sa

from ecosystem.extensions import db
from ecosystem.registry import operations as ops
from ecosystem.registry.enums import OrgKind
from ecosystem.registry.search_index import SearchEntry
from tests.auth_helpers import login
from tests.registry.support import result_links, search_total


def create_org(name: str, kind: OrgKind = OrgKind.enterprise, **data):
    return ops.create_organisation(
        {"kind": kind.value, "name_vi": name, "province": "Thành phố Huế", **data}, None
    )


@pytest.fixture
def corpus(world, fields, make_result, make_need, make_person):
    """A few records of every kind, some typed without diacritics."""
    university = create_org("Trường Đại học Khoa học, Đại học Huế", OrgKind.university)
    company = create_org("Công ty Cổ phần Thủy sản Đầm Phá Xanh")
    coop = create_org("Hop tac xa Nong nghiep Quang Dien")  # typed without accents
    quang_tri = create_org("Công ty Cổ phần Tinh dầu Quảng Trị", province="Quảng Trị")
    records = {
        "university": university,
        "company": company,
        "coop": coop,
        "quang_tri": quang_tri,
        "shrimp": make_result(
            university,
            title="Nuôi tôm thẻ chân trắng trong ao lót bạt",
            summary="Quy trình nuôi tôm mật độ cao, tuần hoàn nước.",
            field_code="aquaculture",
            trl=7,
        ),
        "oil": make_result(
            quang_tri,
            title="Chiết xuất tinh dầu tràm gió",
            summary="Chưng cất hơi nước tinh dầu tràm cho y học cổ truyền.",
            field_code="health",
            keywords=["tinh dầu", "dược liệu"],
            trl=3,
        ),
        "need": make_need(
            company,
            title="Cần cảm biến đo oxy hòa tan cho ao tôm",
            problem="Tôm chết hàng loạt khi thiếu oxy ban đêm.",
            field_code="aquaculture",
            trl_wanted=6,
        ),
        "plain": make_result(
            coop,
            title="Ky thuat trong lua huu co",  # typed without accents
            summary="Mo hinh lua huu co o Quang Dien.",
            field_code="agriculture",
            keywords=["lúa", "hữu cơ"],
            trl=5,
        ),
        "person": make_person("PGS.TS. Trần Văn Tôm", university, expertise=["nuôi tôm"]),
    }
    return records


def links(client, **params) -> list[str]:
    response = client.get("/search", query_string=params)
    assert response.status_code == 200
    return result_links(response)


def url(kind: str, record) -> str:
    prefix = {
        "organisation": "/organisations",
        "person": "/people",
        "result": "/results",
        "need": "/needs",
    }[kind]
    return f"{prefix}/{record.id}"


@pytest.mark.parametrize(
    ("query", "kind", "key"),
    [
        ("dai hoc hue", "organisation", "university"),
        ("Đại học Huế", "organisation", "university"),
        ("ĐẠI HỌC KHOA HỌC", "organisation", "university"),
        (unicodedata.normalize("NFD", "Đại học Khoa học"), "organisation", "university"),
        ("dam pha xanh", "organisation", "company"),
        ("Quảng Điền", "organisation", "coop"),  # accented query, record typed plain
        ("hợp tác xã nông nghiệp", "organisation", "coop"),
        ("nuoi tom the chan trang", "result", "shrimp"),
        ("nuôi tôm thẻ", "result", "shrimp"),
        ("tôm thẻ chân trắng", "result", "shrimp"),
        ("lúa hữu cơ", "result", "plain"),
        ("tinh dau tram", "result", "oil"),
        ("cam bien oxy", "need", "need"),
        ("tran van tom", "person", "person"),
    ],
)
def test_diacritics_do_not_matter(client, corpus, query, kind, key):
    assert url(kind, corpus[key]) in links(client, q=query, kind=kind)


@pytest.mark.parametrize(
    ("query", "key"),
    [
        ("Dam Pha Xnah", "company"),  # two letters swapped
        ("Dam Pha Xamh", "company"),  # one letter wrong
        ("Dam Pha Xah", "company"),  # one letter missing
        ("Đầm Phá Xaanh", "company"),  # one letter too many
        ("tinh dau trma", "oil"),
    ],
)
def test_one_letter_typo_in_a_name(client, corpus, query, key):
    response = client.get("/search", query_string={"q": query})
    kind = "organisation" if key == "company" else "result"
    assert url(kind, corpus[key]) in result_links(response)
    assert "Đã tìm cả các từ gần đúng:" in response.text


def test_did_you_mean_never_names_a_word_of_a_draft(client, corpus, make_result):
    """ "xamh" is one letter from "xanh" (a public title) and from "xamb" (a draft's only
    title word): the suggestion lists the public word, never the draft's."""
    make_result(corpus["company"], title="Quy trình bí mật Xamb", state="draft")
    response = client.get("/search", query_string={"q": "Dam Pha Xamh"})
    assert "Đã tìm cả các từ gần đúng:" in response.text
    assert "xanh" in response.text
    assert "xamb" not in response.text.lower()


def test_nonsense_finds_nothing(client, corpus):
    response = client.get("/search", query_string={"q": "zqxwv kjhgf"})
    assert search_total(response) == 0
    assert "Không tìm thấy hồ sơ nào." in response.text


def test_titles_rank_above_mentions(client, corpus, make_result):
    mention = make_result(
        corpus["coop"],
        title="Phân bón vi sinh cho lúa",
        summary="Có thể dùng cho ao nuôi tôm thẻ chân trắng.",
    )
    found = links(client, q="tôm thẻ chân trắng", kind="result")
    assert found.index(url("result", corpus["shrimp"])) < found.index(url("result", mention))


def test_filters(client, corpus):
    shrimp, oil, plain = (url("result", corpus[k]) for k in ("shrimp", "oil", "plain"))
    need = url("need", corpus["need"])

    assert set(links(client, kind="result")) == {shrimp, oil, plain}
    assert set(links(client, kind="need")) == {need}
    assert set(links(client, field="aquaculture")) == {shrimp, need}
    assert set(links(client, kind="result", trl=5)) == {shrimp, plain}
    assert set(links(client, kind="result", trl=7)) == {shrimp}
    quang_tri = set(links(client, province="Quảng Trị"))
    assert quang_tri == {oil, url("organisation", corpus["quang_tri"])}
    assert set(links(client, organisation=corpus["university"].id, kind="result")) == {shrimp}
    assert set(links(client, organisation=corpus["university"].id)) >= {
        shrimp,
        url("person", corpus["person"]),
        url("organisation", corpus["university"]),
    }
    # Filters combine with the query and with each other.
    assert links(client, q="tom", field="aquaculture", kind="need") == [need]
    assert links(client, q="tom", province="Quảng Trị") == []


def test_kind_pages_show_their_kind_only(client, corpus):
    assert set(result_links(client.get("/results/"))) == {
        url("result", corpus[k]) for k in ("shrimp", "oil", "plain")
    }
    assert result_links(client.get("/needs/")) == [url("need", corpus["need"])]
    assert all(
        link.startswith("/organisations/") for link in result_links(client.get("/organisations"))
    )
    assert result_links(client.get("/people")) == [url("person", corpus["person"])]
    # A kind in the query string cannot widen a kind page.
    assert result_links(client.get("/needs/?kind=result")) == [url("need", corpus["need"])]


def test_pagination(client, world, make_result):
    made = [
        make_result(world.owner, title=f"Giống lúa chịu mặn Hương Thủy dòng {n:02d}")
        for n in range(25)
    ]
    expected = {url("result", r) for r in made}
    pages = []
    for page in (1, 2, 3):
        response = client.get(
            "/search", query_string={"q": "giong lua chiu man", "per_page": 10, "page": page}
        )
        assert search_total(response) == 25
        pages.append(result_links(response))
    assert [len(p) for p in pages] == [10, 10, 5]
    assert set(pages[0]).isdisjoint(pages[1])
    assert set(pages[0]) | set(pages[1]) | set(pages[2]) == expected
    assert 'aria-label="Phân trang"' in client.get("/search?q=giong+lua&per_page=10").text
    beyond = client.get("/search", query_string={"q": "giong lua", "per_page": 10, "page": 4})
    assert search_total(beyond) == 25 and result_links(beyond) == []


VISIBLE = {
    "anonymous": False,
    "outsider": False,
    "other_member": False,
    "member": True,
    "org_admin": True,
    "platform_admin": True,
}


@pytest.mark.parametrize(("role", "visible"), VISIBLE.items())
def test_drafts_only_for_the_owning_organisation(
    client, world, as_role, make_result, role, visible
):
    draft = make_result(world.owner, title="Bản nháp giống sen Tịnh Tâm", state="draft")
    as_role(role)
    response = client.get("/search", query_string={"q": "sen tinh tam"})
    assert (url("result", draft) in result_links(response)) is visible
    assert ("Chỉ tổ chức của bạn thấy" in response.text) is visible


GARBAGE = [
    {"page": "-1"},
    {"page": "0"},
    {"page": "abc"},
    {"page": "99999999999999999999"},
    {"page": "1e9"},
    {"trl": "abc"},
    {"trl": "-3"},
    {"trl": "42"},
    {"trl": "5.5"},
    {"per_page": "100000"},
    {"per_page": "-5"},
    {"per_page": "0"},
    {"per_page": "abc"},
    {"organisation": "abc"},
    {"organisation": "-1"},
    {"organisation": "99999999999999999999999"},
    {"kind": "xyz"},
    {"kind": ["organisation", "need", "nonsense"]},
    {"field": "<script>alert(1)</script>"},
    {"province": "Sao Hỏa"},
    {"province": "Huế\x00"},
    {"field": "aquaculture\x00"},
    {"kind": "result\x00"},
    {"q": '"'},
    {"q": "tôm*"},
    {"q": "tom AND OR NOT"},
    {"q": "NEAR(tom lua)"},
    {"q": "-tom"},
    {"q": "title:tom"},
    {"q": "tom ^ | & ! : ( ) '"},
    {"q": "tom\x00lua"},
    {"q": "_ __ ___"},
    {"q": "🦐 tôm"},
    {"q": "x" * 5000},
    {"q": " ".join(["tôm"] * 50)},
    {"q": "%' OR 1=1 --"},
    {"q": "tom", "page": "-1", "trl": "abc", "per_page": "100000"},
]
PAGES = [
    "/search",
    "/results/",
    "/needs/",
    "/startups/",
    "/investors/",
    "/organisations",
    "/people",
    "/groups",
]


@pytest.mark.parametrize("params", GARBAGE, ids=[str(i) for i in range(len(GARBAGE))])
def test_garbage_query_strings_never_fail(client, corpus, params):
    for page in PAGES:
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(page, query_string=params, headers=headers)
            # A NUL byte is refused outright (400: no text column can store it); all the
            # other garbage is served.
            expected = 400 if any("\x00" in value for value in params.values()) else 200
            assert response.status_code == expected, (page, params, response.status_code)


def test_per_page_is_capped(client, world, make_result):
    for n in range(105):
        make_result(world.owner, title=f"Chế phẩm sinh học số {n}")
    response = client.get("/search", query_string={"q": "che pham sinh hoc", "per_page": 100000})
    assert search_total(response) == 105
    assert len(result_links(response)) == 100


def test_renamed_organisation_is_found_through_its_records(client, world, make_result):
    org = create_org("Công ty TNHH Nông sản Phong Điền")
    result = make_result(org, title="Máy sấy nông sản bằng năng lượng mặt trời")
    user = world.users["outsider"]
    ops.update_organisation(org, {"name_vi": "Công ty TNHH Nông sản Sạch Thừa Thiên"}, user)
    db.session.commit()  # the records are re-indexed by a task, after the commit
    assert url("result", result) in links(client, q="nong san sach thua thien", kind="result")
    ops.update_organisation(org, {"province": "Quảng Trị"}, user)
    # Inside the saving transaction only the organisation's own entry changed: a university
    # with thousands of records saves at once, its records follow in the background.
    entry = db.session.scalar(
        sa.select(SearchEntry).where(
            SearchEntry.kind == "result", SearchEntry.object_id == result.id
        )
    )
    assert entry.province != "Quảng Trị"
    db.session.commit()
    assert url("result", result) in links(client, province="Quảng Trị", kind="result")


def test_member_sees_own_drafts_in_search_after_signing_in(client, world, make_result):
    draft = make_result(world.owner, title="Giống gà Ri lai Hương Trà", state="draft")
    assert links(client, q="ga ri") == []
    login(client, world.users["member"])
    assert links(client, q="ga ri") == [url("result", draft)]
