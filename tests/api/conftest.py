import pytest

from ecosystem.api.tokens import create_token
from ecosystem.extensions import db
from ecosystem.registry.enums import OrgKind
from ecosystem.registry.models import ResearchField
from tests.workflow.conftest import (  # noqa: F401 (the fund's builders, for the fund's API)
    make_application,
    make_call,
    people,
)


@pytest.fixture
def taxonomy(db_session):
    for code, vi, en in [("aquaculture", "Thủy sản", "Aquaculture"), ("health", "Y tế", "Health")]:
        db.session.add(ResearchField(code=code, name_vi=vi, name_en=en))
    db.session.flush()


@pytest.fixture
def make_token(db_session):
    def _make(user, *, can_write=True, days=None) -> str:
        _token, plain = create_token(user, "thử nghiệm", can_write, days)
        db.session.flush()
        return plain

    return _make


@pytest.fixture
def lab(make_org, make_member, make_token, taxonomy):
    """A university with one member holding a write token."""
    org = make_org("Trường Đại học Nông Lâm Huế", kind=OrgKind.university)
    member = make_member(org)
    return org, member, make_token(member)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
