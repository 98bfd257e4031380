import pytest

from ecosystem.api.tokens import create_token
from ecosystem.extensions import db
from ecosystem.registry.models import ResearchField


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


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
