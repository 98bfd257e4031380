"""Loads the Huế demo registry from ecosystem/registry/seed/*.json.

Idempotent: every record is found by its natural key (tax code or name, e-mail, title)
before it is created, so a second run creates nothing. Records go through the same
operations as the pages, so the search index and the audit log are filled too.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import select

from ecosystem.extensions import db
from ecosystem.registry import listing_operations as listing_ops
from ecosystem.registry import operations as ops
from ecosystem.registry.enums import ListingState
from ecosystem.registry.models import (
    LISTING_MODELS,
    Organisation,
    Person,
    ResearchField,
    ResearchGroup,
)

SEED_DIR = Path(__file__).parent / "seed"


@cache
def load(name: str) -> list[dict[str, Any]]:
    return json.loads((SEED_DIR / f"{name}.json").read_text(encoding="utf-8"))


class Keys:
    """Seed keys → database ids, filled as records are found or created."""

    def __init__(self) -> None:
        self.orgs: dict[str, int] = {}
        self.people: dict[str, int] = {}
        self.groups: dict[str, int] = {}


def seed_registry() -> int:
    keys = Keys()
    created = _taxonomy()
    created += _organisations(keys)
    created += _people(keys)
    created += _groups(keys)
    created += _listings(keys)
    db.session.flush()
    return created


def org_ids_by_key() -> dict[str, int]:
    """For other seed parts (accounts, labs, fund): organisation key → id."""
    keys = Keys()
    _organisations(keys, create=False)
    return keys.orgs


def _taxonomy() -> int:
    created = 0
    existing = set(db.session.scalars(select(ResearchField.code)))
    # Parents first, so the foreign key to the parent always resolves.
    for row in sorted(load("taxonomy"), key=lambda r: r["parent"] is not None):
        if row["code"] not in existing:
            db.session.add(
                ResearchField(
                    code=row["code"],
                    name_vi=row["name_vi"],
                    name_en=row["name_en"],
                    parent_code=row["parent"],
                )
            )
            db.session.flush()
            created += 1
    return created


def _organisations(keys: Keys, create: bool = True) -> int:
    created = 0
    for row in load("organisations"):
        found = None
        if row.get("tax_code"):
            found = db.session.scalar(
                select(Organisation).where(Organisation.tax_code == row["tax_code"])
            )
        found = found or db.session.scalar(
            select(Organisation).where(Organisation.name_vi == row["name_vi"])
        )
        if found is None and create:
            data = {k: row.get(k) for k in ("kind", *ops.ORG_FIELDS)}
            data = {
                k: ("" if v is None and k not in ("tax_code", "ror_id") else v)
                for k, v in data.items()
            }
            found = ops.create_organisation(data, user=None)
            created += 1
        if found is not None:
            keys.orgs[row["key"]] = found.id
    return created


def _people(keys: Keys) -> int:
    created = 0
    for row in load("people"):
        found = db.session.scalar(select(Person).where(Person.email == row["email"]))
        if found is None:
            data = {k: row.get(k) or ("" if k != "orcid" else None) for k in ops.PERSON_FIELDS}
            data["expertise"] = row.get("expertise") or []
            data["organisation_id"] = keys.orgs.get(row["org_key"])
            data["position"] = row.get("position") or ""
            found = ops.create_person(data, user=None)
            created += 1
        keys.people[row["key"]] = found.id
    return created


def _groups(keys: Keys) -> int:
    created = 0
    for row in load("groups"):
        org_id = keys.orgs[row["org_key"]]
        found = db.session.scalar(
            select(ResearchGroup).where(
                ResearchGroup.organisation_id == org_id, ResearchGroup.name_vi == row["name_vi"]
            )
        )
        if found is None:
            found = ops.save_group(None, {**row, "organisation_id": org_id}, user=None)
            leader = db.session.get(Person, keys.people.get(row["leader_key"], -1))
            members = [
                db.session.get(Person, keys.people[k])
                for k in row["member_keys"]
                if k in keys.people
            ]
            ops.set_group_people(found, leader, members, user=None)
            created += 1
        keys.groups[row["key"]] = found.id
    return created


def _listing_rows(keys: Keys) -> list[tuple[str, int, str, dict[str, Any]]]:
    """(kind, organisation id, natural title, form-like data) for every seeded listing."""
    rows: list[tuple[str, int, str, dict[str, Any]]] = []
    groups = {k: db.session.get(ResearchGroup, v) for k, v in keys.groups.items()}
    for row in load("results"):
        group = groups[row["group_key"]]
        rows.append(
            (
                "result",
                group.organisation_id,
                row["title"],
                {**row, "group_id": group.id, "_state": row["state"]},
            )
        )
    today = dt.date.today()
    for row in load("needs"):
        deadline = (
            today + dt.timedelta(days=row["deadline_days"])
            if row.get("deadline_days") is not None
            else None
        )
        rows.append(
            (
                "need",
                keys.orgs[row["org_key"]],
                row["title"],
                {**row, "deadline": deadline, "_state": row["state"]},
            )
        )
    for row in load("startups"):
        rows.append(
            ("startup", keys.orgs[row["org_key"]], row["name"], {**row, "_state": "published"})
        )
    for row in load("investors"):
        rows.append(
            (
                "investor",
                keys.orgs[row["org_key"]],
                row["name"],
                {**row, "sector_codes": row["sector_codes"], "_state": "published"},
            )
        )
    return rows


def _listings(keys: Keys) -> int:
    created = 0
    for kind, org_id, title, data in _listing_rows(keys):
        model = LISTING_MODELS[kind]
        title_column = model.title if kind in ("result", "need") else model.name
        exists = db.session.scalar(
            select(model.id).where(model.organisation_id == org_id, title_column == title)
        )
        if exists is not None:
            continue
        state = ListingState(data.pop("_state"))
        listing = listing_ops.create_listing(
            kind,
            {**data, "organisation_id": org_id},
            user=None,
            publish=state is not ListingState.draft,
        )
        if state is ListingState.archived:
            listing_ops.archive_listing(kind, listing, user=None)
        created += 1
    return created
