"""Creating and revoking personal access tokens from the profile page."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from ecosystem.api.permissions import can_revoke_token
from ecosystem.api.tokens import create_token, revoke_token
from ecosystem.auth.models import ApiToken
from ecosystem.core.errors import UserError
from ecosystem.core.forms import BaseForm
from ecosystem.core.permissions import login_required, require
from ecosystem.core.uow import atomic
from ecosystem.extensions import db

bp = Blueprint("api_tokens", __name__, url_prefix="/auth/account/tokens")


class TokenForm(BaseForm):
    name = StringField(_l("Tên gợi nhớ"), validators=[DataRequired(), Length(max=100)])
    can_write = BooleanField(_l("Cho phép ghi (tạo, sửa, lưu trữ)"))
    days = SelectField(
        _l("Hiệu lực"),
        choices=[
            ("30", _l("30 ngày")),
            ("90", _l("90 ngày")),
            ("365", _l("1 năm")),
            ("0", _l("Không hết hạn")),
        ],
        default="90",
    )


@bp.post("/")
@login_required
def create():
    form = TokenForm()
    if not form.validate_on_submit():
        flash(_("Hãy đặt tên cho khóa truy cập."), "warning")
        return redirect(url_for("auth.profile"))
    try:
        with atomic():
            token, plain = create_token(
                g.user, form.name.data, form.can_write.data, int(form.days.data) or None
            )
    except UserError as error:
        flash(error.message, "warning")
        return redirect(url_for("auth.profile"))
    # Shown once, never stored in clear: the page says so.
    return render_template("api/token_created.html", token=token, plain=plain)


@bp.post("/<int:token_id>/revoke")
@login_required
def revoke(token_id: int):
    token = db.session.get(ApiToken, token_id)
    if token is None:
        abort(404)
    require(can_revoke_token(g.user, token))
    revoke_token(token, g.user)
    flash(_("Đã thu hồi khóa truy cập."), "success")
    return redirect(url_for("auth.profile"))


@bp.app_context_processor
def _token_form() -> dict:
    return {"token_form_class": TokenForm}
