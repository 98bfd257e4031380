"""The main navigation: the same for everybody, in the user's language."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: Any


_ITEMS = (
    NavItem("site.home", _l("Trang chủ")),
    NavItem("results.index", _l("Kết quả nghiên cứu")),
    NavItem("needs.index", _l("Nhu cầu công nghệ")),
    NavItem("registry.organisations", _l("Tổ chức")),
    NavItem("registry.people", _l("Chuyên gia")),
    NavItem("startups.index", _l("Khởi nghiệp")),
    NavItem("investors.index", _l("Nhà đầu tư")),
    NavItem("registry.groups", _l("Nhóm nghiên cứu")),
)


def nav_items() -> tuple[NavItem, ...]:
    return _ITEMS
