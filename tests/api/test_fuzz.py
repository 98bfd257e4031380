"""The API fuzzed from its own OpenAPI document: no 500, every response matches the schema.

Requests carry a write token of an organisation member, so the write paths are exercised
too (most generated bodies are refused with 4xx, as they should be; some are accepted).
"""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ecosystem.extensions import db
from ecosystem.registry import listing_operations
from ecosystem.registry.enums import OrgKind
from tests.api.conftest import bearer


@pytest.fixture
def api_schema(app, db_session):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


@pytest.fixture
def fuzz_token(taxonomy, make_org, make_member, make_token):
    org = make_org("Viện Công nghệ sinh học", kind=OrgKind.research_institute)
    member = make_member(org)
    listing_operations.create_listing(
        "result",
        {
            "organisation_id": org.id,
            "title": "Chế phẩm vi sinh",
            "summary": "Tóm tắt",
            "field_code": "aquaculture",
            "trl": 5,
        },
        None,
        publish=True,
    )
    token = make_token(member)
    db.session.commit()
    return token


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    # The same examples on every run (CI must not pass or fail by luck); to hunt further,
    # FUZZ_EXAMPLES=500 FUZZ_RANDOM=1 make test PYTEST_ARGS=tests/api/test_fuzz.py
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "50")),
    derandomize=not os.environ.get("FUZZ_RANDOM"),
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_api_has_no_server_errors_and_matches_its_schema(case, fuzz_token):
    case.call_and_validate(
        headers=bearer(fuzz_token),
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )
