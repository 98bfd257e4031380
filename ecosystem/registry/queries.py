"""Read-side helpers shared by the registry pages, the API and exports."""

from __future__ import annotations

from typing import Any

from flask import g, render_template, request
from sqlalchemy import select

from ecosystem.core.pagination import int_arg
from ecosystem.extensions import db
from ecosystem.registry.enums import TRL_MAX
from ecosystem.registry.forms import PROVINCES, field_choices
from ecosystem.registry.imports import COLUMNS
from ecosystem.registry.models import Organisation
from ecosystem.registry.permissions import can_import
from ecosystem.registry.search import SearchQuery, SearchResults, search
from ecosystem.registry.search_index import KINDS


def query_from_args(kinds: tuple[str, ...] = (), per_page: int = 20) -> SearchQuery:
    """A search query read from the query string; unknown or malformed values are ignored."""
    requested = tuple(k for k in request.args.getlist("kind") if k in KINDS)
    trl = int_arg("trl", 0, minimum=0, maximum=TRL_MAX)
    return SearchQuery(
        text=request.args.get("q", "")[:200],
        kinds=kinds or requested,
        field_code=request.args.get("field") or None,
        trl_min=trl or None,
        province=request.args.get("province") or None,
        organisation_id=int_arg("organisation", 0, minimum=0) or None,
        page=int_arg("page", 1, maximum=10_000),
        per_page=int_arg("per_page", per_page, maximum=100),
    )


def search_from_args(
    kinds: tuple[str, ...] = (),
) -> tuple[SearchResults, SearchQuery, dict[str, Any]]:
    query = query_from_args(kinds)
    results = search(query, g.get("user"))
    facets = {"fields": field_choices(), "provinces": PROVINCES, "kinds": KINDS}
    return results, query, facets


def render_index(
    title: Any, *, kinds: tuple[str, ...], new_endpoint: str | None, new_label: Any = None
) -> str:
    """The list page every registry kind shares: search box, filters, ranked results."""
    results, query, facets = search_from_args(kinds)
    template = (
        "registry/_results.html" if request.headers.get("HX-Request") else "registry/index.html"
    )
    return render_template(
        template,
        title=title,
        can_import_kind=_importable(kinds),
        fixed_kinds=kinds,
        new_endpoint=new_endpoint,
        new_label=new_label,
        results=results,
        query=query,
        facets=facets,
    )


def _importable(kinds: tuple[str, ...]) -> bool:
    """A list of one kind offers the spreadsheet import when the user may import it."""

    return len(kinds) == 1 and kinds[0] in COLUMNS and can_import(g.get("user"), kinds[0])


def organisation_choices(user: Any) -> list[tuple[int, str]]:
    """Organisations a user may file records for: their own, or all for administrators."""

    statement = select(Organisation.id, Organisation.name_vi).where(
        Organisation.merged_into_id.is_(None)
    )
    if not user.is_admin:
        statement = statement.where(Organisation.id.in_(sorted(user.active_org_ids) or [-1]))
    return [
        (org_id, name)
        for org_id, name in db.session.execute(statement.order_by(Organisation.name_vi))
    ]


def needs_organisation(purpose: str) -> tuple[str, int]:
    """What a signed-in person without an organisation sees instead of a bare 403 where a
    record must belong to one: how to join theirs or register it."""
    return render_template("registry/needs_organisation.html", purpose=purpose), 403
