"""The OpenAPI 3.0 description, generated from the same field lists the API enforces."""

from __future__ import annotations

from functools import cache
from typing import Any

from ecosystem.api.schemas import COLLECTIONS, RESOURCES, Field
from ecosystem.core.models import MAX_ID
from ecosystem.registry.enums import LISTING_KINDS, TRL_MAX, TRL_MIN

TITLES = {
    "organisation": "Organisation",
    "person": "Person",
    "group": "ResearchGroup",
    "result": "ResearchResult",
    "need": "TechnologyNeed",
    "startup": "Startup",
    "investor": "Investor",
}
ERROR_CODES = {
    "400": "Malformed request (e.g. a NUL byte in a parameter)",
    "401": "Missing or invalid token",
    "403": "Not allowed",
    "404": "Not found",
    "409": "Probable duplicate (resend with confirm_new)",
    "422": "Invalid data (fields named)",
    "429": "Too many requests",
}


def _property(spec: Field, *, for_input: bool) -> dict[str, Any]:
    if spec.type == "date":
        schema: dict[str, Any] = {"type": "string", "format": "date"}
    elif spec.type == "date-time":
        schema = {"type": "string", "format": "date-time"}
    elif spec.type == "array":
        items: dict[str, Any] = {"type": spec.items}
        if spec.items_enum:
            items["enum"] = list(spec.items_enum)
        if spec.items == "string" and spec.max_length:
            items["maxLength"] = spec.max_length
        schema = {"type": "array", "items": items, "maxItems": 50}
    else:
        schema = {"type": spec.type}
        if spec.type == "string" and spec.max_length and for_input:
            schema["maxLength"] = spec.max_length
        if spec.minimum is not None and for_input:
            schema["minimum"] = spec.minimum
        if spec.maximum is not None and for_input:
            schema["maximum"] = spec.maximum
    # Inputs are held to the allowed values; outputs only where the platform sets them,
    # so older data never makes a response break its own schema.
    if spec.enum is not None and (for_input or spec.read_only or spec.name == "kind"):
        schema["enum"] = list(spec.enum) + ([None] if spec.nullable else [])
    if spec.nullable:
        schema["nullable"] = True
    if spec.description:
        schema["description"] = spec.description
    return schema


def _schemas() -> dict[str, Any]:
    schemas: dict[str, Any] = {
        "Error": {
            "type": "object",
            "required": ["error"],
            "properties": {
                "error": {
                    "type": "object",
                    "required": ["code", "title", "message"],
                    "properties": {
                        "code": {"type": "integer"},
                        "title": {"type": "string"},
                        "message": {"type": "string"},
                        "fields": {"type": "object", "additionalProperties": {"type": "string"}},
                    },
                }
            },
        }
    }
    for kind, fields in RESOURCES.items():
        name = TITLES[kind]
        schemas[name] = output_schema(fields)
        inputs = [f for f in fields if not f.read_only]
        extra: dict[str, Any] = {}
        if kind in LISTING_KINDS:
            extra["publish"] = {
                "type": "boolean",
                "description": "Publish at once (default: draft)",
            }
        if kind in ("organisation", "person"):
            extra["confirm_new"] = {
                "type": "boolean",
                "description": "Create even if a similar record exists",
            }
        schemas[f"{name}Input"] = {
            "type": "object",
            "required": [f.name for f in inputs if f.required],
            "properties": {**{f.name: _property(f, for_input=True) for f in inputs}, **extra},
        }
        schemas[f"{name}Page"] = page_schema(name)
    return schemas


def output_schema(fields: tuple[Field, ...]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": [f.name for f in fields],
        "properties": {f.name: _property(f, for_input=False) for f in fields},
    }


def page_schema(name: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["items", "page", "per_page", "total"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{name}"}},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "total": {"type": "integer"},
        },
    }


def _errors(*codes: str) -> dict[str, Any]:
    return {
        code: {
            "description": ERROR_CODES[code],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        for code in codes
    }


def _json(ref: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}},
    }


LIST_PARAMETERS = [
    {
        "name": "q",
        "in": "query",
        "schema": {"type": "string", "maxLength": 200},
        "description": "Words, with or without diacritics",
    },
    {"name": "field", "in": "query", "schema": {"type": "string"}, "description": "Taxonomy code"},
    {
        "name": "trl",
        "in": "query",
        "schema": {"type": "integer", "minimum": TRL_MIN, "maximum": TRL_MAX},
        "description": "Minimum TRL",
    },
    {"name": "province", "in": "query", "schema": {"type": "string"}},
    {"name": "organisation", "in": "query", "schema": {"type": "integer", "minimum": 1}},
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 10000}},
    {
        "name": "per_page",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": 100},
    },
]
ID_PARAMETER = {
    "name": "item_id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
}


def _paths() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for collection, kind in COLLECTIONS.items():
        name = TITLES[kind]
        body = {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": f"#/components/schemas/{name}Input"}}
            },
        }
        paths[f"/api/v1/{collection}"] = {
            "get": {
                "operationId": f"list_{collection}",
                "tags": [collection],
                "summary": f"List {collection} you may see",
                "parameters": LIST_PARAMETERS,
                "responses": {
                    "200": _json(f"{name}Page", "A page of results"),
                    **_errors("400", "401", "429"),
                },
            },
            "post": {
                "operationId": f"create_{kind}",
                "tags": [collection],
                "summary": f"Create a {kind}",
                "security": [{"bearerAuth": []}],
                "requestBody": body,
                "responses": {
                    "201": _json(name, "Created"),
                    **_errors("400", "401", "403", "409", "422", "429"),
                },
            },
        }
        paths[f"/api/v1/{collection}/{{item_id}}"] = {
            "parameters": [ID_PARAMETER],
            "get": {
                "operationId": f"get_{kind}",
                "tags": [collection],
                "summary": f"Read one {kind}",
                "responses": {"200": _json(name, "The record"), **_errors("400", "401", "404")},
            },
            "patch": {
                "operationId": f"update_{kind}",
                "tags": [collection],
                "summary": f"Change some fields of a {kind}",
                "security": [{"bearerAuth": []}],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                **{
                                    k: v
                                    for k, v in _schemas()[f"{name}Input"].items()
                                    if k != "required"
                                }
                            }
                        }
                    },
                },
                "responses": {
                    "200": _json(name, "Updated"),
                    **_errors("400", "401", "403", "404", "422", "429"),
                },
            },
        }
        if kind in LISTING_KINDS:
            paths[f"/api/v1/{collection}/{{item_id}}/archive"] = {
                "parameters": [ID_PARAMETER],
                "post": {
                    "operationId": f"archive_{kind}",
                    "tags": [collection],
                    "summary": f"Archive a {kind}",
                    "security": [{"bearerAuth": []}],
                    "responses": {
                        "200": _json(name, "Archived"),
                        **_errors("400", "401", "403", "404", "422", "429"),
                    },
                },
            }
    paths["/api/v1/fields"] = {
        "get": {
            "operationId": "list_fields",
            "tags": ["taxonomy"],
            "summary": "Fields of research and industry",
            "responses": {
                "200": {
                    "description": "The controlled list",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["items"],
                                "properties": {
                                    "items": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "required": [
                                                "code",
                                                "name_vi",
                                                "name_en",
                                                "parent_code",
                                            ],
                                            "properties": {
                                                "code": {"type": "string"},
                                                "name_vi": {"type": "string"},
                                                "name_en": {"type": "string"},
                                                "parent_code": {"type": "string", "nullable": True},
                                            },
                                        },
                                    }
                                },
                            }
                        }
                    },
                },
                **_errors("400", "401"),
            },
        }
    }
    paths["/api/v1/me"] = {
        "get": {
            "operationId": "me",
            "tags": ["account"],
            "summary": "The token's owner",
            "security": [{"bearerAuth": []}],
            "responses": {
                "200": {
                    "description": "Account",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": [
                                    "id",
                                    "email",
                                    "full_name",
                                    "organisation_ids",
                                    "can_write",
                                ],
                                "properties": {
                                    "id": {"type": "integer"},
                                    "email": {"type": "string"},
                                    "full_name": {"type": "string"},
                                    "organisation_ids": {
                                        "type": "array",
                                        "items": {"type": "integer"},
                                    },
                                    "can_write": {"type": "boolean"},
                                },
                            }
                        }
                    },
                },
                **_errors("400", "401"),
            },
        }
    }
    return paths


@cache
def openapi_document() -> dict[str, Any]:
    # The parts build on the helpers above (they import this module), hence imported here.
    from ecosystem.api.dashboard_openapi import dashboard_paths, dashboard_schemas  # noqa: PLC0415
    from ecosystem.api.fund_openapi import fund_paths, fund_schemas  # noqa: PLC0415
    from ecosystem.api.labs_openapi import labs_paths, labs_schemas  # noqa: PLC0415

    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Huế innovation ecosystem API",
            "version": "1.0.0",
            "description": "Registry of the Huế innovation ecosystem: organisations, people, research groups, research results, technology needs, startups and investors; and the city's S&T risk/venture fund: its calls, your applications and your review assignments; the shared labs: their equipment with its fee basis at cost, and your bookings (amounts in whole đồng, datetimes in UTC; a time sent without a time zone is Asia/Ho_Chi_Minh). Personal access tokens are created on your profile page.",
        },
        "servers": [{"url": "/"}],
        "paths": {**_paths(), **fund_paths(), **labs_paths(), **dashboard_paths()},
        "components": {
            "schemas": {
                **_schemas(),
                **fund_schemas(),
                **labs_schemas(),
                **dashboard_schemas(),
            },
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Personal access token (hue_…)",
                }
            },
        },
    }
