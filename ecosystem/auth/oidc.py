"""OpenID Connect single sign-on (Authlib), configured only from the environment.

Accounts are found by issuer + subject, never by e-mail alone. An OIDC identity is linked
to an existing local account only while that account is signed in (from its profile).
"""

from __future__ import annotations

import logging

from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.flask_client import OAuth
from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    g,
    redirect,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import select

from ecosystem.auth import operations as ops
from ecosystem.auth.models import OidcIdentity
from ecosystem.auth.sessions import start_session
from ecosystem.core.errors import UserError
from ecosystem.core.models import utcnow
from ecosystem.core.permissions import login_required
from ecosystem.extensions import db, limiter

try:
    from joserfc.errors import JoseError
except ImportError:  # Authlib before 1.7 checks ID tokens with its own jose package
    from authlib.jose.errors import JoseError

bp = Blueprint("oidc", __name__, url_prefix="/auth/oidc")
log = logging.getLogger("ecosystem.security")
LINK_FLAG = "oidc_link_user"


def init_oidc(app: Flask) -> None:
    """Register the provider when configured. One OAuth registry per app, so two apps in
    one process (tests) never share a provider's cached metadata."""
    if not app.config["OIDC_METADATA_URL"]:
        return
    registry = OAuth(app)
    registry.register(
        name="oidc",
        server_metadata_url=app.config["OIDC_METADATA_URL"],
        client_id=app.config["OIDC_CLIENT_ID"],
        client_secret=app.config["OIDC_CLIENT_SECRET"],
        client_kwargs={"scope": "openid email profile"},
    )
    app.extensions["oidc_client"] = registry.create_client("oidc")


def _client():
    client = current_app.extensions.get("oidc_client")
    if client is None:
        abort(404)
    return client


def _redirect_to_provider():
    return _client().authorize_redirect(url_for("oidc.callback", _external=True))


@bp.post("/login")
@limiter.limit("20 per minute")
def login():
    session.pop(LINK_FLAG, None)
    return _redirect_to_provider()


@bp.post("/link")
@login_required
def link():
    session[LINK_FLAG] = g.user.id
    return _redirect_to_provider()


@bp.get("/callback")
@limiter.limit("20 per minute")
def callback():
    client = _client()
    try:
        token = client.authorize_access_token()
    except (OAuthError, JoseError) as error:
        # A tampered or replayed state, a refusal at the provider (OAuthError), or an ID
        # token that fails its checks: wrong nonce, signature, issuer, audience (JoseError).
        log.warning(
            "oidc sign-in refused",
            extra={
                "event": "oidc_failed",
                "error": getattr(error, "error", ""),
                "ip": request.remote_addr,
            },
        )
        flash(_("Đăng nhập một lần không thành công. Vui lòng thử lại."), "danger")
        return redirect(url_for("auth.login"))
    claims = token.get("userinfo") or {}
    issuer, subject = claims.get("iss"), claims.get("sub")
    if not issuer or not subject:
        flash(_("Đăng nhập một lần không thành công. Vui lòng thử lại."), "danger")
        return redirect(url_for("auth.login"))
    link_user_id = session.pop(LINK_FLAG, None)
    identity = db.session.scalar(
        select(OidcIdentity).where(OidcIdentity.issuer == issuer, OidcIdentity.subject == subject)
    )
    try:
        if link_user_id is not None:
            return _finish_link(identity, link_user_id, issuer, subject, claims)
        return _finish_sign_in(identity, issuer, subject, claims)
    except UserError as error:
        db.session.rollback()
        log.warning(
            "oidc sign-in refused",
            extra={
                "event": "oidc_failed",
                "error": "refused",
                "user_id": identity.user_id if identity else None,
                "ip": request.remote_addr,
            },
        )
        flash(error.message, "warning")
        return redirect(url_for("auth.login"))


def _finish_link(identity, link_user_id, issuer, subject, claims):
    user = g.get("user")
    if user is None or user.id != link_user_id:
        raise UserError(_("Phiên liên kết không hợp lệ. Hãy đăng nhập và thử lại."))
    if identity is not None and identity.user_id != user.id:
        raise UserError(_("Tài khoản đăng nhập một lần này đã gắn với một tài khoản khác."))
    if identity is None:
        ops.link_identity(user, issuer, subject, claims.get("email") or "")
    flash(_("Đã liên kết tài khoản đăng nhập một lần."), "success")
    return redirect(url_for("auth.profile"))


def _finish_sign_in(identity, issuer, subject, claims):
    if identity is not None:
        user = identity.user
        if not user.is_active:
            raise UserError(_("Tài khoản đã bị khóa. Vui lòng liên hệ quản trị viên."))
        identity.last_used_at = utcnow()
    else:
        user = ops.create_user_from_identity(issuer, subject, claims)
    start_session(user, via="oidc")
    flash(_("Xin chào, %(name)s!", name=user.display_name), "success")
    return redirect(url_for("site.home"))
