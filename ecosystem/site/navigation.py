"""The main navigation: the same for everybody, in the user's language; and the account
menu's pages every signed-in user has (its other entries depend on roles)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: Any


# Sections are named with the "section" context: Vietnamese has one form, English menus
# use the plural ("Startups") where a single record is "Startup".
_ITEMS = (
    NavItem("site.home", _l("Trang chủ")),
    NavItem("results.index", lazy_pgettext("section", "Kết quả nghiên cứu")),
    NavItem("needs.index", lazy_pgettext("section", "Nhu cầu công nghệ")),
    NavItem("registry.organisations", lazy_pgettext("section", "Tổ chức")),
    NavItem("registry.people", lazy_pgettext("section", "Chuyên gia")),
    NavItem("startups.index", lazy_pgettext("section", "Khởi nghiệp")),
    NavItem("investors.index", lazy_pgettext("section", "Nhà đầu tư")),
    NavItem("registry.groups", lazy_pgettext("section", "Nhóm nghiên cứu")),
    NavItem("workflow.index", lazy_pgettext("section", "Quỹ KH&CN")),
    NavItem("labs.index", lazy_pgettext("section", "Phòng thí nghiệm chung")),
    NavItem("indicators.index", lazy_pgettext("section", "Chỉ số")),
)


def nav_items() -> tuple[NavItem, ...]:
    return _ITEMS


_ACCOUNT_ITEMS = (
    NavItem("site.my_work_page", _l("Việc của tôi")),
    NavItem("auth.profile", _l("Trang cá nhân")),
)


def account_items() -> tuple[NavItem, ...]:
    return _ACCOUNT_ITEMS
