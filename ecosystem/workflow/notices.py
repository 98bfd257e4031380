"""What the fund tells applicants and managers: in the app and by e-mail, in their language.

Notifications store a key and parameters (core.notifications), so each reader sees them in
the language they choose. Nobody is told about their own action. Reviewers are told only
through ``tell_reviewer``, which refuses a reviewer with a conflict of interest.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from ecosystem.auth.models import PlatformRole, User, UserRole
from ecosystem.core.mail import send_mail
from ecosystem.core.notifications import notify, register_messages, render_message
from ecosystem.core.urls import external_url
from ecosystem.extensions import db
from ecosystem.registry.listing_operations import owners
from ecosystem.workflow.permissions import has_conflict

register_messages(
    {
        "fund.submit": _l("Hồ sơ “%(title)s” đã được nộp."),
        "fund.mark_eligible": _l("Hồ sơ “%(title)s” hợp lệ và được chuyển thẩm định."),
        "fund.mark_ineligible": _l("Hồ sơ “%(title)s” không hợp lệ."),
        "fund.request_info": _l("Quỹ yêu cầu bổ sung thông tin cho hồ sơ “%(title)s”."),
        "fund.reply": _l("Hồ sơ “%(title)s” đã được bổ sung thông tin."),
        "fund.to_committee": _l("Hồ sơ “%(title)s” được chuyển Hội đồng xét chọn."),
        "fund.approve": _l("Hồ sơ “%(title)s” đã được phê duyệt."),
        "fund.waitlist": _l("Hồ sơ “%(title)s” được đưa vào danh sách chờ."),
        "fund.reject": _l("Hồ sơ “%(title)s” không được phê duyệt."),
        "fund.withdraw": _l("Hồ sơ “%(title)s” đã được rút."),
        "fund.contract": _l("Hợp đồng cho hồ sơ “%(title)s” đã được ký."),
        "fund.start": _l("Dự án “%(title)s” bắt đầu thực hiện."),
        "fund.close": _l("Dự án “%(title)s” đã được nghiệm thu và kết thúc."),
        "fund.terminate": _l("Hợp đồng của dự án “%(title)s” đã bị chấm dứt."),
        "fund.review_assigned": _l("Bạn được mời thẩm định hồ sơ số %(number)s."),
        "fund.milestone_report": _l("Dự án “%(title)s” đã gửi báo cáo mốc “%(milestone)s”."),
        "fund.milestone_accept": _l(
            "Báo cáo mốc “%(milestone)s” của dự án “%(title)s” được chấp nhận."
        ),
        "fund.milestone_ask_changes": _l(
            "Quỹ yêu cầu chỉnh sửa báo cáo mốc “%(milestone)s” của dự án “%(title)s”."
        ),
        "fund.disbursed": _l(
            "Quỹ đã giải ngân %(amount)s cho mốc “%(milestone)s” của dự án “%(title)s”."
        ),
        "fund.milestone_due": _l("Mốc “%(milestone)s” của dự án “%(title)s” đến hạn ngày %(due)s."),
        "fund.milestone_overdue": _l(
            "Mốc “%(milestone)s” của dự án “%(title)s” đã quá hạn (%(due)s)."
        ),
    }
)

# Steps a fund manager should hear about (the applicant acted).
FOR_MANAGERS = frozenset({"fund.submit", "fund.reply", "fund.withdraw"})


def fund_managers() -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == PlatformRole.fund_manager, User.is_active.is_(True))
        ).unique()
    )


def _send(users: list[User], key: str, params: dict[str, Any], link: str, actor: Any) -> None:
    users = [u for u in users if actor is None or u.id != actor.id]
    notify([u.id for u in users], key, params, link)
    for user in users:
        with force_locale(user.locale or "vi"):
            text = render_message(key, params)
            body = render_template("emails/fund_update.txt", user=user, text=text, link=link)
            send_mail(user.email, text, body)


def tell_applicant(application: Any, key: str, *, actor: Any = None, **extra: Any) -> None:
    """Tell the applicant organisation's members (and the managers when the applicant acted)."""
    tell_users(owners(application.organisation_id), application, key, actor=actor, **extra)
    if key in FOR_MANAGERS:
        tell_users(fund_managers(), application, key, actor=actor, **extra)


def tell_users(
    users: list[User], application: Any, key: str, *, actor: Any = None, **extra: Any
) -> None:
    params = {"title": application.title, "number": application.id, **extra}
    link = external_url("workflow.application", application_id=application.id)
    _send(users, key, params, link, actor)


def tell_reviewer(application: Any, reviewer: User, key: str, assignment_id: int) -> None:
    """Tell an expert about an application, unless they have a conflict of interest.

    The link leads to the assignment, where the details open only after the declaration."""
    if has_conflict(reviewer, application):
        return
    params = {"number": application.id}  # no title: details open after the declaration
    link = external_url("workflow.review", assignment_id=assignment_id)
    _send([reviewer], key, params, link, None)
