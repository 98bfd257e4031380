"""Rules that used to live in views, now in operations and permissions: people are added
by members for their own organisation, groups and listings belong to an organisation of the
user, a group's people come from its organisation, and which kinds a user may import."""

from __future__ import annotations

import pytest

from ecosystem.core.errors import UserError
from ecosystem.registry import listing_operations as listing_ops
from ecosystem.registry import operations as ops
from ecosystem.registry import permissions as perms
from tests.auth_helpers import login

PERSON = {"full_name": "Phan Văn Mới", "email": "", "orcid": None, "expertise": []}
NOT_YOURS = "Bạn không thuộc tổ chức này."


def test_a_member_adds_people_to_an_own_organisation_only(world):
    member = world.users["member"]
    with pytest.raises(UserError) as refused:
        ops.create_person({**PERSON, "organisation_id": None}, member)
    assert (refused.value.field, refused.value.message) == (
        "organisation_id",
        "Hãy chọn đơn vị công tác của người này.",
    )
    with pytest.raises(UserError) as refused:
        ops.create_person({**PERSON, "organisation_id": world.other.id}, member)
    assert (refused.value.field, refused.value.message, refused.value.status) == (
        "organisation_id",
        NOT_YOURS,
        403,
    )
    assert ops.create_person({**PERSON, "organisation_id": world.owner.id}, member).id
    # Administrators (and the platform itself) may add a person of no organisation.
    assert ops.create_person({**PERSON, "organisation_id": None}, world.users["platform_admin"])
    assert ops.create_person({**PERSON, "organisation_id": None}, None)


@pytest.mark.parametrize(
    ("role", "own", "other", "any_org"),
    [
        ("anonymous", False, False, False),
        ("outsider", False, False, False),
        ("member", True, False, True),
        ("other_member", False, True, True),
        ("platform_admin", True, True, True),
    ],
)
def test_can_create_person_judges_the_organisation(world, role, own, other, any_org):
    user = world.users[role]
    assert perms.can_create_person(user, world.owner) is own
    assert perms.can_create_person(user, world.other) is other
    assert perms.can_create_person(user) is any_org


def test_a_group_belongs_to_an_own_organisation(world):
    data = {"organisation_id": world.other.id, "name_vi": "Nhóm lạ", "field_codes": []}
    with pytest.raises(UserError) as refused:
        ops.save_group(None, data, world.users["member"])
    assert (refused.value.message, refused.value.status) == (NOT_YOURS, 403)
    assert ops.save_group(None, {**data, "organisation_id": world.owner.id}, world.users["member"])


def test_group_people_come_from_its_organisation(world, make_person, make_group):
    colleague = make_person("TS. Đồng nghiệp", world.owner)
    stranger = make_person("Người ngoài", world.other)
    group = make_group(world.owner, "Nhóm Rong biển")
    ops.choose_group_people(group, stranger.id, [colleague.id, stranger.id, 999999], None)
    assert group.leader_id is None
    assert group.members == [colleague]
    ops.choose_group_people(group, colleague.id, [], None)
    assert group.leader_id == colleague.id and group.members == [colleague]


def test_a_listing_is_filed_for_and_moved_to_an_own_organisation_only(world, make_need):
    member = world.users["member"]
    need = make_need(world.owner, user=member)
    data = {
        "organisation_id": world.other.id,
        "title": "Nhu cầu lạ",
        "problem": "Vấn đề",
        "field_code": "aquaculture",
        "trl_wanted": 5,
    }
    with pytest.raises(UserError) as refused:
        listing_ops.create_listing("need", data, member)
    assert (refused.value.field, refused.value.message) == ("organisation_id", NOT_YOURS)
    with pytest.raises(UserError):
        listing_ops.update_listing("need", need, {"organisation_id": world.other.id}, member)
    assert need.organisation_id == world.owner.id


@pytest.mark.parametrize(
    ("role", "kinds"),
    [
        ("anonymous", set()),
        ("outsider", set()),
        ("member", {"result", "need", "person"}),
        ("platform_admin", {"organisation", "result", "need", "person"}),
    ],
)
def test_can_import_by_kind(world, role, kinds):
    user = world.users[role]
    for kind in ("organisation", "result", "need", "person"):
        assert perms.can_import(user, kind) is (kind in kinds), kind
    if role == "member":
        assert perms.can_import(user, "result", world.owner)
        assert not perms.can_import(user, "result", world.other)


def test_import_form_offers_the_permitted_kinds(client, world):
    login(client, world.users["member"])
    page = client.get("/imports/new").get_data(as_text=True)
    assert 'value="result"' in page and 'value="organisation"' not in page


def test_list_pages_offer_the_import_only_for_permitted_kinds(client, world):
    login(client, world.users["member"])
    assert "/imports/new?kind=result" in client.get("/results/").get_data(as_text=True)
    assert "/imports/new?kind=organisation" not in client.get("/organisations").get_data(
        as_text=True
    )
