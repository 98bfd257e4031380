"""The labs' part of the OpenAPI document, from the same field lists the API serves."""

from __future__ import annotations

from typing import Any

from ecosystem.api.labs_schemas import LABS_RESOURCES, LABS_TITLES
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
TIME = (
    "ISO 8601 date and time. A time without a time zone (2026-12-07T09:00) is taken as "
    "Huế time, Asia/Ho_Chi_Minh (UTC+7)."
)


def labs_schemas() -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    for kind, fields in LABS_RESOURCES.items():
        name = LABS_TITLES[kind]
        schemas[name] = output_schema(fields)
        schemas[f"{name}Page"] = page_schema(name)
    schemas["BookingRequest"] = {
        "type": "object",
        "required": ["equipment_id", "starts_at", "ends_at"],
        "properties": {
            "equipment_id": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
            "starts_at": {"type": "string", "format": "date-time", "description": TIME},
            "ends_at": {"type": "string", "format": "date-time", "description": TIME},
            "samples": {"type": "integer", "minimum": 0, "maximum": 100000},
            "purpose": {"type": "string", "maxLength": 500},
            "award_id": {
                "type": "integer",
                "minimum": 1,
                "maximum": MAX_ID,
                "description": "A fund award of the paying organisation's project it serves",
            },
            "result_id": {
                "type": "integer",
                "minimum": 1,
                "maximum": MAX_ID,
                "description": "A research result of the paying organisation it serves",
            },
            "organisation_id": {
                "type": "integer",
                "minimum": 1,
                "maximum": MAX_ID,
                "description": "The paying organisation (one of yours; default: your first)",
            },
        },
    }
    schemas["BookingClash"] = {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "title", "message", "clash"],
                "properties": {
                    "code": {"type": "integer"},
                    "title": {"type": "string"},
                    "message": {"type": "string"},
                    "clash": {
                        "type": "object",
                        "required": ["kind", "id", "starts_at", "ends_at"],
                        "description": "What holds the slot (never who holds it)",
                        "properties": {
                            "kind": {"type": "string", "enum": ["booking", "downtime"]},
                            "id": {"type": "integer"},
                            "state": {"type": "string", "nullable": True},
                            "downtime_kind": {"type": "string", "nullable": True},
                            "starts_at": {"type": "string", "format": "date-time"},
                            "ends_at": {"type": "string", "format": "date-time"},
                        },
                    },
                },
            }
        },
    }
    return schemas


def _list(operation: str, kind: str, summary: str, parameters: list, *, token: bool) -> dict:
    return {
        "operationId": operation,
        "tags": ["labs"],
        "summary": summary,
        **({"security": TOKEN} if token else {}),
        "parameters": parameters,
        "responses": {
            "200": _json(f"{LABS_TITLES[kind]}Page", "A page of results"),
            **_errors("400", "401", "429"),
        },
    }


def _one(operation: str, kind: str, summary: str, *, token: bool) -> dict[str, Any]:
    return {
        "parameters": [ID_PARAMETER],
        "get": {
            "operationId": operation,
            "tags": ["labs"],
            "summary": summary,
            **({"security": TOKEN} if token else {}),
            "responses": {
                "200": _json(LABS_TITLES[kind], "The record"),
                **_errors("400", "401", "404"),
            },
        },
    }


def labs_paths() -> dict[str, Any]:
    lab = {
        "name": "lab",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
        "description": "Only this lab's equipment",
    }
    return {
        "/api/v1/labs": {
            "get": _list(
                "list_labs", "lab", "Shared labs and their opening hours", PAGING, token=False
            )
        },
        "/api/v1/labs/{item_id}": _one("get_lab", "lab", "Read one lab", token=False),
        "/api/v1/equipment": {
            "get": _list(
                "list_equipment",
                "equipment",
                "Shared equipment with its fee basis at actual cost",
                [lab, *PAGING],
                token=False,
            )
        },
        "/api/v1/equipment/{item_id}": _one(
            "get_equipment", "equipment", "Read one piece of equipment", token=False
        ),
        "/api/v1/bookings": {
            "get": _list("list_bookings", "booking", "Your bookings", PAGING, token=True),
            "post": {
                "operationId": "create_booking",
                "tags": ["labs"],
                "summary": "Request a booking (approved at once where no approval is required)",
                "description": "The same rules as the booking page: not in the past, within the "
                "lab's opening hours and the equipment's lead time and lengths, outside downtime, "
                "with a valid authorisation where training is required, by a member of an "
                "organisation. " + TIME,
                "security": TOKEN,
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/BookingRequest"}
                        }
                    },
                },
                "responses": {
                    "201": _json("Booking", "Requested (or approved)"),
                    "409": _json("BookingClash", "The slot is taken: by what"),
                    **_errors("400", "401", "403", "404", "422", "429"),
                },
            },
        },
        "/api/v1/bookings/{item_id}": _one(
            "get_booking", "booking", "Read one of your bookings", token=True
        ),
    }
