"""What people do with a proposal: say they are interested, dismiss it, report a deal.

Each action is a row of ``TRANSITIONS`` (from which states, to which state); ``act`` checks
it, writes the audit row and notifies the other side — in the app and by e-mail.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask import render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ecosystem.core.audit import record_audit
from ecosystem.core.errors import UserError
from ecosystem.core.mail import send_mail
from ecosystem.core.models import utcnow
from ecosystem.core.notifications import notify, register_messages, render_message
from ecosystem.core.transitions import lock_current
from ecosystem.core.urls import external_url
from ecosystem.matching.models import ContractType, Match, MatchState, Side
from ecosystem.matching.permissions import side_of
from ecosystem.registry.listing_operations import owners


@dataclass(frozen=True)
class Transition:
    allowed_from: tuple[MatchState, ...]
    message_key: str


TRANSITIONS = {
    "interest": Transition((MatchState.proposed, MatchState.interested), "match.interest"),
    "dismiss": Transition((MatchState.proposed, MatchState.interested), "match.dismissed"),
    "deal": Transition((MatchState.introduced, MatchState.deal_reported), "match.deal"),
}

register_messages(
    {
        "match.interest": _l("%(org)s quan tâm đến đề xuất kết nối “%(title)s”."),
        "match.introduced": _l(
            "Hai bên đã đồng ý kết nối: “%(title)s”. Thông tin liên hệ đã được mở."
        ),
        "match.dismissed": _l("%(org)s đã bỏ qua đề xuất “%(title)s”."),
        "match.deal": _l("%(org)s báo cáo đã ký kết hợp tác (%(deal)s) cho “%(title)s”."),
    }
)
STATE_LABELS = {
    MatchState.proposed: _l("Đề xuất"),
    MatchState.interested: _l("Một bên quan tâm"),
    MatchState.introduced: _l("Đã kết nối"),
    MatchState.deal_reported: _l("Đã ký hợp đồng"),
    MatchState.dismissed: _l("Đã bỏ qua"),
}
CONTRACT_LABELS = {
    ContractType.licence: _l("Chuyển nhượng / li-xăng công nghệ"),
    ContractType.joint_research: _l("Hợp tác nghiên cứu"),
    ContractType.service_contract: _l("Hợp đồng dịch vụ KH&CN"),
    ContractType.technology_transfer: _l("Chuyển giao công nghệ"),
    ContractType.investment: _l("Đầu tư"),
    ContractType.other: _l("Khác"),
}


def _check(match: Match, action: str, user: Any) -> Side:
    # Both sides may click at the same moment: lock the row and read its current state, or
    # two "yes" would each see the other missing and the pair would never be introduced.
    lock_current(match)
    side = side_of(user, match)
    if side is None:
        raise UserError(_("Bạn không thuộc tổ chức nào trong đề xuất này."), status=403)
    if match.state not in TRANSITIONS[action].allowed_from:
        raise UserError(_("Không thể thực hiện thao tác này ở trạng thái hiện tại của đề xuất."))
    return side


def interest(match: Match, user: Any) -> MatchState:
    side = _check(match, "interest", user)
    if match.interested_at(side) is not None:
        raise UserError(_("Tổ chức của bạn đã bày tỏ quan tâm rồi."))
    before = match.state
    now = utcnow()
    if side is Side.source:
        match.source_interested_at = now
    else:
        match.target_interested_at = now
    both = match.source_interested_at is not None and match.target_interested_at is not None
    match.state = MatchState.introduced if both else MatchState.interested
    if both:
        match.introduced_at = now
    record_audit(
        "match.introduced" if both else "match.interest",
        match,
        actor=user,
        side=side,
        before={"state": before},
        after={"state": match.state},
    )
    if both:
        _tell(match, None, "match.introduced", user)
    else:
        _tell(match, side, "match.interest", user)
    return match.state


def dismiss(match: Match, user: Any) -> None:
    side = _check(match, "dismiss", user)
    before = match.state
    match.state, match.dismissed_by, match.dismissed_at = MatchState.dismissed, side, utcnow()
    record_audit("match.dismissed", match, actor=user, side=side, before={"state": before})
    _tell(match, side, "match.dismissed", user)


def report_deal(
    match: Match, user: Any, contract_type: str, value: int | None, date: dt.date
) -> None:
    side = _check(match, "deal", user)
    try:
        kind = ContractType(contract_type)
    except ValueError:
        raise UserError(_("Loại hợp đồng không hợp lệ."), field="contract_type") from None
    if value is not None and value < 0:
        raise UserError(_("Giá trị hợp đồng không được âm."), field="value")
    if date > dt.date.today():
        raise UserError(_("Ngày ký không được ở tương lai."), field="date")
    if match.state is MatchState.deal_reported and (
        match.deal_type,
        match.deal_value,
        match.deal_date,
    ) == (kind, value, date):
        # The same report again (a double click, a resent form): a correction may follow,
        # a copy of the same contract is not a second deal.
        raise UserError(_("Hợp đồng này đã được ghi nhận."))
    before = match.state
    match.state, match.deal_type, match.deal_value, match.deal_date = (
        MatchState.deal_reported,
        kind,
        value,
        date,
    )
    match.deal_reported_by_id = user.id
    record_audit(
        "match.deal_reported",
        match,
        actor=user,
        side=side,
        before={"state": before},
        contract_type=kind,
        value=value,
        date=date,
    )
    _tell(match, side, "match.deal", user, deal=str(CONTRACT_LABELS[kind]))


def _tell(match: Match, acting_side: Side | None, key: str, user: Any, **extra: Any) -> None:
    """Notify the other side (or both sides when ``acting_side`` is None), in the app and by mail."""
    from ecosystem.matching.proposal_records import match_title, org_name

    sides = (
        [Side.source, Side.target]
        if acting_side is None
        else [Side.target if acting_side is Side.source else Side.source]
    )
    link = url_for("matching.detail", match_id=match.id)
    params = {
        "org": org_name(match.org_for(acting_side)) if acting_side else "",
        "title": match_title(match),
        **extra,
    }
    for side in sides:
        recipients = [u for u in owners(match.org_for(side)) if u.id != user.id]
        notify([u.id for u in recipients], key, params, link)
        for recipient in recipients:
            with force_locale(recipient.locale or "vi"):
                text = render_message(key, params)
                body = render_template(
                    "emails/match_update.txt",
                    user=recipient,
                    text=text,
                    link=external_url("matching.detail", match_id=match.id),
                )
                send_mail(
                    recipient.email, _("Cập nhật kết nối trên nền tảng Đổi mới sáng tạo Huế"), body
                )
