"""Probable duplicates of organisations and people (rapidfuzz over folded name keys).

Names are compared after folding case, diacritics, punctuation and legal-form prefixes
("Công ty TNHH", "CTCP", "Trường Đại học", "ĐH"); identical tax codes or ORCID iDs are
certain matches.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy import select

from ecosystem.extensions import db
from ecosystem.registry.identifiers import organisation_name_key, person_name_key
from ecosystem.registry.models import Organisation, Person

NAME_THRESHOLD = 88.0
LIMIT = 5


@dataclass
class Candidate:
    record: Any
    score: float
    reason: str  # "tax_code", "orcid", "email", "name"


def _by_name(key: str, rows: list[tuple[int, str]], exclude_id: int | None) -> dict[int, float]:
    if not key:
        return {}
    choices = {rid: k for rid, k in rows if rid != exclude_id and k}
    # token_sort_ratio forgives word order ("Huế Thủy sản" / "Thủy sản Huế"); ratio alone
    # forgives small typos. The better of the two decides.
    found = process.extract(
        key, choices, scorer=_name_score, score_cutoff=NAME_THRESHOLD, limit=LIMIT
    )
    return {rid: score for _, score, rid in found}


def _name_score(a: str, b: str, **kwargs: Any) -> float:
    return max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b))


def organisation_candidates(
    name: str, tax_code: str | None = None, exclude_id: int | None = None
) -> list[Candidate]:
    found: dict[int, Candidate] = {}
    if tax_code:
        main = tax_code[:10]
        for org in db.session.scalars(
            select(Organisation).where(Organisation.tax_code.like(f"{main}%"))
        ):
            if org.id != exclude_id and org.merged_into_id is None:
                found[org.id] = Candidate(org, 100.0, "tax_code")
    rows = db.session.execute(
        select(Organisation.id, Organisation.name_key).where(Organisation.merged_into_id.is_(None))
    ).all()
    for org_id, score in _by_name(organisation_name_key(name), rows, exclude_id).items():
        if org_id not in found:
            found[org_id] = Candidate(db.session.get(Organisation, org_id), score, "name")
    return sorted(found.values(), key=lambda c: -c.score)[:LIMIT]


def person_candidates(
    full_name: str,
    orcid: str | None = None,
    email: str | None = None,
    exclude_id: int | None = None,
) -> list[Candidate]:
    found: dict[int, Candidate] = {}
    live = Person.merged_into_id.is_(None)
    if orcid:
        for person in db.session.scalars(select(Person).where(Person.orcid == orcid, live)):
            if person.id != exclude_id:
                found[person.id] = Candidate(person, 100.0, "orcid")
    if email:
        for person in db.session.scalars(
            select(Person).where(Person.email.ilike(email.strip()), live)
        ):
            if person.id != exclude_id and person.id not in found:
                found[person.id] = Candidate(person, 100.0, "email")
    rows = db.session.execute(select(Person.id, Person.name_key).where(live)).all()
    for person_id, score in _by_name(person_name_key(full_name), rows, exclude_id).items():
        if person_id not in found:
            found[person_id] = Candidate(db.session.get(Person, person_id), score, "name")
    return sorted(found.values(), key=lambda c: -c.score)[:LIMIT]
