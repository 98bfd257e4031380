"""Error pages (Vietnamese and English) and JSON errors for the API; never a bare 500."""

from __future__ import annotations

import logging
import math
import time

from flask import Flask, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from ecosystem.extensions import db, limiter

log = logging.getLogger(__name__)


class UserError(Exception):
    """A refusal meant for the user: its message is already translated.

    Operations raise it for input that passed the form but breaks a business rule; views
    show it next to ``field`` (or as a flash message) and nothing is saved.
    """

    def __init__(self, message: str, *, field: str | None = None, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status


MESSAGES = {
    400: (_l("Yêu cầu không hợp lệ"), _l("Dữ liệu gửi lên không đúng. Hãy kiểm tra và thử lại.")),
    403: (_l("Không có quyền truy cập"), _l("Bạn không có quyền xem hoặc thay đổi nội dung này.")),
    404: (_l("Không tìm thấy trang"), _l("Trang bạn tìm không tồn tại hoặc đã được chuyển đi.")),
    405: (_l("Phương thức không được phép"), _l("Thao tác này không được hỗ trợ tại địa chỉ này.")),
    413: (_l("Tệp quá lớn"), _l("Tệp tải lên vượt quá dung lượng cho phép.")),
    429: (
        _l("Quá nhiều yêu cầu"),
        _l("Bạn đã thử quá nhiều lần. Vui lòng đợi một lát rồi thử lại."),
    ),
    409: (
        _l("Dữ liệu đã thay đổi"),
        _l("Dữ liệu vừa được thay đổi bởi một thao tác khác. Hãy tải lại trang và thử lại."),
    ),
    422: (_l("Không thể thực hiện"), _l("Yêu cầu không thể thực hiện với dữ liệu này.")),
    500: (_l("Lỗi hệ thống"), _l("Đã có lỗi ngoài ý muốn. Chúng tôi đã ghi nhận và sẽ khắc phục.")),
}


def wants_json() -> bool:
    if request.path.startswith("/api/") or request.path == "/healthz":
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def render_error(code: int, detail: str | None = None):
    title, message = MESSAGES.get(code, MESSAGES[500] if code >= 500 else MESSAGES[400])
    if wants_json():
        return jsonify(
            error={"code": code, "title": str(title), "message": detail or str(message)}
        ), code
    return render_template(
        "errors/error.html", code=code, title=title, message=detail or message
    ), code


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError):
        return render_error(
            400,
            str(_l("Phiên biểu mẫu đã hết hạn hoặc không hợp lệ. Hãy tải lại trang và thử lại.")),
        )

    @app.errorhandler(UserError)
    def _user_error(error: UserError):
        db.session.rollback()
        return render_error(error.status if error.status in MESSAGES else 400, error.message)

    @app.errorhandler(RateLimitExceeded)
    def _too_many(error: RateLimitExceeded):
        # Say when the next try will be accepted, on the page and in Retry-After.
        current = limiter.current_limit
        wait = max(1, int(current.reset_at - time.time())) if current else 60
        minutes = max(1, math.ceil(wait / 60))
        detail = ngettext(
            "Bạn đã thử quá nhiều lần. Hãy thử lại sau %(num)d phút.",
            "Bạn đã thử quá nhiều lần. Hãy thử lại sau %(num)d phút.",
            minutes,
        )
        body, code = render_error(429, detail)
        return body, code, {"Retry-After": str(wait)}

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        detail = error.description if getattr(error, "user_message", False) else None
        response = render_error(error.code, detail)
        if error.code == 405 and getattr(error, "valid_methods", None):
            body, code = response
            return body, code, {"Allow": ", ".join(error.valid_methods)}
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return _http(error)
        # Whatever the request half-wrote is discarded before the page is shown.
        db.session.rollback()
        log.exception("unhandled error on %s %s", request.method, request.path)
        return render_error(InternalServerError.code)
