"""The fund's part of the OpenAPI document, from the same field lists the API serves."""

from __future__ import annotations

from typing import Any

from ecosystem.api.fund_schemas import CALL_STATES, FUND_RESOURCES, FUND_TITLES
from ecosystem.api.openapi import (
    ID_PARAMETER,
    LIST_PARAMETERS,
    _errors,
    _json,
    output_schema,
    page_schema,
)
from ecosystem.core.models import MAX_ID

PAGING = [p for p in LIST_PARAMETERS if p["name"] in ("page", "per_page")]
TOKEN = [{"bearerAuth": []}]


def fund_schemas() -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    for kind, fields in FUND_RESOURCES.items():
        name = FUND_TITLES[kind]
        schemas[name] = output_schema(fields)
        schemas[f"{name}Page"] = page_schema(name)
    return schemas


def _list(operation: str, kind: str, summary: str, parameters: list, *, token: bool) -> dict:
    name = FUND_TITLES[kind]
    codes = ("400", "401", "422", "429") if kind == "call" else ("400", "401", "429")
    return {
        "operationId": operation,
        "tags": ["fund"],
        "summary": summary,
        **({"security": TOKEN} if token else {}),
        "parameters": parameters,
        "responses": {"200": _json(f"{name}Page", "A page of results"), **_errors(*codes)},
    }


def _one(operation: str, kind: str, summary: str, *, token: bool) -> dict[str, Any]:
    return {
        "parameters": [ID_PARAMETER],
        "get": {
            "operationId": operation,
            "tags": ["fund"],
            "summary": summary,
            **({"security": TOKEN} if token else {}),
            "responses": {
                "200": _json(FUND_TITLES[kind], "The record"),
                **_errors("400", "401", "404"),
            },
        },
    }


def fund_paths() -> dict[str, Any]:
    state = {
        "name": "state",
        "in": "query",
        "schema": {"type": "string", "enum": list(CALL_STATES)},
        "description": "Only calls in this state (open, or past: closed, decided)",
    }
    call = {
        "name": "call",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
        "description": "Only applications to this call",
    }
    return {
        "/api/v1/calls": {
            "get": _list(
                "list_calls",
                "call",
                "The fund's calls for proposals: open ones first, then past ones",
                [state, *PAGING],
                token=False,
            )
        },
        "/api/v1/calls/{item_id}": _one("get_call", "call", "Read one call", token=False),
        "/api/v1/applications": {
            "get": _list(
                "list_applications",
                "application",
                "Your organisation's applications and those you may see",
                [call, *PAGING],
                token=True,
            )
        },
        "/api/v1/applications/{item_id}": _one(
            "get_application", "application", "Read one application", token=True
        ),
        "/api/v1/applications/{item_id}/submit": {
            "parameters": [ID_PARAMETER],
            "post": {
                "operationId": "submit_application",
                "tags": ["fund"],
                "summary": "Submit a draft of your organisation before the call closes",
                "security": TOKEN,
                "responses": {
                    "200": _json("FundApplication", "Submitted"),
                    **_errors("400", "401", "403", "404", "422", "429"),
                },
            },
        },
        "/api/v1/reviews": {
            "get": _list(
                "list_reviews",
                "review",
                "Your review assignments (title and summary once you declared no conflict)",
                PAGING,
                token=True,
            )
        },
        "/api/v1/reviews/{item_id}": _one(
            "get_review", "review", "Read one of your review assignments", token=True
        ),
    }
