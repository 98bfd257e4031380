"""“Gợi ý phù hợp”: proposals for my organisations, their explanations, and what I do next."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import case, or_, select
from wtforms import SelectField
from wtforms.validators import DataRequired, InputRequired

from ecosystem.auth.models import User
from ecosystem.auth.operations import opt_out_of_digest
from ecosystem.core.errors import UserError
from ecosystem.core.fields import DateVNField, VNDField
from ecosystem.core.forms import BaseForm
from ecosystem.core.jobs import start_job
from ecosystem.core.pagination import paginate
from ecosystem.core.permissions import login_required, require
from ecosystem.core.uow import atomic, attempt
from ecosystem.core.urls import is_safe_next
from ecosystem.extensions import db
from ecosystem.matching import operations as ops
from ecosystem.matching import permissions as perms
from ecosystem.matching.explanation_text import facet_lines, fit, summary, unrelated_fields
from ecosystem.matching.models import ContractType, Match, MatchState, Side
from ecosystem.matching.proposal_records import preload_records, record, record_title
from ecosystem.matching.tasks import DIGEST_SALT, rebuild
from ecosystem.registry.listing_owners import owners
from ecosystem.registry.models import Organisation

bp = Blueprint("matching", __name__)
STATE_ORDER = case(
    (Match.state == MatchState.introduced, 0),
    (Match.state == MatchState.interested, 1),
    (Match.state == MatchState.proposed, 2),
    (Match.state == MatchState.deal_reported, 3),
    else_=4,
)


class DealForm(BaseForm):
    contract_type = SelectField(_l("Loại hợp đồng"), validators=[DataRequired()])
    value = VNDField(_l("Giá trị (₫)"))
    # InputRequired, not DataRequired: the latter replaces "not a valid date" by "required".
    date = DateVNField(_l("Ngày ký (dd/mm/yyyy)"), validators=[InputRequired()])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.contract_type.choices = [(c.value, str(ops.CONTRACT_LABELS[c])) for c in ContractType]


@bp.app_context_processor
def _helpers() -> dict:
    return {
        "match_summary": summary,
        "match_fit": fit,
        "match_unrelated_fields": unrelated_fields,
        "match_facet_lines": facet_lines,
        "match_record": record,
        "record_title": record_title,
        "listing_matches": listing_matches,
        "match_state_label": lambda state: str(ops.STATE_LABELS[state]),
        "contract_label": lambda kind: str(ops.CONTRACT_LABELS[kind]) if kind else "",
        "can_follow_matches": lambda user: (
            bool(user.active_org_ids) or perms.can_view_all_matches(user)
        ),
    }


def listing_matches(kind: str, object_id: int) -> list[Match]:
    """Proposals involving a record, for the people allowed to see them."""
    user = g.get("user")
    if user is None:
        return []
    statement = (
        select(Match)
        .where(
            or_(
                (Match.source_kind == kind) & (Match.source_id == object_id),
                (Match.target_kind == kind) & (Match.target_id == object_id),
            ),
            Match.state != MatchState.dismissed,
        )
        .order_by(STATE_ORDER, Match.score.desc())
        .limit(20)
    )
    matches = list(db.session.scalars(statement))
    preload_records(matches)
    return [m for m in matches if perms.can_view_match(user, m)]


@bp.get("/matches")
@login_required
def index():
    user = g.user
    state = request.args.get("state", "")
    statement = select(Match).where(perms.visible_matches(user))
    # The city's administrators and steering committee, who belong to no organisation,
    # follow every proposal of the platform: their list is the platform-wide one.
    show_all = perms.can_view_all_matches(user) and (
        request.args.get("all") == "1" or not user.active_org_ids
    )
    if not show_all:
        orgs = sorted(user.active_org_ids) or [-1]
        statement = statement.where(
            or_(Match.source_org_id.in_(orgs), Match.target_org_id.in_(orgs))
        )
    if state in {s.value for s in MatchState}:
        statement = statement.where(Match.state == MatchState(state))
    else:
        statement = statement.where(Match.state != MatchState.dismissed)
    page = paginate(statement.order_by(STATE_ORDER, Match.score.desc(), Match.id), per_page=20)
    preload_records(page.items)
    return render_template(
        "matching/index.html", page=page, state=state, show_all=show_all, states=list(MatchState)
    )


def _match(match_id: int) -> Match:
    match = db.session.get(Match, match_id)
    if match is None:
        abort(404)
    require(perms.can_view_match(g.user, match))
    return match


@bp.get("/matches/<int:match_id>")
@login_required
def detail(match_id: int):
    return _detail_page(_match(match_id), DealForm())


def _detail_page(match: Match, deal_form: DealForm, status: int = 200):
    side = perms.side_of(g.user, match)
    unlocked = perms.contacts_unlocked(g.user, match)
    contacts = []
    if unlocked:
        other = Side.target if side is Side.source else Side.source
        contacts = owners(match.org_for(other))
    return render_template(
        "matching/detail.html",
        match=match,
        side=side,
        unlocked=unlocked,
        contacts=contacts,
        deal_form=deal_form,
        source=record(match.source_kind, match.source_id),
        target=record(match.target_kind, match.target_id),
        source_org=db.session.get(Organisation, match.source_org_id),
        target_org=db.session.get(Organisation, match.target_org_id),
    ), status


def _act(match: Match, action, success: str) -> None:
    attempt(action, success)  # committed by the unit of work at the end of the request


@bp.post("/matches/<int:match_id>/interest")
@login_required
def interest(match_id: int):
    match = _match(match_id)
    require(perms.can_act_on_match(g.user, match))
    _act(
        match,
        lambda: ops.interest(match, g.user),
        _("Đã ghi nhận. Khi cả hai bên đồng ý, nền tảng sẽ giới thiệu hai bên với nhau."),
    )
    next_url = request.form.get("next_url")
    return redirect(
        next_url if is_safe_next(next_url) else url_for("matching.detail", match_id=match.id)
    )


@bp.post("/matches/<int:match_id>/dismiss")
@login_required
def dismiss(match_id: int):
    match = _match(match_id)
    require(perms.can_act_on_match(g.user, match))
    _act(
        match,
        lambda: ops.dismiss(match, g.user),
        _("Đã bỏ qua đề xuất. Đề xuất chỉ quay lại nếu hồ sơ thay đổi đáng kể."),
    )
    return redirect(url_for("matching.index"))


@bp.post("/matches/<int:match_id>/deal")
@login_required
def deal(match_id: int):
    match = _match(match_id)
    require(perms.can_act_on_match(g.user, match))
    form = DealForm()
    if form.validate_on_submit():
        try:
            with atomic():
                ops.report_deal(
                    match, g.user, form.contract_type.data, form.value.data, form.date.data
                )
        except UserError as error:
            if error.status == 403:
                abort(403)
            if error.field in form:
                form[error.field].errors.append(error.message)
            else:
                flash(error.message, "warning")
        else:
            flash(_("Đã ghi nhận hợp đồng. Cảm ơn bạn!"), "success")
            return redirect(url_for("matching.detail", match_id=match.id))
    # The page again, with what was typed and the message beside the field.
    return _detail_page(match, form, 422)


@bp.post("/admin/matching/rebuild")
@login_required
def start_rebuild():
    require(perms.can_rebuild_index(g.user))
    job = start_job("matching.rebuild", rebuild, user=g.user)
    return redirect(url_for("site.job_page", job_id=job.id))


@bp.route("/matches/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    try:
        user_id = URLSafeSerializer(current_app.secret_key, salt=DIGEST_SALT).loads(token)
    except BadSignature:
        abort(404)
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    if request.method == "POST":
        opt_out_of_digest(user)
        flash(_("Bạn sẽ không nhận thư tổng hợp hằng tuần nữa."), "success")
        return redirect(url_for("site.home"))
    return render_template("matching/unsubscribe.html", user=user)
