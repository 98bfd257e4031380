"""Forged or absurd form values never give a 500: every registry form, every field, a set
of values no browser would send (on SQLite and PostgreSQL alike). A NUL byte is refused
with 400 before any view runs."""

from __future__ import annotations

import pytest

from ecosystem.registry import forms
from tests.auth_helpers import login
from tests.registry.test_validation import valid_form

ODD_VALUES = [
    "99999999999999999999",
    "-1",
    "0",
    "1e3",
    "abc",
    "x" * 100_000,
    "tôm\x00cua",
    "\ud800",  # a lone surrogate: not even valid UTF-8 once encoded
    "<script>alert(1)</script>",
    "NaN",
]

FORMS = {
    "organisation": forms.OrganisationForm,
    "person": forms.PersonForm,
    "group": forms.GroupForm,
    "result": forms.ResultForm,
    "need": forms.NeedForm,
    "startup": forms.StartupForm,
    "investor": forms.InvestorForm,
}


def field_names(form_class) -> list[str]:
    return [
        name
        for name in dir(form_class)
        if not name.startswith("_")
        and hasattr(getattr(form_class, name), "field_class")
        and name != "csrf_token"
    ]


@pytest.fixture
def targets(world, make_listing, make_person, make_group):
    person = make_person("Võ Thị Lan", world.owner)
    group = make_group(world.owner)
    listings = {
        kind: make_listing(kind, world.owner) for kind in ("result", "need", "startup", "investor")
    }
    urls = {
        "organisation": ["/organisations/new", f"/organisations/{world.owner.id}/edit"],
        "person": ["/people/new", f"/people/{person.id}/edit"],
        "group": ["/groups/new", f"/groups/{group.id}/edit"],
    }
    for kind, listing in listings.items():
        urls[kind] = [f"/{kind}s/new", f"/{kind}s/{listing.id}/edit"]
    return urls


@pytest.mark.parametrize("kind", FORMS)
def test_odd_form_values_never_fail(client, world, targets, kind):
    login(client, world.users["platform_admin"])
    # Without unique identifiers, so that every post can be saved.
    base = valid_form(kind, world.owner.id)
    for unique in ("tax_code", "orcid", "email"):
        base.pop(unique, None)
    base["confirm_new"] = "y"  # past the likely-duplicates step
    failures = []
    for url in targets[kind]:
        for name in field_names(FORMS[kind]):
            for value in ODD_VALUES:
                data = {**base, name: value}
                try:
                    response = client.post(url, data=data)
                    status = response.status_code
                except UnicodeEncodeError:
                    continue  # the test client itself cannot send it
                if status >= 500:
                    failures.append((url, name, value[:30], status))
    assert failures == []


def test_odd_values_in_other_posts_never_fail(client, world, make_result, make_person):
    result = make_result(world.owner)
    person = make_person("Võ Thị Lan", world.owner)
    login(client, world.users["platform_admin"])
    failures = []
    for value in ODD_VALUES + ["", " "]:
        for url, data in (
            (f"/results/{result.id}/state", {"action": value}),
            (f"/results/{result.id}/hide", {"reason": value}),
            (f"/organisations/{world.other.id}/merge", {"survivor_id": value}),
            (f"/people/{person.id}/merge", {"survivor_id": value}),
            (
                "/groups/new",
                {
                    "organisation_id": str(world.owner.id),
                    "name_vi": "Nhóm",
                    "leader_id": value,
                    "member_ids": [value, "1"],
                },
            ),
        ):
            try:
                status = client.post(url, data=data).status_code
            except UnicodeEncodeError:
                continue
            if status >= 500:
                failures.append((url, value[:30], status))
    assert failures == []
