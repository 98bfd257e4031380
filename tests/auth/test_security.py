"""Security baseline: cookies, headers, CSRF, rate limits, security log and audit rows."""

from __future__ import annotations

import json
import logging
import re

import pytest
from flask import Flask

from ecosystem.auth.models import User
from ecosystem.auth.operations import email_key
from ecosystem.auth.passwords import hash_password
from ecosystem.auth.tokens import make_reset_token, make_verify_token
from ecosystem.core.logging import JsonFormatter
from ecosystem.core.models import utcnow
from ecosystem.extensions import db
from tests.auth.support import audit_rows, separate_app, user_by_email, user_count
from tests.auth_helpers import login, logout
from tests.builders import PASSWORD
from tests.conftest import html_text

IP = "203.0.113.7"  # TEST-NET-3: the address the client pretends to come from
FROM_IP = {"environ_base": {"REMOTE_ADDR": IP}}


@pytest.fixture
def production_app(tmp_path) -> Flask:
    with separate_app(
        tmp_path, ENV="production", TESTING=False, SECRET_KEY="a-long-random-production-key-xyz"
    ) as application:
        yield application


def session_cookie_header(response) -> str:
    (header,) = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("hue_session=")]
    return header


# --- cookies and headers ----------------------------------------------------------------


def test_session_cookie_is_httponly_and_lax(client, make_user):
    response = login(client, make_user())
    header = session_cookie_header(response)
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header
    assert "Secure" not in header  # plain http in development and tests


def test_session_cookie_is_secure_in_production(production_app):
    response = production_app.test_client().get("/auth/login")
    header = session_cookie_header(response)
    assert "Secure" in header and "HttpOnly" in header and "SameSite=Lax" in header


def test_hsts_only_in_production(client, production_app):
    assert "Strict-Transport-Security" not in client.get("/auth/login").headers
    hsts = production_app.test_client().get("/auth/login").headers["Strict-Transport-Security"]
    assert re.fullmatch(r"max-age=(\d+); includeSubDomains", hsts)
    assert int(hsts.split("=")[1].split(";")[0]) >= 180 * 24 * 3600


@pytest.mark.parametrize("path", ["/", "/auth/login", "/auth/register", "/does-not-exist"])
def test_security_headers(client, path):
    headers = client.get(path).headers
    csp = headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_pages_need_no_inline_script_or_style(client, make_user, make_org, make_member, admin):
    """The CSP forbids inline script and style: the pages must not rely on them."""
    org = make_org()
    make_member(org, role="admin", user=admin)
    user = make_user(verified=False)
    anonymous = [
        "/",
        "/auth/login",
        "/auth/register",
        "/auth/reset",
        f"/auth/verify/{make_verify_token(user)}",
        f"/auth/reset/{make_reset_token(user)}",
    ]
    signed_in = [
        "/auth/account",
        "/admin/users",
        f"/admin/users/{user.id}",
        "/admin/audit",
        f"/organisations/{org.id}/members",
    ]
    for path in anonymous + ["LOGIN"] + signed_in:
        if path == "LOGIN":
            login(client, admin)
            continue
        response = client.get(path)
        assert response.status_code == 200, path
        page = response.get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), path
        assert not re.search(r"\sstyle=", page), path
        assert not re.search(r"\son[a-z]+=", page), path
        assert "javascript:" not in page, path


# --- CSRF and safe methods --------------------------------------------------------------


def test_post_without_csrf_token_is_refused(client, mailbox):
    before = user_count()
    response = client.post(
        "/auth/register",
        data={
            "full_name": "Không Có Mã",
            "email": "csrf@hue.edu.vn",
            "password": PASSWORD,
            "confirm": PASSWORD,
        },
        csrf=False,
    )
    assert response.status_code == 400
    assert "Phiên biểu mẫu đã hết hạn hoặc không hợp lệ" in html_text(response)
    assert user_count() == before
    assert mailbox.messages() == []


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/auth/logout", {}),
        ("/auth/account", {"full_name": "Tên Bị Đổi", "locale": "en"}),
        ("/auth/account/password", {"pw-current": PASSWORD, "pw-password": "x" * 20}),
        ("/language", {"lang": "en"}),
    ],
)
def test_signed_in_forms_refuse_a_missing_csrf_token(client, make_user, path, data):
    user = make_user(full_name="Tên Gốc")
    login(client, user)
    response = client.post(path, data=data, csrf=False)
    assert response.status_code == 400
    saved = user_by_email(user.email)
    assert (saved.full_name, saved.locale, saved.password_hash) == (
        "Tên Gốc",
        "vi",
        user.password_hash,
    )
    assert client.get("/auth/account").status_code == 200  # still signed in


def test_admin_action_refuses_a_forged_request(client, make_user, admin):
    target = make_user()
    login(client, admin)
    response = client.post(
        f"/admin/users/{target.id}/roles",
        data={"role": "admin", "action": "grant", "csrf_token": "forged"},
        csrf=False,
    )
    assert response.status_code == 400
    assert not user_by_email(target.email).is_admin


def test_htmx_requests_send_the_token_in_a_header(client):
    # Every page tells htmx to send the CSRF token with its requests.
    page = client.get("/").get_data(as_text=True)
    assert re.search(r"hx-headers='\{\"X-CSRFToken\": \"[^\"]+\"\}'", page)


# --- rate limits ------------------------------------------------------------------------


@pytest.fixture
def limited_app(tmp_path) -> Flask:
    with separate_app(
        tmp_path, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://"
    ) as application:
        yield application


LIMITED = [
    ("/auth/login", {"email": "ai@hue.edu.vn", "password": "sai mật khẩu rồi"}),
    ("/auth/register", {"full_name": "A", "email": "a@hue.edu.vn", "password": "ngắn"}),
    ("/auth/reset", {"email": "ai@hue.edu.vn"}),
    ("/auth/resend-verification", {"email": "ai@hue.edu.vn"}),
    ("/auth/verify/not-a-token", {}),
    ("/auth/reset/not-a-token", {"password": "x", "confirm": "x"}),
]


@pytest.mark.parametrize(("path", "data"), LIMITED, ids=[p for p, _ in LIMITED])
def test_rate_limit_on_auth_and_token_endpoints(limited_app, path, data):
    client = limited_app.test_client()
    statuses = [client.post(path, data=data).status_code for _ in range(10)]
    assert 429 not in statuses
    response = client.post(path, data=data)
    assert response.status_code == 429
    text = html_text(response)
    assert "Quá nhiều yêu cầu" in text
    # It says when the next try is accepted (the minute window), here and in Retry-After.
    assert "Bạn đã thử quá nhiều lần. Hãy thử lại sau 1 phút." in text
    assert 0 < int(response.headers["Retry-After"]) <= 60
    # Another address is not affected (with another account, for the per-account limit).
    other_data = {**data, "email": "khac@hue.edu.vn"} if "email" in data else data
    other = client.post(path, data=other_data, environ_base={"REMOTE_ADDR": "198.51.100.9"})
    assert other.status_code != 429


def _verified_user(app, email: str) -> None:

    with app.app_context():
        db.session.add(
            User(
                email=email,
                email_key=email_key(email),
                password_hash=hash_password(PASSWORD),
                email_verified_at=utcnow(),
            )
        )
        db.session.commit()


def test_successful_sign_ins_do_not_count(limited_app):
    """An office behind one address: 40 people sign in within the hour, no lock-out."""
    _verified_user(limited_app, "office@hue.edu.vn")
    client = limited_app.test_client()
    statuses = set()
    for _ in range(40):
        statuses.add(
            client.post(
                "/auth/login", data={"email": "office@hue.edu.vn", "password": PASSWORD}
            ).status_code
        )
        client.post("/auth/logout")
    assert statuses == {302}


def test_failures_on_one_account_are_limited_from_every_address(limited_app):
    _verified_user(limited_app, "target@hue.edu.vn")
    client = limited_app.test_client()
    for n in range(10):
        client.post(
            "/auth/login",
            data={"email": "TARGET@hue.edu.vn", "password": "đoán thử"},
            environ_base={"REMOTE_ADDR": f"203.0.113.{n + 1}"},
        )
    response = client.post(
        "/auth/login",
        data={"email": "target@hue.edu.vn", "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "203.0.113.99"},
    )
    assert response.status_code == 429
    # Someone else from the same last address still signs in.
    _verified_user(limited_app, "ban@hue.edu.vn")
    ok = client.post(
        "/auth/login",
        data={"email": "ban@hue.edu.vn", "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "203.0.113.10"},
    )
    assert ok.status_code == 302


def test_rate_limit_page_in_english(limited_app):
    client = limited_app.test_client()
    client.post("/language", data={"lang": "en"})
    for _ in range(10):
        client.post("/auth/login", data={"email": "a@b.vn", "password": "x"})
    response = client.post("/auth/login", data={"email": "a@b.vn", "password": "x"})
    assert response.status_code == 429
    assert "Too many requests" in html_text(response)


def test_rate_limited_sign_in_does_not_sign_in(limited_app):

    with limited_app.app_context():
        db.session.add(
            User(
                email="that@hue.edu.vn",
                email_key=email_key("that@hue.edu.vn"),
                password_hash=hash_password(PASSWORD),
                email_verified_at=utcnow(),
            )
        )
        db.session.commit()
    client = limited_app.test_client()
    for _ in range(10):
        client.post("/auth/login", data={"email": "that@hue.edu.vn", "password": "đoán thử"})
    response = client.post("/auth/login", data={"email": "that@hue.edu.vn", "password": PASSWORD})
    assert response.status_code == 429
    assert client.get("/auth/account").status_code == 302


def test_get_pages_are_not_rate_limited(limited_app):
    client = limited_app.test_client()
    assert all(client.get("/auth/login").status_code == 200 for _ in range(15))


# --- security log -----------------------------------------------------------------------


@pytest.fixture
def security_log(caplog):
    caplog.set_level(logging.INFO, logger="ecosystem.security")

    def records(event: str) -> list[logging.LogRecord]:
        return [
            r
            for r in caplog.records
            if r.name == "ecosystem.security" and getattr(r, "event", None) == event
        ]

    return records


def test_sign_in_and_sign_out_are_logged(client, make_user, security_log):
    user = make_user()
    client.post("/auth/login", data={"email": user.email, "password": PASSWORD}, **FROM_IP)
    client.post("/auth/logout", **FROM_IP)
    for event in ("sign_in", "sign_out"):
        (record,) = security_log(event)
        assert record.user_id == user.id
        assert record.ip == IP


@pytest.mark.parametrize("case", ["unknown-email", "wrong-password"])
def test_failed_sign_in_is_logged(client, make_user, security_log, case):
    user = make_user()
    email = "khong-co@hue.edu.vn" if case == "unknown-email" else user.email
    client.post("/auth/login", data={"email": email, "password": "đoán thử 123"}, **FROM_IP)
    (record,) = security_log("sign_in_failed")
    assert record.levelno == logging.WARNING
    assert record.ip == IP
    assert record.email == email
    assert record.user_id == (None if case == "unknown-email" else user.id)


@pytest.mark.parametrize("who", ["anonymous", "member"])
def test_permission_refusal_is_logged(client, make_user, security_log, who):
    user = None
    if who == "member":
        user = make_user()
        login(client, user)
    response = client.get("/admin/users", **FROM_IP)
    assert response.status_code == (302 if user is None else 403)
    (record,) = security_log("permission_refused")
    assert record.ip == IP
    assert record.user_id == (user.id if user else None)
    assert record.path == "/admin/users"


def test_security_log_line_has_who_when_and_where(client, make_user, security_log):
    user = make_user()
    client.post("/auth/login", data={"email": user.email, "password": PASSWORD}, **FROM_IP)
    (record,) = security_log("sign_in")
    line = json.loads(JsonFormatter().format(record))
    assert line["user_id"] == user.id and line["ip"] == IP and line["event"] == "sign_in"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line["ts"])


# --- audit rows -------------------------------------------------------------------------


def test_sign_in_out_and_failure_are_audited(client, make_user):
    user = make_user()
    client.post("/auth/login", data={"email": user.email, "password": "đoán thử 123"}, **FROM_IP)
    login(client, user)
    logout(client)
    (failed,) = audit_rows("auth.sign_in_failed", object_id=str(user.id))
    assert failed.ip_address == IP and failed.actor_id is None
    assert failed.summary["email"] == user.email
    (signed_in,) = audit_rows("auth.sign_in", actor_id=user.id)
    assert signed_in.summary["via"] == "password"
    assert audit_rows("auth.sign_out", actor_id=user.id)


def test_failed_sign_in_for_unknown_email_is_audited(client):
    client.post("/auth/login", data={"email": "ai-do@hue.edu.vn", "password": "đoán thử 123"})
    rows = [
        r for r in audit_rows("auth.sign_in_failed") if r.summary["email"] == "ai-do@hue.edu.vn"
    ]
    assert len(rows) == 1 and rows[0].object_id is None


def test_sign_in_works_and_is_still_limited_when_redis_is_down(tmp_path):
    """The limiter's Redis is unreachable (a closed port): pages answer, limits fall back to
    the process's memory instead of a 500."""
    with separate_app(
        tmp_path, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="redis://127.0.0.1:9/0"
    ) as application:
        _verified_user(application, "redis.down@hue.edu.vn")
        client = application.test_client()
        ok = client.post(
            "/auth/login", data={"email": "redis.down@hue.edu.vn", "password": PASSWORD}
        )
        assert ok.status_code == 302
        client.post("/auth/logout")
        statuses = [
            client.post(
                "/auth/login", data={"email": "redis.down@hue.edu.vn", "password": "sai"}
            ).status_code
            for _ in range(11)
        ]
        assert 500 not in statuses
        assert statuses[-1] == 429


def test_signed_in_pages_are_never_stored(client, make_user):
    """A new token, contacts, confidential details: pages for a signed-in user say
    no-store; anonymous public pages and static files stay cacheable."""
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
    user = make_user("cache@hue.edu.vn")
    login(client, user)
    for path in ("/", "/auth/account"):
        response = client.get(path)
        assert response.headers["Cache-Control"] == "no-store", path
    static = client.get("/static/css/app.css")
    assert "no-store" not in static.headers.get("Cache-Control", "")
