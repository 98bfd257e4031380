"""Accounts, server-side sessions, roles, organisation memberships and external identities."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ecosystem.core.models import Base, TimestampMixin, enum_column, utcnow


class PlatformRole(enum.StrEnum):
    admin = "admin"  # the city's Department of Science and Technology
    fund_manager = "fund_manager"
    reviewer = "reviewer"  # expert reviewer of fund applications
    lab_manager = "lab_manager"
    steering = "steering"  # the city's steering committee: read-only indicators
    secretariat = "secretariat"  # the steering committee's secretariat: keeps the task tracker


class OrgRole(enum.StrEnum):
    member = "member"
    admin = "admin"


class MembershipStatus(enum.StrEnum):
    pending = "pending"
    active = "active"
    refused = "refused"
    revoked = "revoked"


class User(TimestampMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    # NFKC + case-folded: "An@Hue.edu.vn" and its other Unicode forms are one account.
    email_key: Mapped[str] = mapped_column(sa.String(254), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(200), default="")
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    is_active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str] = mapped_column(sa.String(8), default="vi")
    email_verified_at: Mapped[dt.datetime | None] = mapped_column()
    last_login_at: Mapped[dt.datetime | None] = mapped_column()
    password_changed_at: Mapped[dt.datetime | None] = mapped_column()
    digest_opt_out: Mapped[bool] = mapped_column(default=False)

    roles: Mapped[list[UserRole]] = relationship(
        back_populates="user",
        cascade="all, delete-orphan",
        lazy="selectin",
        foreign_keys="UserRole.user_id",
    )
    org_links: Mapped[list[OrgMembership]] = relationship(
        back_populates="user",
        cascade="all, delete-orphan",
        lazy="selectin",
        foreign_keys="OrgMembership.user_id",
    )

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"

    def has_role(self, role: PlatformRole) -> bool:
        return any(r.role is role for r in self.roles)

    @property
    def is_admin(self) -> bool:
        return self.has_role(PlatformRole.admin)

    @property
    def active_org_ids(self) -> set[int]:
        return {m.organisation_id for m in self.org_links if m.status is MembershipStatus.active}

    @property
    def admin_org_ids(self) -> set[int]:
        return {
            m.organisation_id
            for m in self.org_links
            if m.status is MembershipStatus.active and m.role is OrgRole.admin
        }

    @property
    def display_name(self) -> str:
        return self.full_name or self.email


class UserRole(Base):
    __tablename__ = "user_roles"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[PlatformRole] = mapped_column(enum_column(PlatformRole))
    granted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    granted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    user: Mapped[User] = relationship(back_populates="roles", foreign_keys=[user_id])

    __table_args__ = (sa.UniqueConstraint("user_id", "role", name="user_role"),)


class OrgMembership(TimestampMixin, Base):
    """Access to an organisation's records: asked by the user, decided by its admins."""

    __tablename__ = "org_memberships"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    role: Mapped[OrgRole] = mapped_column(enum_column(OrgRole), default=OrgRole.member)
    status: Mapped[MembershipStatus] = mapped_column(
        enum_column(MembershipStatus), default=MembershipStatus.pending
    )
    message: Mapped[str] = mapped_column(sa.String(500), default="")
    decided_at: Mapped[dt.datetime | None] = mapped_column()
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    user: Mapped[User] = relationship(back_populates="org_links", foreign_keys=[user_id])
    organisation = relationship("Organisation")

    __table_args__ = (sa.UniqueConstraint("user_id", "organisation_id", name="user_org"),)


class UserSession(Base):
    """A signed-in browser. The cookie holds only a random id; ending a session here ends it."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[dt.datetime | None] = mapped_column()
    ip_address: Mapped[str] = mapped_column(sa.String(64), default="")
    user_agent: Mapped[str] = mapped_column(sa.String(300), default="")
    via: Mapped[str] = mapped_column(sa.String(20), default="password")

    user: Mapped[User] = relationship()


class OidcIdentity(Base):
    """An account at an OpenID Connect provider, identified by issuer and subject."""

    __tablename__ = "oidc_identities"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    issuer: Mapped[str] = mapped_column(sa.String(300))
    subject: Mapped[str] = mapped_column(sa.String(255))
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column()

    user: Mapped[User] = relationship()

    __table_args__ = (sa.UniqueConstraint("issuer", "subject", name="issuer_subject"),)


class ApiToken(Base):
    """A personal access token for the JSON API. Only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    prefix: Mapped[str] = mapped_column(sa.String(12))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    can_write: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column()
    expires_at: Mapped[dt.datetime | None] = mapped_column()
    revoked_at: Mapped[dt.datetime | None] = mapped_column()

    user: Mapped[User] = relationship()
