"""Registry operations: organisations, people and research groups.

Each changes and flushes, keeps the search index in step, writes the audit row and
announces the change; none commits. Listings (results, needs, startups, investors) are in
listing_operations.py.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, select, update

from ecosystem.auth.models import MembershipStatus, OrgMembership, OrgRole
from ecosystem.core.audit import record_audit
from ecosystem.core.errors import UserError
from ecosystem.core.models import form_value
from ecosystem.core.tasks import enqueue_after_commit
from ecosystem.core.text import fold
from ecosystem.core.transitions import lock_current
from ecosystem.extensions import db
from ecosystem.registry import permissions as perms
from ecosystem.registry.enums import OrgKind
from ecosystem.registry.identifiers import organisation_name_key, person_name_key
from ecosystem.registry.models import (
    LISTING_MODELS,
    Membership,
    Organisation,
    Person,
    ResearchField,
    ResearchGroup,
    group_members,
)
from ecosystem.registry.ownership import check_own_organisation
from ecosystem.registry.search_index import index_record, remove_record
from ecosystem.registry.signals import record_saved, records_merged
from ecosystem.registry.tasks import reindex_organisation

ORG_FIELDS = (
    "name_vi",
    "name_en",
    "short_name",
    "tax_code",
    "ror_id",
    "province",
    "address",
    "website",
    "description",
)
PERSON_FIELDS = ("honorific", "full_name", "email", "phone", "orcid", "expertise", "bio")


def _snapshot(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {f: getattr(obj, f) for f in fields}


def _changes(
    before: dict[str, Any], after: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    keys = [k for k in after if before.get(k) != after[k]]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def _unique(model: Any, column: str, value: Any, exclude_id: int | None, message: str) -> None:
    if value in (None, ""):
        return
    found = db.session.scalar(select(model.id).where(getattr(model, column) == value))
    if found is not None and found != exclude_id:
        raise UserError(message, field=column)


def _save(kind: str, obj: Any, action: str, before: dict | None, after: dict, user: Any) -> None:
    db.session.flush()
    index_record(kind, obj)
    if before is None:
        record_audit(action, obj, actor=user, after=after)
    else:
        changed_before, changed_after = _changes(before, after)
        record_audit(action, obj, actor=user, before=changed_before, after=changed_after)
    record_saved.send(kind, obj=obj, substantial=True)


# Organisations ------------------------------------------------------------------------


def _apply_org(org: Organisation, data: dict[str, Any]) -> None:
    for name in ORG_FIELDS:
        if name in data:
            setattr(org, name, form_value(Organisation, name, data[name]))
    org.tax_code = org.tax_code or None
    org.ror_id = org.ror_id or None
    if "kind" in data:
        org.kind = OrgKind(data["kind"])
    org.name_key = organisation_name_key(org.name_vi)


def _refuse_exact_copy(name: str) -> None:
    """A second organisation under exactly the same name (up to case, accents and spaces;
    another legal form is another name) would make its registrant look like
    the real one's administrator: they ask to join the existing one instead (its
    administrators approve). Similar names are only warned about (the forms' duplicates)."""
    exact = " ".join(fold(name).split())
    existing = next(
        (
            org
            for org in db.session.scalars(
                select(Organisation).where(
                    Organisation.name_key == organisation_name_key(name),
                    Organisation.merged_into_id.is_(None),
                )
            )
            if " ".join(fold(org.name_vi).split()) == exact
        ),
        None,
    )
    if existing is not None:
        raise UserError(
            _(
                "Tổ chức «%(name)s» (#%(id)d) đã có trên nền tảng. Nếu bạn thuộc tổ chức "
                "này, hãy mở trang của tổ chức và chọn «Tham gia tổ chức»; quản trị viên của "
                "tổ chức sẽ duyệt.",
                name=existing.name_vi,
                id=existing.id,
            ),
            field="name_vi",
        )


def create_organisation(data: dict[str, Any], user: Any) -> Organisation:
    _unique(
        Organisation,
        "tax_code",
        data.get("tax_code") or None,
        None,
        _("Mã số thuế này đã thuộc về một tổ chức khác."),
    )
    _unique(
        Organisation,
        "ror_id",
        data.get("ror_id") or None,
        None,
        _("Mã ROR này đã thuộc về một tổ chức khác."),
    )
    _refuse_exact_copy(data["name_vi"])
    org = Organisation(kind=OrgKind(data["kind"]), name_vi=data["name_vi"])
    _apply_org(org, data)
    db.session.add(org)
    db.session.flush()
    if user is not None:
        # Whoever registers an organisation administers it until they hand it over.
        db.session.add(
            OrgMembership(
                user_id=user.id,
                organisation_id=org.id,
                role=OrgRole.admin,
                status=MembershipStatus.active,
            )
        )
    _save("organisation", org, "organisation.created", None, _snapshot(org, ORG_FIELDS), user)
    return org


def update_organisation(org: Organisation, data: dict[str, Any], user: Any) -> None:
    _unique(
        Organisation,
        "tax_code",
        data.get("tax_code") or None,
        org.id,
        _("Mã số thuế này đã thuộc về một tổ chức khác."),
    )
    _unique(
        Organisation,
        "ror_id",
        data.get("ror_id") or None,
        org.id,
        _("Mã ROR này đã thuộc về một tổ chức khác."),
    )
    before = _snapshot(org, ORG_FIELDS)
    _apply_org(org, data)
    after = _snapshot(org, ORG_FIELDS)
    _save("organisation", org, "organisation.updated", before, after, user)
    if any(before[name] != after[name] for name in ("name_vi", "province")):
        # Its groups, people and listings show (and are found and filtered by) these:
        # thousands of records for a big university, so in the background, after commit.
        enqueue_after_commit(reindex_organisation, org.id)


def _check_mergeable(survivor: Any, merged: Any) -> None:
    if survivor.id == merged.id:
        raise UserError(_("Không thể gộp hai hồ sơ này."))
    if merged.merged_into_id is not None or survivor.merged_into_id is not None:
        raise UserError(
            _("Một trong hai hồ sơ đã được gộp vào hồ sơ khác. Hãy tải lại trang để xem.")
        )


def merge_organisations(survivor: Organisation, merged: Organisation, user: Any) -> dict[str, int]:
    """Move every link of ``merged`` to ``survivor``; ``merged`` remains as a pointer."""
    # Two administrators may merge A into B and B into A at the same moment: each locks
    # both rows and judges them as they are now, so the second is refused.
    lock_current(survivor, merged)
    _check_mergeable(survivor, merged)
    moved: dict[str, int] = {}
    # A person affiliated with both keeps the survivor's affiliation only.
    db.session.execute(
        delete(Membership).where(
            Membership.organisation_id == merged.id,
            Membership.person_id.in_(
                select(Membership.person_id).where(Membership.organisation_id == survivor.id)
            ),
        ),
        execution_options={"synchronize_session": "fetch"},
    )
    for model in (ResearchGroup, Membership, *LISTING_MODELS.values()):
        result = db.session.execute(
            update(model)
            .where(model.organisation_id == merged.id)
            .values(organisation_id=survivor.id)
        )
        moved[model.__tablename__] = result.rowcount or 0
    moved["org_memberships"] = _move_access(merged.id, survivor.id)
    for name in ("tax_code", "ror_id"):
        if getattr(survivor, name) is None and getattr(merged, name) is not None:
            value = getattr(merged, name)
            setattr(merged, name, None)
            db.session.flush()
            setattr(survivor, name, value)
    for name in ("name_en", "short_name", "website", "address", "description"):
        if not getattr(survivor, name) and getattr(merged, name):
            setattr(survivor, name, getattr(merged, name))
    merged.merged_into_id = survivor.id
    merged.tax_code = merged.ror_id = None
    db.session.flush()
    remove_record("organisation", merged.id)
    db.session.expire_all()  # the bulk updates above moved rows behind the ORM's back
    index_record("organisation", survivor)
    reindex_organisation_records(survivor)
    record_audit("organisation.merged", survivor, actor=user, merged_id=merged.id, moved=moved)
    records_merged.send("organisation", survivor=survivor, merged=merged)
    return moved


def _move_access(from_id: int, to_id: int) -> int:
    moved = 0
    existing = set(
        db.session.scalars(
            select(OrgMembership.user_id).where(OrgMembership.organisation_id == to_id)
        )
    )
    for link in db.session.scalars(
        select(OrgMembership).where(OrgMembership.organisation_id == from_id)
    ):
        if link.user_id in existing:
            db.session.delete(link)  # the user already has access to the survivor
        else:
            link.organisation_id = to_id
            moved += 1
    return moved


def reindex_organisation_records(org: Organisation) -> None:
    """Refresh the search entries of everything that shows the organisation's name or
    province, and tell matching about its listings. The caller commits."""
    for group in org.groups:
        index_record("group", group)
    # People's entries name their organisation and are filtered by it.
    for person in db.session.scalars(
        select(Person).where(
            Person.merged_into_id.is_(None),
            Person.memberships.any(Membership.organisation_id == org.id),
        )
    ):
        index_record("person", person)
    for kind, model in LISTING_MODELS.items():
        for listing in db.session.scalars(select(model).where(model.organisation_id == org.id)):
            index_record(kind, listing)
            record_saved.send(kind, obj=listing, substantial=False)


# People -------------------------------------------------------------------------------


def _apply_person(person: Person, data: dict[str, Any]) -> None:
    for name in PERSON_FIELDS:
        if name in data:
            value = data[name] if name != "expertise" else data[name] or []
            setattr(person, name, form_value(Person, name, value))
    person.orcid = person.orcid or None
    person.name_key = person_name_key(person.full_name)


def _set_affiliation(person: Person, organisation_id: int | None, position: str) -> None:
    if not organisation_id:
        return
    current = next(
        (
            m
            for m in person.memberships
            if m.organisation_id == organisation_id and m.ended_on is None
        ),
        None,
    )
    if current is None:
        person.memberships.append(
            Membership(organisation_id=organisation_id, position=position or "")
        )
    else:
        current.position = position or current.position


def create_person(data: dict[str, Any], user: Any) -> Person:
    if user is not None and not user.is_admin and not data.get("organisation_id"):
        raise UserError(_("Hãy chọn đơn vị công tác của người này."), field="organisation_id")
    check_own_organisation(user, data.get("organisation_id"), perms.can_create_person)
    _unique(
        Person, "orcid", data.get("orcid") or None, None, _("ORCID này đã thuộc về một người khác.")
    )
    person = Person(full_name=data["full_name"])
    _apply_person(person, data)
    db.session.add(person)
    _set_affiliation(person, data.get("organisation_id"), data.get("position", ""))
    _save("person", person, "person.created", None, _snapshot(person, PERSON_FIELDS), user)
    return person


def update_person(person: Person, data: dict[str, Any], user: Any) -> None:
    _unique(
        Person,
        "orcid",
        data.get("orcid") or None,
        person.id,
        _("ORCID này đã thuộc về một người khác."),
    )
    before = _snapshot(person, PERSON_FIELDS)
    _apply_person(person, data)
    _set_affiliation(person, data.get("organisation_id"), data.get("position", ""))
    _save("person", person, "person.updated", before, _snapshot(person, PERSON_FIELDS), user)


def merge_people(survivor: Person, merged: Person, user: Any) -> dict[str, int]:
    # Two administrators may merge A into B and B into A at the same moment: each locks
    # both rows and judges them as they are now, so the second is refused.
    lock_current(survivor, merged)
    _check_mergeable(survivor, merged)
    moved = {"memberships": 0, "groups": 0, "led_groups": 0}
    held = {(m.organisation_id) for m in survivor.memberships}
    for link in list(merged.memberships):
        if link.organisation_id in held:
            merged.memberships.remove(link)
        else:
            link.person_id = survivor.id
            moved["memberships"] += 1
    survivor_groups = set(
        db.session.scalars(
            select(group_members.c.research_group_id).where(
                group_members.c.person_id == survivor.id
            )
        )
    )
    for group_id in db.session.scalars(
        select(group_members.c.research_group_id).where(group_members.c.person_id == merged.id)
    ).all():
        db.session.execute(
            group_members.delete().where(
                group_members.c.person_id == merged.id,
                group_members.c.research_group_id == group_id,
            )
        )
        if group_id not in survivor_groups:
            db.session.execute(
                group_members.insert().values(research_group_id=group_id, person_id=survivor.id)
            )
            moved["groups"] += 1
    moved["led_groups"] = (
        db.session.execute(
            update(ResearchGroup)
            .where(ResearchGroup.leader_id == merged.id)
            .values(leader_id=survivor.id)
        ).rowcount
        or 0
    )
    if survivor.orcid is None and merged.orcid:
        orcid, merged.orcid = merged.orcid, None
        db.session.flush()
        survivor.orcid = orcid
    if survivor.user_id is None and merged.user_id is not None:
        user_id, merged.user_id = merged.user_id, None
        db.session.flush()
        survivor.user_id = user_id
    survivor.expertise = list(
        dict.fromkeys([*(survivor.expertise or []), *(merged.expertise or [])])
    )
    survivor.email = survivor.email or merged.email
    merged.merged_into_id = survivor.id
    db.session.flush()
    remove_record("person", merged.id)
    db.session.expire(survivor)
    index_record("person", survivor)
    record_audit("person.merged", survivor, actor=user, merged_id=merged.id, moved=moved)
    records_merged.send("person", survivor=survivor, merged=merged)
    return moved


# Research groups ----------------------------------------------------------------------


def _fields(codes: list[str]) -> list[ResearchField]:
    if not codes:
        return []
    return list(db.session.scalars(select(ResearchField).where(ResearchField.code.in_(codes))))


def save_group(group: ResearchGroup | None, data: dict[str, Any], user: Any) -> ResearchGroup:
    check_own_organisation(user, data["organisation_id"], perms.can_create_group)
    created = group is None
    group = group or ResearchGroup(organisation_id=data["organisation_id"], name_vi=data["name_vi"])
    before = (
        None if created else {"name_vi": group.name_vi, "fields": [f.code for f in group.fields]}
    )
    group.organisation_id = data["organisation_id"]
    group.name_vi = data["name_vi"].strip()
    group.name_en = (data.get("name_en") or "").strip()
    group.description = data.get("description") or ""
    group.fields = _fields(data.get("field_codes") or [])
    db.session.add(group)
    db.session.flush()
    after = {"name_vi": group.name_vi, "fields": [f.code for f in group.fields]}
    _save("group", group, "group.created" if created else "group.updated", before, after, user)
    return group


def choose_group_people(
    group: ResearchGroup, leader_id: int | None, member_ids: list[int], user: Any
) -> None:
    """The group form's choice: leader and members among the organisation's people (an id
    of anybody else is ignored, so a forged form adds nobody from outside)."""
    allowed = {
        p.id: p
        for p in db.session.scalars(
            select(Person).where(Person.memberships.any(organisation_id=group.organisation_id))
        )
    }
    set_group_people(
        group, allowed.get(leader_id or 0), [allowed[i] for i in member_ids if i in allowed], user
    )


def set_group_people(
    group: ResearchGroup, leader: Person | None, members: list[Person], user: Any
) -> None:
    group.leader_id = leader.id if leader else None
    group.members = list(dict.fromkeys(members + ([leader] if leader else [])))
    db.session.flush()
    record_audit(
        "group.people_changed",
        group,
        actor=user,
        leader_id=group.leader_id,
        members=[p.id for p in group.members],
    )
    index_record("group", group)
    record_saved.send("group", obj=group, substantial=True)
