"""What people do with a proposal: say they are interested, dismiss it, report a deal.

proposed → interested (one side said yes) → introduced (both did) → deal reported, or
dismissed while still open. Each action is a ``Transition`` of ``MATCH_WORKFLOW``; applying
it checks the state and the permission, writes the audit row and notifies the other side —
in the app and by e-mail.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ecosystem.core.errors import UserError
from ecosystem.core.mail import send_mail
from ecosystem.core.models import utcnow
from ecosystem.core.notifications import notify, register_messages, render_message
from ecosystem.core.transitions import Transition, Workflow
from ecosystem.core.urls import external_url
from ecosystem.matching.models import ContractType, Match, MatchState, Side
from ecosystem.matching.permissions import can_act_on_match, side_of
from ecosystem.matching.proposal_records import match_title, org_name
from ecosystem.registry.listing_owners import owners

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


# The life cycle --------------------------------------------------------------------------


def _not_yet_interested(match: Match, user: Any) -> str | None:
    side = side_of(user, match)
    if side is not None and match.interested_at(side) is not None:
        return _("Tổ chức của bạn đã bày tỏ quan tâm rồi.")
    return None


def _interest(match: Match, user: Any, *, side: Side, **data: Any) -> MatchState:
    """The effect decides the state: the second "yes" introduces both sides."""
    now = utcnow()
    if side is Side.source:
        match.source_interested_at = now
    else:
        match.target_interested_at = now
    if match.source_interested_at is None or match.target_interested_at is None:
        return MatchState.interested
    match.introduced_at = now
    return MatchState.introduced


def _interest_audit(match: Match) -> str:
    return "match.introduced" if match.state is MatchState.introduced else "match.interest"


def _tell_interest(match: Match, user: Any, transition: Transition, data: dict) -> None:
    if match.state is MatchState.introduced:
        _tell(match, None, "match.introduced", user)
    else:
        _tell(match, data["side"], "match.interest", user)


def _dismiss(match: Match, user: Any, *, side: Side, **data: Any) -> None:
    match.dismissed_by, match.dismissed_at = side, utcnow()


def _tell_dismissed(match: Match, user: Any, transition: Transition, data: dict) -> None:
    _tell(match, data["side"], "match.dismissed", user)


def _tell_deal(match: Match, user: Any, transition: Transition, data: dict) -> None:
    _tell(match, data["side"], "match.deal", user, deal=str(CONTRACT_LABELS[match.deal_type]))


def _deal(
    match: Match,
    user: Any,
    *,
    contract_type: str,
    value: int | None,
    date: dt.date,
    **data: Any,
) -> None:
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
    match.deal_type, match.deal_value, match.deal_date = kind, value, date
    match.deal_reported_by_id = user.id


OPEN = frozenset({MatchState.proposed, MatchState.interested})


def _t(name: str, sources: frozenset, target: MatchState | None, audit: Any, **kw: Any):
    """A transition of one of the two sides, refused in the life cycle's own words."""
    return Transition(
        name,
        sources,
        target,
        can_act_on_match,
        audit,
        wrong_state=_l("Không thể thực hiện thao tác này ở trạng thái hiện tại của đề xuất."),
        forbidden=_l("Bạn không thuộc tổ chức nào trong đề xuất này."),
        **kw,
    )


MATCH_WORKFLOW = Workflow(
    Match,
    [
        # The target is the effect's: interested, or introduced when the other side agreed.
        _t(
            "interest",
            OPEN,
            None,
            _interest_audit,
            label=_l("Quan tâm, muốn được giới thiệu"),
            user_guard=_not_yet_interested,
            effect=_interest,
            notify=_tell_interest,
            style="success",
        ),
        _t(
            "dismiss",
            OPEN,
            MatchState.dismissed,
            "match.dismissed",
            label=_l("Không phù hợp, bỏ qua"),
            effect=_dismiss,
            notify=_tell_dismissed,
            style="outline-secondary",
        ),
        # From deal_reported too: a correction of the reported contract.
        _t(
            "deal",
            frozenset({MatchState.introduced, MatchState.deal_reported}),
            MatchState.deal_reported,
            "match.deal_reported",
            label=_l("Báo cáo hợp đồng đã ký"),
            effect=_deal,
            notify=_tell_deal,
        ),
    ],
)


def act(match: Match, name: str, user: Any, **data: Any) -> Transition:
    """Perform transition ``name``; the acting side goes to the effect and the audit row."""
    return MATCH_WORKFLOW.apply(match, name, user, side=side_of(user, match), **data)


def interest(match: Match, user: Any) -> MatchState:
    act(match, "interest", user)
    return match.state


def dismiss(match: Match, user: Any) -> None:
    act(match, "dismiss", user)


def report_deal(
    match: Match, user: Any, contract_type: str, value: int | None, date: dt.date
) -> None:
    act(match, "deal", user, contract_type=contract_type, value=value, date=date)


def _tell(match: Match, acting_side: Side | None, key: str, user: Any, **extra: Any) -> None:
    """Notify the other side (or both sides when ``acting_side`` is None), in the app and by mail."""

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
