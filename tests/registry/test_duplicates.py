"""Duplicate detection on realistic Vietnamese name variants, and merging by an admin."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ecosystem.auth.models import OrgMembership
from ecosystem.extensions import db
from ecosystem.registry.duplicates import organisation_candidates, person_candidates
from ecosystem.registry.enums import OrgKind
from ecosystem.registry.identifiers import organisation_name_key, person_name_key
from ecosystem.registry.models import (
    LISTING_MODELS,
    Membership,
    Organisation,
    Person,
    ResearchGroup,
)
from tests.auth_helpers import login
from tests.registry.support import (
    audit_count,
    audit_rows,
    count,
    field_error,
    flashes,
    result_links,
)

TAX_CODE = "3301234568"
ORCID = "0000-0002-1825-0097"

DAM_PHA_XANH = (
    "Công ty TNHH Thủy sản Đầm Phá Xanh",
    "CTCP Thuy San Dam Pha Xanh",
    "Cty TNHH MTV Thủy Sản Đầm Phá Xanh",
    "Công ty Cổ phần Thủy sản Đầm Phá Xanh",
    "CÔNG TY TNHH MỘT THÀNH VIÊN THỦY SẢN ĐẦM PHÁ XANH",
)
KHOA_HOC_HUE = (
    "Trường Đại học Khoa học, Đại học Huế",
    "ĐH Khoa học - ĐH Huế",
    "Trường ĐH Khoa học, ĐH Huế",
    "Truong Dai hoc Khoa hoc - Dai hoc Hue",
)
# Different organisations whose names share most of their words.
DIFFERENT = [
    ("Trường Đại học Khoa học, Đại học Huế", "Trường Đại học Nông Lâm, Đại học Huế"),
    ("ĐH Khoa học - ĐH Huế", "Trường Đại học Y - Dược, Đại học Huế"),
    ("Trường Đại học Khoa học, Đại học Huế", "Trường Đại học Sư phạm, Đại học Huế"),
    ("Công ty TNHH Thủy sản Đầm Phá Xanh", "Viện Nghiên cứu Nuôi trồng Thủy sản III"),
    ("Công ty TNHH Thủy sản Đầm Phá Xanh", "Công ty TNHH Du lịch Phá Tam Giang"),
]


def _pairs(names):
    return [(a, b) for a in names for b in names if a != b]


@pytest.mark.parametrize(("existing", "typed"), _pairs(DAM_PHA_XANH) + _pairs(KHOA_HOC_HUE))
def test_organisation_name_variants_are_candidates(make_org, existing, typed):
    org = make_org(existing)
    found = organisation_candidates(typed)
    assert [c.record.id for c in found] == [org.id]
    assert found[0].reason == "name"


@pytest.mark.parametrize(("existing", "typed"), DIFFERENT + [(b, a) for a, b in DIFFERENT])
def test_different_organisations_are_not_candidates(make_org, existing, typed):
    make_org(existing)
    assert organisation_candidates(typed) == []


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Công ty TNHH Thủy sản Đầm Phá Xanh", "thuy san dam pha xanh"),
        ("Cty TNHH MTV Thủy Sản Đầm Phá Xanh", "thuy san dam pha xanh"),
        ("ĐH Khoa học - ĐH Huế", "khoa hoc dai hoc hue"),
        ("Trường Đại học Khoa học, Đại học Huế", "khoa hoc dai hoc hue"),
        ("Hợp tác xã Nông nghiệp Thủy Thanh", "nong nghiep thuy thanh"),
    ],
)
def test_organisation_name_key(name, key):
    assert organisation_name_key(name) == key


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("PGS.TS. Nguyễn Văn An", "nguyen van an"),
        ("PGS. TS Nguyễn Văn An", "nguyen van an"),
        ("Nguyen Van An", "nguyen van an"),
        ("GS.TSKH. Trần Thị Bình", "tran thi binh"),
        ("ThS.BS. Lê Cần", "le can"),
        # Surnames that begin like an honorific are names, not titles.
        ("Ksor H'Bia", "ksor h bia"),
        ("Tsang Minh Hải", "tsang minh hai"),
        ("Cnô Vy", "cno vy"),
    ],
)
def test_person_name_key(name, key):
    assert person_name_key(name) == key


def test_person_name_variants_and_orcid(make_person):
    an = make_person("Nguyễn Văn An", honorific="PGS.TS.")
    assert [c.record.id for c in person_candidates("Nguyen Van An")] == [an.id]
    assert [c.record.id for c in person_candidates("PGS.TS. Nguyễn Văn An")] == [an.id]
    assert person_candidates("Nguyễn Văn Bình") == []

    other = make_person("Trần Thị Hoa", orcid=ORCID)
    found = person_candidates("Tran T. Hoa (khác)", orcid=ORCID)
    assert [(c.record.id, c.reason) for c in found] == [(other.id, "orcid")]
    found = person_candidates("Người khác hẳn", email="AN@huaf.edu.vn")
    assert found == []
    an.email = "an@huaf.edu.vn"
    db.session.flush()
    assert [c.reason for c in person_candidates("Người khác hẳn", email="AN@huaf.edu.vn")] == [
        "email"
    ]


# The create pages --------------------------------------------------------------------


def org_form(name: str, **extra) -> dict[str, str]:
    return {
        "kind": "enterprise",
        "name_vi": name,
        "province": "Thành phố Huế",
        "tax_code": "",
        "ror_id": "",
        "website": "",
        **extra,
    }


def test_create_organisation_shows_candidates_and_saves_after_confirm(client, world):
    login(client, world.users["outsider"])
    before = count(Organisation), audit_count()
    response = client.post("/organisations/new", data=org_form("CTCP Thuy San Dam Pha Xanh"))
    assert response.status_code == 422
    page = response.text
    assert 'data-testid="duplicates"' in page
    assert f'href="/organisations/{world.other.id}"' in page
    assert "Có thể tổ chức này đã có trên nền tảng." in " ".join(flashes(response))
    assert 'name="confirm_new"' in page
    assert (count(Organisation), audit_count()) == before

    response = client.post(
        "/organisations/new", data=org_form("CTCP Thuy San Dam Pha Xanh", confirm_new="y")
    )
    assert response.status_code == 302
    assert count(Organisation) == before[0] + 1


def test_an_exact_copy_of_an_organisation_name_is_a_join_request_not_a_new_admin(client, world):

    outsider = world.users["outsider"]
    login(client, outsider)
    before = count(Organisation), count(OrgMembership)
    name = world.other.name_vi
    for typed in (name, name.upper(), "Cong ty TNHH  Thuy san Dam Pha Xanh"):
        response = client.post("/organisations/new", data=org_form(typed, confirm_new="y"))
        assert response.status_code == 422
        assert (
            f"Tổ chức «{name}» (#{world.other.id}) đã có trên nền tảng. Nếu bạn thuộc tổ chức "
            "này, hãy mở trang của tổ chức và chọn «Tham gia tổ chức»"
        ) in response.text
    assert (count(Organisation), count(OrgMembership)) == before
    assert world.other.id not in outsider.admin_org_ids


def test_create_organisation_without_lookalike_saves_at_once(client, world):
    login(client, world.users["outsider"])
    response = client.post("/organisations/new", data=org_form("Hợp tác xã Rau sạch Hương Trà"))
    assert response.status_code == 302


@pytest.mark.parametrize("typed", [TAX_CODE, "330 123 4568", "3301.234.568"])
def test_same_tax_code_is_refused_even_after_confirm(client, world, make_org, typed):
    make_org("Công ty Cổ phần Dệt may Huế", tax_code=TAX_CODE)
    login(client, world.users["outsider"])
    before = count(Organisation), audit_count()
    for confirm in ("", "y"):
        response = client.post(
            "/organisations/new",
            data=org_form("Công ty May Xuất khẩu Phú Bài", tax_code=typed, confirm_new=confirm),
        )
        assert response.status_code == 422
        assert field_error(response, "tax_code") == "Mã số thuế này đã thuộc về một tổ chức khác."
    assert (count(Organisation), audit_count()) == before


def test_edit_cannot_take_another_organisations_tax_code(client, world, make_org):
    make_org("Công ty Cổ phần Dệt may Huế", tax_code=TAX_CODE)
    login(client, world.users["org_admin"])
    audits = audit_count()
    response = client.post(
        f"/organisations/{world.owner.id}/edit",
        data=org_form(world.owner.name_vi, kind="university", tax_code=TAX_CODE),
    )
    assert response.status_code == 422
    assert field_error(response, "tax_code") == "Mã số thuế này đã thuộc về một tổ chức khác."
    assert audit_count() == audits
    db.session.expire_all()
    assert db.session.get(Organisation, world.owner.id).tax_code is None


def person_form(name: str, **extra) -> dict[str, str]:
    return {
        "honorific": "",
        "full_name": name,
        "email": "",
        "orcid": "",
        "organisation_id": "0",
        **extra,
    }


def test_create_person_shows_candidates_and_saves_after_confirm(client, world, make_person):
    an = make_person("Nguyễn Văn An", world.owner, honorific="PGS.TS.")
    login(client, world.users["member"])
    before = count(Person), audit_count()
    org = str(world.owner.id)
    response = client.post("/people/new", data=person_form("Nguyen Van An", organisation_id=org))
    assert response.status_code == 422
    assert 'data-testid="duplicates"' in response.text
    assert f'href="/people/{an.id}"' in response.text
    assert (count(Person), audit_count()) == before

    response = client.post(
        "/people/new", data=person_form("Nguyen Van An", organisation_id=org, confirm_new="y")
    )
    assert response.status_code == 302
    assert count(Person) == before[0] + 1


def test_a_member_must_say_which_organisation_a_new_person_belongs_to(client, world):
    login(client, world.users["member"])
    before = count(Person), audit_count()
    response = client.post("/people/new", data=person_form("Phan Văn Mới"))
    assert response.status_code == 422
    assert field_error(response, "organisation_id") == "Hãy chọn đơn vị công tác của người này."
    assert (count(Person), audit_count()) == before


def test_same_orcid_is_refused_even_after_confirm(client, world, make_person):
    make_person("Trần Thị Hoa", orcid=ORCID)
    login(client, world.users["member"])
    before = count(Person), audit_count()
    for confirm in ("", "y"):
        response = client.post(
            "/people/new",
            data=person_form(
                "Hoàng Minh Tuấn",
                orcid=f"https://orcid.org/{ORCID}",
                confirm_new=confirm,
                organisation_id=str(world.owner.id),
            ),
        )
        assert response.status_code == 422
        assert field_error(response, "orcid") == "ORCID này đã thuộc về một người khác."
    assert (count(Person), audit_count()) == before


# Merging ------------------------------------------------------------------------------


@pytest.fixture
def org_pair(make_org, make_member, make_user, make_person, make_group, make_listing):
    """A survivor and a duplicate that holds one of every kind of link."""
    survivor = make_org("Công ty TNHH Thủy sản Đầm Phá Xanh", kind=OrgKind.enterprise)
    merged = make_org(
        "CTCP Thuy San Dam Pha Xanh",
        kind=OrgKind.enterprise,
        tax_code=TAX_CODE,
        website="https://damphaxanh.vn",
    )
    staff = make_person("Phan Văn Lợi", merged)
    group = make_group(merged, "Nhóm R&D Đầm Phá Xanh", leader=staff, members=[staff])
    listings = {kind: make_listing(kind, merged) for kind in LISTING_MODELS}
    only_merged = make_member(merged)
    both = make_member(survivor)
    make_member(merged, user=both)
    return {
        "survivor": survivor,
        "merged": merged,
        "staff": staff,
        "group": group,
        "listings": listings,
        "only_merged": only_merged,
        "both": both,
    }


def test_merge_organisations_moves_every_link(client, world, org_pair):
    survivor, merged = org_pair["survivor"], org_pair["merged"]
    admin = world.users["platform_admin"]
    login(client, admin)
    page = client.get(f"/organisations/{merged.id}/merge")
    assert page.status_code == 200
    assert f'value="{survivor.id}"' in page.text  # offered as a likely duplicate

    response = client.post(
        f"/organisations/{merged.id}/merge", data={"survivor_id": str(survivor.id)}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/organisations/{survivor.id}")

    db.session.expire_all()
    survivor = db.session.get(Organisation, survivor.id)
    merged = db.session.get(Organisation, merged.id)
    assert merged.merged_into_id == survivor.id
    assert survivor.tax_code == TAX_CODE and merged.tax_code is None
    assert survivor.website == "https://damphaxanh.vn"
    assert db.session.get(ResearchGroup, org_pair["group"].id).organisation_id == survivor.id
    memberships = db.session.scalars(
        select(Membership).where(Membership.person_id == org_pair["staff"].id)
    ).all()
    assert [m.organisation_id for m in memberships] == [survivor.id]
    for kind, listing in org_pair["listings"].items():
        assert db.session.get(LISTING_MODELS[kind], listing.id).organisation_id == survivor.id
    links = db.session.scalars(
        select(OrgMembership.user_id, OrgMembership.organisation_id).where(
            OrgMembership.user_id.in_([org_pair["only_merged"].id, org_pair["both"].id])
        )
    )
    links = db.session.execute(
        select(OrgMembership.user_id, OrgMembership.organisation_id).where(
            OrgMembership.user_id.in_([org_pair["only_merged"].id, org_pair["both"].id])
        )
    ).all()
    assert sorted(links) == sorted(
        [(org_pair["only_merged"].id, survivor.id), (org_pair["both"].id, survivor.id)]
    )

    rows = audit_rows("organisation.merged")
    assert len(rows) == 1
    assert rows[0].actor_id == admin.id and rows[0].object_id == str(survivor.id)
    assert rows[0].summary.get("merged_id") == merged.id

    redirect = client.get(f"/organisations/{merged.id}")
    assert redirect.status_code == 301
    assert redirect.headers["Location"].endswith(f"/organisations/{survivor.id}")

    # Search follows: the merged record is gone, everything is found under the survivor.
    assert result_links(client.get("/search?q=dam+pha+xanh&kind=organisation")) == [
        f"/organisations/{survivor.id}"
    ]
    under_survivor = set(result_links(client.get(f"/search?organisation={survivor.id}")))
    expected = {f"/{kind}s/{item.id}" for kind, item in org_pair["listings"].items()}
    expected |= {f"/groups/{org_pair['group'].id}", f"/people/{org_pair['staff'].id}"}
    assert expected <= under_survivor
    assert result_links(client.get(f"/search?organisation={merged.id}")) == []
    assert organisation_candidates("CTCP Thuy San Dam Pha Xanh") and all(
        c.record.id != merged.id for c in organisation_candidates("CTCP Thuy San Dam Pha Xanh")
    )


def test_member_of_merged_organisation_keeps_access(client, world, org_pair):
    login(client, world.users["platform_admin"])
    client.post(
        f"/organisations/{org_pair['merged'].id}/merge",
        data={"survivor_id": str(org_pair["survivor"].id)},
    )
    client.post("/auth/logout")
    login(client, org_pair["only_merged"])
    need = org_pair["listings"]["need"]
    assert client.get(f"/needs/{need.id}/edit").status_code == 200


@pytest.mark.parametrize("survivor", ["self", "already_merged", "missing", "abc"])
def test_merge_refusals_change_nothing(client, world, make_org, survivor):
    merged = make_org("CTCP Thuy San Dam Pha Xanh")
    gone = make_org("Cty Thủy sản Đầm Phá Xanh", merged_into_id=world.other.id)
    survivor_id = {"self": merged.id, "already_merged": gone.id, "missing": 999999, "abc": "abc"}
    login(client, world.users["platform_admin"])
    audits = audit_count()
    response = client.post(
        f"/organisations/{merged.id}/merge", data={"survivor_id": str(survivor_id[survivor])}
    )
    expected = {"self": 302, "already_merged": 302, "missing": 404, "abc": 400}
    assert response.status_code == expected[survivor]
    if response.status_code == 302:
        message = {
            "self": "Không thể gộp hai hồ sơ này.",
            "already_merged": "Một trong hai hồ sơ đã được gộp vào hồ sơ khác. Hãy tải lại"
            " trang để xem.",
        }[survivor]
        assert message in flashes(client.get(response.headers["Location"]))
    assert audit_count() == audits
    db.session.expire_all()
    assert db.session.get(Organisation, merged.id).merged_into_id is None


def test_merge_people_moves_every_link(client, world, make_person, make_group, make_user):
    account = make_user()
    survivor = make_person("Nguyễn Văn An", world.owner, honorific="PGS.TS.", expertise=["tôm"])
    merged = make_person(
        "Nguyen Van An",
        world.owner,
        orcid=ORCID,
        account=account,
        email="an@huaf.edu.vn",
        expertise=["tôm", "cua"],
    )
    # An affiliation the survivor lacks.
    merged.memberships.append(Membership(organisation_id=world.other.id, position="Cố vấn"))
    db.session.flush()
    member_of = make_group(world.owner, "Nhóm Tôm nước lợ", members=[merged])
    both_in = make_group(world.owner, "Nhóm Cua biển", members=[merged, survivor])
    led = make_group(world.other, "Nhóm Kỹ thuật ao", leader=merged)

    admin = world.users["platform_admin"]
    login(client, admin)
    assert f'value="{survivor.id}"' in client.get(f"/people/{merged.id}/merge").text
    response = client.post(f"/people/{merged.id}/merge", data={"survivor_id": str(survivor.id)})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/people/{survivor.id}")

    db.session.expire_all()
    survivor = db.session.get(Person, survivor.id)
    merged = db.session.get(Person, merged.id)
    assert merged.merged_into_id == survivor.id
    assert survivor.orcid == ORCID and merged.orcid is None
    assert survivor.user_id == account.id and merged.user_id is None
    assert survivor.email == "an@huaf.edu.vn"
    assert survivor.expertise == ["tôm", "cua"]
    assert sorted(m.organisation_id for m in survivor.memberships) == sorted(
        [world.owner.id, world.other.id]
    )
    assert merged.memberships == []
    for group in (member_of, both_in):
        people = db.session.get(ResearchGroup, group.id).members
        assert survivor in people and merged not in people
        assert len(people) == len(set(people))
    assert db.session.get(ResearchGroup, led.id).leader_id == survivor.id

    rows = audit_rows("person.merged")
    assert len(rows) == 1 and rows[0].summary.get("merged_id") == merged.id
    redirect = client.get(f"/people/{merged.id}")
    assert redirect.status_code == 301
    assert redirect.headers["Location"].endswith(f"/people/{survivor.id}")
    assert result_links(client.get("/search?q=nguyen+van+an&kind=person")) == [
        f"/people/{survivor.id}"
    ]
    # The account now edits the surviving profile.
    client.post("/auth/logout")
    login(client, account)
    assert client.get(f"/people/{survivor.id}/edit").status_code == 200


def test_same_ror_id_is_refused(client, world, make_org):
    make_org("Đại học Huế", kind=OrgKind.university, ror_id="05dxps055")
    login(client, world.users["outsider"])
    before = count(Organisation), audit_count()
    response = client.post(
        "/organisations/new",
        data=org_form(
            "Viện Công nghệ sinh học Huế",
            kind="research_institute",
            ror_id="https://ror.org/05dxps055",
            confirm_new="y",
        ),
    )
    assert response.status_code == 422
    assert field_error(response, "ror_id") == "Mã ROR này đã thuộc về một tổ chức khác."
    assert (count(Organisation), audit_count()) == before


def test_merge_does_not_duplicate_an_affiliation(client, world, make_org, make_person):
    survivor = make_org("Công ty TNHH Thủy sản Đầm Phá Xanh")
    merged = make_org("CTCP Thuy San Dam Pha Xanh")
    person = make_person("Phan Văn Lợi", survivor, position="Giám đốc")
    person.memberships.append(Membership(organisation_id=merged.id, position="Kỹ sư"))
    db.session.flush()
    login(client, world.users["platform_admin"])
    client.post(f"/organisations/{merged.id}/merge", data={"survivor_id": str(survivor.id)})
    db.session.expire_all()
    affiliations = db.session.scalars(
        select(Membership).where(Membership.person_id == person.id)
    ).all()
    assert [(m.organisation_id, m.position) for m in affiliations] == [(survivor.id, "Giám đốc")]
    page = client.get(f"/people/{person.id}").text
    assert page.count(f'href="/organisations/{survivor.id}"') == 1
