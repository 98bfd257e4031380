"""Security headers sent with every response.

The Content-Security-Policy allows no inline script or style, so templates never use
``<script>`` bodies or ``style=`` attributes; behaviour lives in ecosystem/static/js.
"""

from __future__ import annotations

from flask import Flask, Response, g, request

from ecosystem.core.errors import UserError
from ecosystem.core.forms import INVALID_TEXT
from ecosystem.core.text import has_invalid_characters

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def register_security_headers(app: Flask) -> None:
    production = app.config["ENV"] == "production"

    @app.before_request
    def _refuse_invalid_query_text() -> None:
        # No text column can hold U+0000 (PostgreSQL refuses it outright); such input is
        # never legitimate, so a query string holding it is a 400 before it reaches any
        # query. Form fields are left to the forms (core.forms), which name the field.
        for _key, items in request.args.lists():
            if any(has_invalid_characters(item) for item in items):
                raise UserError(str(INVALID_TEXT), status=400)

    @app.after_request
    def _headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if production:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if "Cache-Control" not in headers and _is_personal(response):
            # A signed-in page may hold a new token, contacts or confidential details: no
            # browser or proxy may keep a copy (the back button on a shared computer).
            headers["Cache-Control"] = "no-store"
        return response


def _is_personal(response: Response) -> bool:
    if request.path.startswith("/static/"):
        return False
    return g.get("user") is not None or g.get("api_token") is not None
