"""How views enforce permissions.

Each feature declares ``can_<verb>(user, obj) -> bool`` in its own permissions.py (no user →
False). Views call ``require(can_x(g.user, obj))``; a refusal is logged with who, when and
from where, then answered with 403 (or a sign-in redirect for anonymous visitors).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _

security_log = logging.getLogger("ecosystem.security")


def current_user() -> Any:
    return g.get("user")


def deny(reason: str = "") -> None:
    """Refuse the request: log it, then 403 (or send an anonymous visitor to sign in)."""
    user = current_user()
    security_log.warning(
        "permission refused",
        extra={
            "event": "permission_refused",
            "endpoint": request.endpoint,
            "path": request.path,
            "method": request.method,
            "user_id": getattr(user, "id", None),
            "ip": request.remote_addr,
            "reason": reason,
        },
    )
    if user is None and request.method == "GET" and not request.path.startswith("/api/"):
        flash(_("Vui lòng đăng nhập để tiếp tục."), "warning")
        abort(redirect(url_for("auth.login", next=request.full_path.rstrip("?"))))
    abort(403)


def require(allowed: bool, reason: str = "") -> None:
    if not allowed:
        deny(reason)


def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_user() is None:
            deny("login required")
        return view(*args, **kwargs)

    return wrapped


def can_view_job(user: Any, job: Any) -> bool:
    if user is None:
        return False
    return job.created_by_id == user.id or bool(getattr(user, "is_admin", False))
