"""Demo accounts, one for every role (listed in the README). Password: DEMO_PASSWORD."""

from __future__ import annotations

import functools
from collections.abc import Mapping

from sqlalchemy import select

from ecosystem.auth.models import (
    MembershipStatus,
    OrgMembership,
    OrgRole,
    PlatformRole,
    User,
    UserRole,
)
from ecosystem.auth.operations import email_key
from ecosystem.auth.passwords import hash_password
from ecosystem.core.models import utcnow
from ecosystem.extensions import db

DEMO_PASSWORD = "Hue-demo-2026!"

# (e-mail, name, platform roles, organisation seed key, role in that organisation)
DEMO_ACCOUNTS = [
    ("admin@hue-innovation.local", "Quản trị Sở KH&CN", ["admin"], "hue-dost", "admin"),
    ("quy@hue-innovation.local", "Cán bộ Quỹ KH&CN", ["fund_manager"], "hue-st-fund", "admin"),
    ("chuyengia@hue-innovation.local", "PGS.TS. Chuyên gia phản biện", ["reviewer"], None, None),
    (
        "phongthinghiem@hue-innovation.local",
        "Quản lý phòng thí nghiệm",
        ["lab_manager"],
        "hue-st-centre",
        "admin",
    ),
    ("bcd@hue-innovation.local", "Thành viên Ban chỉ đạo", ["steering"], None, None),
    ("thuky@hue-innovation.local", "Tổ giúp việc Ban chỉ đạo", ["secretariat"], None, None),
    ("nhakhoahoc@hue-innovation.local", "TS. Nhà khoa học Nông Lâm", [], "huaf", "admin"),
    ("doanhnghiep@hue-innovation.local", "Giám đốc Đầm Phá Xanh", [], "dam-pha-xanh", "admin"),
    ("khoinghiep@hue-innovation.local", "Nhà sáng lập AquaSense", [], "aquasense", "admin"),
    (
        "nhadautu@hue-innovation.local",
        "Đối tác Song Han Ventures",
        [],
        "song-han-ventures",
        "admin",
    ),
]


def demo_user(email: str, name: str, roles: list[str], password_hash: str) -> User | None:
    """A verified demo account with its platform roles, or None when it already exists."""
    if db.session.scalar(select(User.id).where(User.email_key == email_key(email))) is not None:
        return None
    user = User(
        email=email,
        email_key=email_key(email),
        full_name=name,
        password_hash=password_hash,
        email_verified_at=utcnow(),
    )
    db.session.add(user)
    db.session.flush()
    for role in roles:
        db.session.add(UserRole(user_id=user.id, role=PlatformRole(role)))
    return user


@functools.cache
def demo_password_hash() -> str:
    return hash_password(DEMO_PASSWORD)  # Argon2 is slow on purpose: hash it once


def seed_accounts(orgs: Mapping[str, int]) -> int:
    """The demo accounts, members of the demo organisations ``orgs`` (key -> id)."""
    created = 0
    for email, name, roles, org_key, org_role in DEMO_ACCOUNTS:
        user = demo_user(email, name, roles, demo_password_hash())
        if user is None:
            continue
        if org_key in orgs:
            db.session.add(
                OrgMembership(
                    user_id=user.id,
                    organisation_id=orgs[org_key],
                    role=OrgRole(org_role),
                    status=MembershipStatus.active,
                )
            )
        created += 1
    db.session.flush()
    return created
