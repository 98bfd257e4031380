"""The steering committee's part of the OpenAPI document, from the same field lists."""

from __future__ import annotations

from typing import Any

from ecosystem.api.dashboard_schemas import TASK_FIELDS
from ecosystem.api.openapi import LIST_PARAMETERS, _errors, _json, output_schema, page_schema
from ecosystem.dashboard.indicators.base import PERIODS
from ecosystem.dashboard.models import TaskSource, TaskStatus

PAGING = [p for p in LIST_PARAMETERS if p["name"] in ("page", "per_page")]
TOKEN_OPTIONAL = [{}, {"bearerAuth": []}]


def _query(name: str, description: str, **schema: Any) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "schema": {"type": "string", **schema},
        "description": description,
    }


SHARE = {
    "type": "object",
    "required": ["total", "overdue", "statuses"],
    "properties": {
        "total": {"type": "integer"},
        "overdue": {"type": "integer"},
        "statuses": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "status": {"type": "string", "enum": [s.value for s in TaskStatus]},
                    "count": {"type": "integer"},
                    "percent": {
                        "type": "number",
                        "description": "Two decimals, as the city reports",
                    },
                },
            },
        },
    },
}
VALUE = {
    "type": "object",
    "properties": {
        "period": {"type": "string", "description": "2026, 2026-Q3 or 2026-07"},
        "value": {"type": "number", "nullable": True},
        "numerator": {"type": "integer", "nullable": True},
        "denominator": {"type": "integer", "nullable": True},
        "target": {"type": "number", "nullable": True},
    },
}
INDICATOR = {
    "type": "object",
    "required": ["key", "label", "formula", "unit", "values"],
    "properties": {
        "key": {"type": "string"},
        "label": {"type": "string"},
        "formula": {"type": "string"},
        "unit": {"type": "string", "enum": ["percent", "count", "vnd"]},
        "group": {"type": "string"},
        "cumulative": {"type": "boolean"},
        "values": {"type": "array", "items": VALUE},
    },
}


def dashboard_schemas() -> dict[str, Any]:
    page = page_schema("SteeringTask")
    page["properties"]["shares"] = {"$ref": "#/components/schemas/TaskShares"}
    return {
        "SteeringTask": output_schema(TASK_FIELDS),
        "SteeringTaskPage": page,
        "TaskShares": SHARE,
        "Indicator": INDICATOR,
        "IndicatorList": {
            "type": "object",
            "properties": {
                "items": {"type": "array", "items": {"$ref": "#/components/schemas/Indicator"}},
                "period": {"type": "string"},
                "year": {"type": "integer"},
                "language": {"type": "string"},
            },
        },
    }


def dashboard_paths() -> dict[str, Any]:
    period = _query("period", "month, quarter or year (default year)", enum=list(PERIODS))
    year = {
        "name": "year",
        "in": "query",
        "schema": {"type": "integer", "minimum": 2000, "maximum": 2100},
    }
    return {
        "/api/v1/tasks": {
            "get": {
                "operationId": "list_tasks",
                "tags": ["steering"],
                "summary": "Tasks of Resolution 57 and Plan 02 with their shares; reports and history for the steering committee's tokens",
                "security": TOKEN_OPTIONAL,
                "parameters": [
                    _query("unit", "Only this responsible unit"),
                    _query(
                        "source", "Only this source document", enum=[s.value for s in TaskSource]
                    ),
                    _query("status", "Only this status", enum=[s.value for s in TaskStatus]),
                    *PAGING,
                ],
                "responses": {
                    "200": _json("SteeringTaskPage", "A page of tasks"),
                    **_errors("400", "422", "429"),
                },
            }
        },
        "/api/v1/indicators": {
            "get": {
                "operationId": "list_indicators",
                "tags": ["steering"],
                "summary": "Indicators computed from the platform, each with its formula, values per period and targets",
                "parameters": [period, year],
                "responses": {
                    "200": _json("IndicatorList", "The indicators"),
                    **_errors("400", "422", "429"),
                },
            }
        },
        "/api/v1/indicators/{key}": {
            "parameters": [
                {"name": "key", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "get": {
                "operationId": "get_indicator_values",
                "tags": ["steering"],
                "summary": "One indicator",
                "parameters": [period, year],
                "responses": {
                    "200": _json("Indicator", "The indicator"),
                    **_errors("400", "404", "422"),
                },
            },
        },
    }
