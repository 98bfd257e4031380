"""Sign-up, e-mail verification, sign-in and out, password reset, profile."""

from __future__ import annotations

import logging

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _

from ecosystem.auth import operations as ops
from ecosystem.auth.forms import (
    ChangePasswordForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
    ResendVerificationForm,
    ResetPasswordForm,
    ResetRequestForm,
)
from ecosystem.auth.labels import role_label
from ecosystem.auth.passwords import needs_rehash, verify_password
from ecosystem.auth.queries import profile_context
from ecosystem.auth.sessions import end_session, start_session
from ecosystem.auth.tokens import (
    TokenError,
    TokenProblem,
    user_for_reset_token,
    user_for_verify_token,
)
from ecosystem.core.audit import record_audit
from ecosystem.core.errors import UserError
from ecosystem.core.permissions import login_required
from ecosystem.core.uow import atomic, housekeeping
from ecosystem.core.urls import safe_next_url
from ecosystem.extensions import limiter

bp = Blueprint("auth", __name__, url_prefix="/auth")
security_log = logging.getLogger("ecosystem.security")

# Per address; generous for people, tight for scripts guessing passwords.
AUTH_LIMIT = "10 per minute; 60 per hour"
SIGN_IN_FAILURES = "10 per minute; 30 per hour"  # failed tries, per address and per account


def _token_message(problem: TokenProblem) -> str:
    return {
        TokenProblem.expired: _("Liên kết đã hết hạn. Hãy yêu cầu một liên kết mới."),
        TokenProblem.used: _("Liên kết này đã được sử dụng."),
        TokenProblem.invalid: _("Liên kết không hợp lệ."),
    }[problem]


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def register():
    if g.user is not None:
        return redirect(url_for("site.home"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            with atomic():
                ops.register_user({**form.data, "locale": _chosen_lang(request.form.get("locale"))})
        except UserError as error:
            form[error.field or "email"].errors.append(error.message)
        else:
            return render_template("auth/check_email.html", email=form.email.data.strip())
    return render_template("auth/register.html", form=form), 422 if form.errors else 200


def _current_lang() -> str:

    return str(get_locale() or "vi")


def _chosen_lang(value: str | None) -> str:
    """The language picked on the sign-up page: one we offer, else the page's own."""
    return value if value in current_app.config["LANGUAGES"] else _current_lang()


@bp.route("/verify/<token>", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def verify_email(token: str):
    try:
        user = user_for_verify_token(token)
    except TokenError as error:
        flash(_token_message(error.problem), "danger")
        return redirect(url_for("auth.login"))
    if request.method == "POST":
        ops.verify_email(user)
        flash(_("Đã xác nhận e-mail. Bạn có thể đăng nhập."), "success")
        return redirect(url_for("auth.login"))
    # A GET only shows the button: link scanners in mail systems must not verify anything.
    return render_template("auth/verify.html", user=user, token=token)


@bp.post("/resend-verification")
@limiter.limit(AUTH_LIMIT)
def resend_verification():
    form = ResendVerificationForm()
    if form.validate_on_submit():
        user = ops.find_user_by_email(form.email.data)
        if user is not None and user.email_verified_at is None and user.is_active:
            ops.send_verification(user)
    flash(_("Nếu tài khoản chưa được xác nhận, chúng tôi đã gửi lại thư xác nhận."), "info")
    return redirect(url_for("auth.login"))


def _sign_in_failed(response) -> bool:
    # Only refused sign-ins count: an office behind one address signs in all day long.
    return response.status_code == 422


def _sign_in_account() -> str:
    return ops.email_key(request.form.get("email", ""))[:254]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(SIGN_IN_FAILURES, methods=["POST"], deduct_when=_sign_in_failed)
@limiter.limit(
    SIGN_IN_FAILURES,
    methods=["POST"],
    deduct_when=_sign_in_failed,
    key_func=_sign_in_account,
    scope="sign-in-account",
)
def login():
    form = LoginForm(next=request.args.get("next", ""))
    unverified = False
    if form.validate_on_submit():
        user = ops.find_user_by_email(form.email.data)
        password_ok = verify_password(user.password_hash if user else None, form.password.data)
        if user is None or not password_ok or not user.is_active:
            # The page answers 422, which rolls the request back: the failure is written
            # by the housekeeping step, whatever the outcome.
            email = form.email.data
            housekeeping(lambda: _record_failed_sign_in(user, email))
            # One message for a wrong e-mail, a wrong password and a disabled account.
            form.password.errors.append(_("E-mail hoặc mật khẩu không đúng."))
        elif user.email_verified_at is None:
            unverified = True
            form.email.errors.append(_("Bạn cần xác nhận e-mail trước khi đăng nhập."))
        else:
            if needs_rehash(user.password_hash):
                user.password_hash = ops.hash_password(form.password.data)
            start_session(user)
            flash(_("Xin chào, %(name)s!", name=user.display_name), "success")
            return redirect(safe_next_url(form.next.data))
    status = 422 if form.errors else 200
    return render_template(
        "auth/login.html",
        form=form,
        unverified=unverified,
        resend=ResendVerificationForm(email=form.email.data),
        oidc_label=current_app.config["OIDC_LABEL"] or _("Đăng nhập một lần (SSO)"),
        oidc_enabled=bool(current_app.config["OIDC_METADATA_URL"]),
    ), status


def _record_failed_sign_in(user, email: str) -> None:
    security_log.warning(
        "failed sign-in",
        extra={
            "event": "sign_in_failed",
            "email": email[:254],
            "user_id": user.id if user else None,
            "ip": request.remote_addr,
        },
    )
    record_audit(
        "auth.sign_in_failed",
        object_type="users",
        object_id=user.id if user else None,
        email=email[:254],
    )


@bp.post("/logout")
def logout():
    end_session()
    flash(_("Bạn đã đăng xuất."), "info")
    return redirect(url_for("site.home"))


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        ops.request_password_reset(form.email.data)
        flash(_("Nếu e-mail này có tài khoản, chúng tôi đã gửi liên kết đặt lại mật khẩu."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_request.html", form=form), 422 if form.errors else 200


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def reset_password(token: str):
    try:
        user = user_for_reset_token(token)
    except TokenError as error:
        flash(_token_message(error.problem), "danger")
        return redirect(url_for("auth.reset_request"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        ops.set_password(user, form.password.data, reason="reset")
        if user.email_verified_at is None:
            ops.verify_email(user)  # the link reached the mailbox: the address is verified
        flash(_("Đã đặt mật khẩu mới. Hãy đăng nhập."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form), 422 if form.errors else 200


@bp.route("/account", methods=["GET", "POST"])
@login_required
def profile():
    user = g.user
    form = ProfileForm(obj=user)
    password_form = ChangePasswordForm(prefix="pw")
    if request.method == "POST" and form.validate_on_submit():
        ops.update_profile(user, form.data)

        session["lang"] = user.locale
        flash(_("Đã lưu thông tin cá nhân."), "success")
        return redirect(url_for("auth.profile"))
    return _render_profile(form, password_form)


def _render_profile(form, password_form):

    status = 422 if (form.errors or password_form.errors) else 200
    return render_template(
        "auth/profile.html", form=form, password_form=password_form, **profile_context(g.user)
    ), status


@bp.post("/account/password")
@login_required
def change_password():
    user = g.user
    form = ProfileForm(obj=user, formdata=None)
    password_form = ChangePasswordForm(prefix="pw")
    if password_form.validate_on_submit():
        if not verify_password(user.password_hash, password_form.current.data):
            password_form.current.errors.append(_("Mật khẩu hiện tại không đúng."))
        else:
            ops.set_password(user, password_form.password.data, reason="change")
            start_session(user, via="password")  # every other session ended; keep this one
            flash(_("Đã đổi mật khẩu. Các phiên đăng nhập khác đã kết thúc."), "success")
            return redirect(url_for("auth.profile"))
    return _render_profile(form, password_form)


@bp.app_context_processor
def _template_helpers() -> dict:

    return {"role_label": role_label}
