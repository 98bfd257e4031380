"""Fixtures for the registry tests: taxonomy rows, builders that go through the real
operations (so the search index and the audit log are filled), and a small "world" with
one user per role.
"""

from __future__ import annotations

import datetime as dt
import itertools
from types import SimpleNamespace

import pytest

from ecosystem.extensions import db
from ecosystem.registry import operations as ops
from ecosystem.registry import permissions as perms
from ecosystem.registry.enums import OrgKind
from ecosystem.registry.models import ResearchField
from tests.auth_helpers import login
from tests.builders import by_kind, listing_builder

FIELDS = {
    "agriculture": ("Nông nghiệp", "Agriculture", None),
    "aquaculture": ("Nuôi trồng thủy sản", "Aquaculture", "agriculture"),
    "health": ("Y tế và sức khỏe", "Health", None),
    "heritage": ("Di sản văn hóa", "Cultural heritage", None),
}
_counter = itertools.count(1)


@pytest.fixture
def make_field(db_session):
    def _make(code: str, name_vi: str = "", name_en: str = "", parent: str | None = None):
        found = db.session.get(ResearchField, code)
        if found is not None:
            return found
        field = ResearchField(
            code=code, name_vi=name_vi or code, name_en=name_en or code, parent_code=parent
        )
        db.session.add(field)
        db.session.flush()
        return field

    return _make


@pytest.fixture
def fields(make_field):
    return {code: make_field(code, vi, en, parent) for code, (vi, en, parent) in FIELDS.items()}


@pytest.fixture(autouse=True)
def _isolated_details_rules(monkeypatch):
    """Rules registered by a test (or another feature's tests) never leak into the next."""
    monkeypatch.setattr(perms, "_details_rules", [])


@pytest.fixture
def make_result(fields):
    def defaults():
        n = next(_counter)
        return {
            "title": f"Quy trình nuôi tôm tuần hoàn số {n}",
            "summary": "Công nghệ nuôi tôm thẻ chân trắng tiết kiệm nước ở đầm phá Tam Giang.",
            "details": "",
            "field_code": "aquaculture",
            "keywords": ["nuôi tôm", "tuần hoàn"],
            "trl": 6,
            "ip_status": "none",
            "confidentiality": "public",
            "group_id": None,
            "language": "vi",
        }

    return listing_builder("result", defaults)


@pytest.fixture
def make_need(fields):
    def defaults():
        n = next(_counter)
        return {
            "title": f"Cần giải pháp xử lý nước ao nuôi số {n}",
            "problem": "Nước ao nuôi tôm bị ô nhiễm hữu cơ vào mùa mưa.",
            "expected_outcome": "Giảm tỉ lệ tôm chết.",
            "field_code": "aquaculture",
            "trl_wanted": 6,
            "budget_min": 100_000_000,
            "budget_max": 500_000_000,
            "deadline": dt.date.today() + dt.timedelta(days=90),
        }

    return listing_builder("need", defaults)


@pytest.fixture
def make_startup(fields):
    def defaults():
        n = next(_counter)
        return {
            "name": f"AquaSense {n}",
            "stage": "seed",
            "funding_sought": 2_000_000_000,
            "pitch": "Cảm biến IoT đo oxy hòa tan cho ao nuôi tôm.",
            "sector_codes": ["aquaculture"],
        }

    return listing_builder("startup", defaults)


@pytest.fixture
def make_investor(fields):
    def defaults():
        n = next(_counter)
        return {
            "name": f"Quỹ Sông Hàn {n}",
            "thesis": "Đầu tư giai đoạn hạt giống vào nông nghiệp công nghệ cao miền Trung.",
            "stages": ["seed", "pre_seed"],
            "ticket_min": 500_000_000,
            "ticket_max": 5_000_000_000,
            "sector_codes": ["aquaculture"],
        }

    return listing_builder("investor", defaults)


@pytest.fixture
def make_listing(make_result, make_need, make_startup, make_investor):
    return by_kind(result=make_result, need=make_need, startup=make_startup, investor=make_investor)


@pytest.fixture
def make_person(db_session):
    def _make(full_name: str = "Nguyễn Văn An", org=None, *, user=None, account=None, **data):
        """``account``: the platform user this profile belongs to."""
        values = {
            "honorific": "",
            "full_name": full_name,
            "email": "",
            "phone": "",
            "orcid": None,
            "expertise": [],
            "bio": "",
            **data,
            "organisation_id": org.id if org is not None else None,
        }
        person = ops.create_person(values, user)
        if account is not None:
            person.user_id = account.id
            db.session.flush()
        return person

    return _make


@pytest.fixture
def make_group(fields):
    def _make(org, name: str | None = None, *, leader=None, members=(), user=None, **data):
        group = ops.save_group(
            None,
            {
                "organisation_id": org.id,
                "name_vi": name or f"Nhóm nghiên cứu thủy sản {next(_counter)}",
                "field_codes": ["aquaculture"],
                **data,
            },
            user,
        )
        if leader is not None or members:
            ops.set_group_people(group, leader, list(members), user)
        return group

    return _make


ROLES = ("anonymous", "outsider", "other_member", "member", "org_admin", "platform_admin")


@pytest.fixture
def world(make_org, make_user, make_member, make_platform_user, fields):
    """An owning university, another organisation, and one user for every role."""
    owner = make_org("Trường Đại học Nông Lâm, Đại học Huế", kind=OrgKind.university)
    other = make_org("Công ty TNHH Thủy sản Đầm Phá Xanh", kind=OrgKind.enterprise)
    users = {
        "anonymous": None,
        "outsider": make_user(full_name="Người dùng tự do"),
        "other_member": make_member(other, full_name="Nhân viên Đầm Phá Xanh"),
        "member": make_member(owner, full_name="TS. Thành viên Nông Lâm"),
        "org_admin": make_member(owner, role="admin", full_name="Quản trị Nông Lâm"),
        "platform_admin": make_platform_user("admin", full_name="Quản trị Sở KH&CN"),
    }
    return SimpleNamespace(owner=owner, other=other, users=users)


@pytest.fixture
def as_role(client, world):
    """Sign the test client in as the user of ``role`` (nobody for anonymous)."""

    def _as(role: str):
        user = world.users[role]
        if user is not None:
            login(client, user)
        return user

    return _as
