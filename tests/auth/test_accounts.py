"""Accounts: sign-up and verification, sign-in and out, sessions, reset, profile, language."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from babel.messages.extract import extract_from_dir
from itsdangerous import TimestampSigner
from sqlalchemy import select, update

from ecosystem.auth.models import UserSession
from ecosystem.auth.passwords import verify_password
from ecosystem.auth.tokens import RESET_MAX_AGE, VERIFY_MAX_AGE, make_reset_token, make_verify_token
from ecosystem.core.models import utcnow
from ecosystem.extensions import db
from tests.auth.support import (
    Mailbox,
    audit_rows,
    field_error,
    flashes,
    link_path,
    separate_app,
    user_by_email,
    user_count,
)
from tests.auth_helpers import login, logout
from tests.builders import PASSWORD
from tests.conftest import html_text

COOKIE = "hue_session"
AUTH_PACKAGE = Path(__file__).resolve().parents[2] / "ecosystem" / "auth"
WRONG_CREDENTIALS = "E-mail hoặc mật khẩu không đúng."
NEW_PASSWORD = "sông Hương núi Ngự 2026"


def register(client, email="hoa@hue.edu.vn", password=PASSWORD, confirm=None, name="Trần Thị Hoa"):
    return client.post(
        "/auth/register",
        data={
            "full_name": name,
            "email": email,
            "password": password,
            "confirm": password if confirm is None else confirm,
        },
    )


def is_signed_in(client) -> bool:
    """The profile page answers only a signed-in browser; others go to the sign-in page."""
    response = client.get("/auth/account")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def cookie(client) -> str:
    return client.get_cookie(COOKIE).value


def replay(client, value: str) -> None:
    client.set_cookie(COOKIE, value)


def sessions_of(user) -> list[UserSession]:
    db.session.expire_all()
    return list(db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)))


def token_made_at(monkeypatch, seconds_ago: int, make, user) -> str:
    """A token signed ``seconds_ago`` in the past (itsdangerous' clock moved back)."""
    with monkeypatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) - seconds_ago)
        return make(user)


def location_path(response) -> str:
    return urlsplit(response.headers["Location"]).path


# --- sign-up and e-mail verification ---------------------------------------------------


def test_sign_up_verify_by_mail_then_sign_in(client, mailbox):
    response = register(client)
    assert response.status_code == 200
    assert "hoa@hue.edu.vn" in html_text(response)
    user = user_by_email("hoa@hue.edu.vn")
    assert user is not None and user.email_verified_at is None
    assert verify_password(user.password_hash, PASSWORD)
    assert audit_rows("auth.register", object_id=str(user.id))

    message = mailbox.one("hoa@hue.edu.vn")
    assert message["Subject"] == "Xác nhận địa chỉ e-mail"
    path = link_path(message, "/auth/verify/")

    # Before verification, the right password still does not sign in.
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 422
    assert field_error(response, "email") == "Bạn cần xác nhận e-mail trước khi đăng nhập."
    assert not is_signed_in(client)

    # A GET (a mail scanner following the link) only shows the button.
    page = client.get(path)
    assert page.status_code == 200
    assert 'method="post"' in page.get_data(as_text=True)
    assert "Xác nhận" in html_text(page)
    assert user_by_email(user.email).email_verified_at is None

    response = client.post(path)
    assert response.status_code == 302 and location_path(response) == "/auth/login"
    assert user_by_email(user.email).email_verified_at is not None
    assert len(audit_rows("auth.verify_email", object_id=str(user.id))) == 1

    login(client, user)
    assert is_signed_in(client)


@pytest.mark.parametrize(
    ("password", "accepted"),
    [("Hue-2026-ab", False), ("Huế-2026-ab", False), ("Hue-2026-abc", True)],
    ids=["11-chars", "11-chars-accented", "12-chars"],
)
def test_password_needs_twelve_characters(client, mailbox, password, accepted):
    before = user_count()
    response = register(client, email="ngan@hue.edu.vn", password=password)
    if accepted:
        assert response.status_code == 200
        assert user_count() == before + 1
        return
    assert response.status_code == 422
    assert field_error(response, "password") == "Mật khẩu cần ít nhất 12 ký tự."
    assert 'aria-describedby="password-hint password-error"' in response.get_data(as_text=True)
    assert user_count() == before
    assert user_by_email("ngan@hue.edu.vn") is None
    assert mailbox.messages() == []


def test_mismatched_confirmation_is_refused(client, mailbox):
    response = register(client, email="khop@hue.edu.vn", confirm=PASSWORD + "x")
    assert response.status_code == 422
    assert field_error(response, "confirm") == "Hai mật khẩu không khớp."
    assert user_by_email("khop@hue.edu.vn") is None


@pytest.mark.parametrize(
    "typed",
    [
        "AN.NGUYEN@HUE.EDU.VN",
        "An.Nguyen@Hue.Edu.Vn",
        "\uff21\uff4e.nguyen@hue.edu.vn",  # fullwidth "Ａｎ": NFKC gives "An"
        "an.nguyen@hue.edu.vn",
    ],
    ids=["upper", "mixed", "fullwidth", "same"],
)
def test_email_taken_in_another_case_or_unicode_form(client, mailbox, make_user, typed):
    existing = make_user("an.nguyen@hue.edu.vn")
    before = user_count()
    fresh = register(client, email="chua.co@hue.edu.vn", name="Người Mới")
    mailbox.clear()
    response = register(client, email=typed, name="Kẻ Giả Mạo")
    # The page is the one a new address gets: sign-up tells no one who has an account.
    assert response.status_code == fresh.status_code == 200
    assert html_text(response).replace(typed.strip(), "@") == html_text(fresh).replace(
        "chua.co@hue.edu.vn", "@"
    )
    assert user_count() == before + 1
    assert user_by_email(existing.email).full_name == existing.full_name
    # The owner of the address is told, with a way back in; no new account is made.
    message = mailbox.one(existing.email)
    assert message["Subject"] == "Bạn đã có tài khoản"
    assert "/auth/reset" in message.get_content()


def test_expired_verification_link_changes_nothing(client, mailbox, make_user, monkeypatch):
    user = make_user(verified=False)
    token = token_made_at(monkeypatch, VERIFY_MAX_AGE + 60, make_verify_token, user)
    for method in (client.get, client.post):
        response = method(f"/auth/verify/{token}", follow_redirects=True)
        assert "Liên kết đã hết hạn. Hãy yêu cầu một liên kết mới." in flashes(response)
    assert user_by_email(user.email).email_verified_at is None
    assert audit_rows("auth.verify_email", object_id=str(user.id)) == []


def test_fresh_token_from_the_past_is_still_valid(client, mailbox, make_user, monkeypatch):
    # The counterpart of the expiry test: one hour before the limit the link still works.
    user = make_user(verified=False)
    token = token_made_at(monkeypatch, VERIFY_MAX_AGE - 3600, make_verify_token, user)
    response = client.post(f"/auth/verify/{token}")
    assert response.status_code == 302
    assert user_by_email(user.email).email_verified_at is not None


def test_reused_verification_link_is_refused(client, mailbox, make_user):
    user = make_user(verified=False)
    token = make_verify_token(user)
    assert client.post(f"/auth/verify/{token}").status_code == 302
    verified_at = user_by_email(user.email).email_verified_at
    response = client.post(f"/auth/verify/{token}", follow_redirects=True)
    assert "Liên kết này đã được sử dụng." in flashes(response)
    assert user_by_email(user.email).email_verified_at == verified_at
    assert len(audit_rows("auth.verify_email", object_id=str(user.id))) == 1


def test_tampered_verification_link_is_refused(client, make_user):
    user = make_user(verified=False)
    token = make_verify_token(user)
    response = client.post(f"/auth/verify/{token[:-3]}xyz", follow_redirects=True)
    assert "Liên kết không hợp lệ." in flashes(response)
    assert user_by_email(user.email).email_verified_at is None


# --- password reset ---------------------------------------------------------------------


def reset_link(client, mailbox, user) -> str:
    response = client.post("/auth/reset", data={"email": user.email})
    assert response.status_code == 302
    return link_path(mailbox.one(user.email), "/auth/reset/")


def set_new_password(client, path, password=NEW_PASSWORD):
    return client.post(path, data={"password": password, "confirm": password})


def test_password_reset_by_mail(client, mailbox, make_user):
    user = make_user()
    path = reset_link(client, mailbox, user)
    assert client.get(path).status_code == 200
    response = set_new_password(client, path)
    assert response.status_code == 302 and location_path(response) == "/auth/login"
    assert verify_password(user_by_email(user.email).password_hash, NEW_PASSWORD)
    assert audit_rows("auth.password_changed", object_id=str(user.id))
    login(client, user, NEW_PASSWORD)
    logout(client)
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 422


def test_reset_request_for_unknown_email_looks_the_same(client, mailbox, make_user):
    user = make_user()
    known = client.post("/auth/reset", data={"email": user.email}, follow_redirects=True)
    unknown = client.post("/auth/reset", data={"email": "ai@hue.edu.vn"}, follow_redirects=True)
    assert flashes(known) == flashes(unknown)
    assert len(mailbox.messages()) == 1


def test_reused_reset_link_is_refused(client, mailbox, make_user):
    user = make_user()
    path = reset_link(client, mailbox, user)
    assert set_new_password(client, path).status_code == 302
    hash_after_first_use = user_by_email(user.email).password_hash
    response = set_new_password(client, path, "một mật khẩu khác hẳn 99")
    assert response.status_code == 302
    response = client.get(response.headers["Location"])
    assert "Liên kết này đã được sử dụng." in flashes(response)
    assert user_by_email(user.email).password_hash == hash_after_first_use


def test_expired_reset_link_changes_nothing(client, mailbox, make_user, monkeypatch):
    user = make_user()
    token = token_made_at(monkeypatch, RESET_MAX_AGE + 60, make_reset_token, user)
    response = client.post(
        f"/auth/reset/{token}",
        data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        follow_redirects=True,
    )
    assert "Liên kết đã hết hạn. Hãy yêu cầu một liên kết mới." in flashes(response)
    assert verify_password(user_by_email(user.email).password_hash, PASSWORD)


def test_short_new_password_on_reset_is_refused(client, mailbox, make_user):
    user = make_user()
    path = reset_link(client, mailbox, user)
    response = set_new_password(client, path, "ngắn-quá")
    assert response.status_code == 422
    assert field_error(response, "password") == "Mật khẩu cần ít nhất 12 ký tự."
    assert verify_password(user_by_email(user.email).password_hash, PASSWORD)


def test_password_reset_ends_all_other_sessions(client, new_client, mailbox, make_user):
    user = make_user()
    laptop, phone = new_client(), new_client()
    login(laptop, user)
    login(phone, user)
    path = reset_link(client, mailbox, user)
    set_new_password(client, path)
    assert not is_signed_in(laptop)
    assert not is_signed_in(phone)
    assert all(row.ended_at is not None for row in sessions_of(user))


# --- sign-in ----------------------------------------------------------------------------


@pytest.mark.parametrize("case", ["wrong-email", "wrong-password", "disabled", "disabled-wrong"])
def test_one_message_for_every_failed_sign_in(client, make_user, case):
    make_user("dung@hue.edu.vn", is_active=not case.startswith("disabled"))
    email = "khong-co@hue.edu.vn" if case == "wrong-email" else "dung@hue.edu.vn"
    password = PASSWORD if case == "disabled" else "mật khẩu sai rồi nhé"
    response = client.post("/auth/login", data={"email": email, "password": password})
    assert response.status_code == 422
    assert field_error(response, "password") == WRONG_CREDENTIALS
    assert field_error(response, "email") is None
    assert not is_signed_in(client)


def test_failed_sign_in_pages_are_identical(client, make_user):
    make_user("dung@hue.edu.vn")
    make_user("khoa@hue.edu.vn", is_active=False)
    pages = []
    for email, password in [
        ("khong-co@hue.edu.vn", PASSWORD),
        ("dung@hue.edu.vn", "mật khẩu sai rồi nhé"),
        ("khoa@hue.edu.vn", PASSWORD),
    ]:
        response = client.post("/auth/login", data={"email": email, "password": password})
        pages.append((response.status_code, html_text(response)))
    assert pages[0] == pages[1] == pages[2]


def test_sign_in_accepts_the_email_in_another_case(client, make_user):
    user = make_user("le.van.minh@hue.edu.vn")
    response = client.post(
        "/auth/login", data={"email": "Le.Van.Minh@HUE.edu.vn", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert is_signed_in(client)
    assert sessions_of(user)


def test_sign_in_starts_a_new_session(client, make_user):
    user = make_user()
    client.get("/auth/login")
    anonymous_cookie = cookie(client)
    login(client, user)
    signed_in_cookie = cookie(client)
    assert signed_in_cookie != anonymous_cookie
    assert is_signed_in(client)
    # The cookie the browser had before signing in does not become a signed-in one.
    replay(client, anonymous_cookie)
    assert not is_signed_in(client)


def test_signing_in_again_replaces_the_previous_session(client, make_user):
    first, second = make_user(), make_user()
    login(client, first)
    first_cookie = cookie(client)
    login(client, second)
    replay(client, first_cookie)
    assert not is_signed_in(client)
    assert [row.ended_at is not None for row in sessions_of(first)] == [True]


def test_sign_out_ends_the_session_on_the_server(client, make_user):
    user = make_user()
    login(client, user)
    signed_in_cookie = cookie(client)
    response = logout(client)
    assert response.status_code == 302
    assert not is_signed_in(client)
    replay(client, signed_in_cookie)
    assert not is_signed_in(client)
    assert sessions_of(user)[0].ended_at is not None


def test_sign_out_is_not_possible_with_get(client, make_user):
    user = make_user()
    login(client, user)
    assert client.get("/auth/logout").status_code == 405
    assert is_signed_in(client)


def test_disabling_an_account_ends_its_sessions_at_once(client, new_client, make_user, admin):
    user = make_user()
    browser = new_client()
    login(browser, user)
    assert is_signed_in(browser)
    login(client, admin)
    response = client.post(f"/admin/users/{user.id}/active", data={"active": "0"})
    assert response.status_code == 302
    assert not is_signed_in(browser)
    assert user_by_email(user.email).is_active is False
    # Ended on the server, not merely ignored while the account stays disabled.
    assert [row.ended_at is not None for row in sessions_of(user)] == [True]
    (event,) = audit_rows("auth.disabled", object_id=str(user.id), actor_id=admin.id)
    assert event.summary["sessions_ended"] == 1
    response = browser.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 422
    assert field_error(response, "password") == WRONG_CREDENTIALS


@pytest.mark.parametrize(
    ("column", "age", "still_signed_in"),
    [
        ("last_seen_at", dt.timedelta(minutes=59), True),
        ("last_seen_at", dt.timedelta(minutes=61), False),
        ("created_at", dt.timedelta(hours=11, minutes=59), True),
        ("created_at", dt.timedelta(hours=12, minutes=1), False),
    ],
    ids=["idle-59min", "idle-61min", "absolute-11h59", "absolute-12h01"],
)
def test_session_timeouts(client, app, make_user, column, age, still_signed_in):
    assert app.config["SESSION_IDLE_MINUTES"] == 60 and app.config["SESSION_MAX_HOURS"] == 12
    user = make_user()
    login(client, user)
    db.session.execute(
        update(UserSession).where(UserSession.user_id == user.id).values({column: utcnow() - age})
    )
    assert is_signed_in(client) is still_signed_in
    (row,) = sessions_of(user)
    assert (row.ended_at is None) is still_signed_in
    # Once timed out, the session never comes back, even if the clock is put right.
    if not still_signed_in:
        db.session.execute(
            update(UserSession).where(UserSession.id == row.id).values({column: utcnow()})
        )
        assert not is_signed_in(client)


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("//evil.example", "/"),
        ("//evil.example/auth/account", "/"),
        ("https://evil.example", "/"),
        ("http:evil.example", "/"),
        ("/\\evil.example", "/"),
        ("\\\\evil.example", "/"),
        ("/\t/evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("/auth/account", "/auth/account"),
    ],
)
def test_next_parameter_stays_on_site(client, make_user, target, expected):
    user = make_user()
    response = client.post(
        f"/auth/login?next={target}",
        data={"email": user.email, "password": PASSWORD, "next": target},
    )
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.netloc in ("", "localhost")
    assert location.path == expected


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example", "/\\evil"])
def test_language_switch_next_stays_on_site(client, target):
    response = client.post("/language", data={"lang": "en", "next": target})
    location = urlsplit(response.headers["Location"])
    assert location.netloc in ("", "localhost") and location.path == "/"


def test_sign_in_page_carries_next_into_the_form(client, make_user):
    # The page a visitor was sent from comes back after signing in.
    response = client.get("/admin/users")
    assert response.status_code == 302
    login_page = client.get(response.headers["Location"])
    assert 'name="next" type="hidden" value="/admin/users"' in login_page.get_data(as_text=True)


# --- profile ----------------------------------------------------------------------------


def change_password(client, current, new=NEW_PASSWORD, confirm=None):
    return client.post(
        "/auth/account/password",
        data={"pw-current": current, "pw-password": new, "pw-confirm": confirm or new},
    )


def test_change_password_needs_the_current_one(client, make_user):
    user = make_user()
    login(client, user)
    response = change_password(client, "không phải mật khẩu cũ")
    assert response.status_code == 422
    assert field_error(response, "pw-current") == "Mật khẩu hiện tại không đúng."
    assert verify_password(user_by_email(user.email).password_hash, PASSWORD)
    assert audit_rows("auth.password_changed", object_id=str(user.id)) == []


def test_change_password_keeps_this_session_and_ends_the_others(client, new_client, make_user):
    user = make_user()
    other = new_client()
    login(other, user)
    login(client, user)
    response = change_password(client, PASSWORD)
    assert response.status_code == 302
    assert verify_password(user_by_email(user.email).password_hash, NEW_PASSWORD)
    assert is_signed_in(client)
    assert not is_signed_in(other)


def test_change_password_refuses_a_short_one(client, make_user):
    user = make_user()
    login(client, user)
    response = change_password(client, PASSWORD, new="ngắn-quá")
    assert response.status_code == 422
    assert field_error(response, "pw-password") == "Mật khẩu cần ít nhất 12 ký tự."
    assert verify_password(user_by_email(user.email).password_hash, PASSWORD)


def test_profile_update_changes_name_and_locale(client, make_user):
    user = make_user(full_name="Nguyễn Văn Cũ")
    login(client, user)
    response = client.post("/auth/account", data={"full_name": "Nguyễn Văn Mới", "locale": "en"})
    assert response.status_code == 302
    saved = user_by_email(user.email)
    assert (saved.full_name, saved.locale) == ("Nguyễn Văn Mới", "en")
    (event,) = audit_rows("auth.profile_updated", object_id=str(user.id))
    assert event.summary["before"]["locale"] == "vi" and event.summary["after"]["locale"] == "en"
    home = client.get("/")
    assert '<html lang="en">' in home.get_data(as_text=True)
    assert "Connecting research and business in Huế" in html_text(home)


def test_profile_refuses_an_unknown_locale(client, make_user):
    user = make_user()
    login(client, user)
    response = client.post("/auth/account", data={"full_name": "Tên", "locale": "fr"})
    assert response.status_code == 422
    assert field_error(response, "locale") == "Lựa chọn không hợp lệ."
    assert user_by_email(user.email).locale == "vi"


def test_profile_needs_sign_in(client):
    response = client.get("/auth/account")
    assert response.status_code == 302
    assert location_path(response) == "/auth/login"


def test_locale_of_the_account_applies_after_sign_in(client, make_user):
    user = make_user(locale="en")
    login(client, user)
    assert "Connecting research and business in Huế" in html_text(client.get("/"))


# --- language ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/auth/login", "/auth/register", "/does-not-exist"])
def test_english_version_after_switching_language(client, path):
    vietnamese = client.get(path)
    assert '<html lang="vi">' in vietnamese.get_data(as_text=True)
    assert "Bỏ qua, đến nội dung chính" in html_text(vietnamese)
    response = client.post("/language", data={"lang": "en", "next": path})
    assert response.status_code == 302 and location_path(response) == path
    english = client.get(path)
    assert english.status_code == vietnamese.status_code
    assert '<html lang="en">' in english.get_data(as_text=True)
    text = html_text(english)
    assert "Skip to main content" in text and "Bỏ qua, đến nội dung chính" not in text
    assert "Huế City" in text
    client.post("/language", data={"lang": "vi", "next": path})
    assert "Bỏ qua, đến nội dung chính" in html_text(client.get(path))


def test_language_switch_is_remembered_for_a_signed_in_user(client, make_user):
    user = make_user()
    login(client, user)
    client.post("/language", data={"lang": "en", "next": "/"})
    assert user_by_email(user.email).locale == "en"


def test_unknown_language_is_ignored(client):
    client.post("/language", data={"lang": "xx", "next": "/"})
    assert '<html lang="vi">' in client.get("/").get_data(as_text=True)


# --- mail -------------------------------------------------------------------------------


def test_mail_leaves_through_the_app_that_sent_it(client, mailbox, tmp_path):
    # Another app in the same process (a live server, a production-configured app) must not
    # take over the delivery of this app's mail.
    with separate_app(tmp_path) as other:
        register(client, email="thu@hue.edu.vn")
        other_box = Mailbox(other.config["MAIL_FILE_DIR"])
        assert other_box.folder.exists() is False or other_box.messages() == []
    assert len(mailbox.messages("thu@hue.edu.vn")) == 1


# --- resending the verification mail, language of a new account -----------------------


def test_resend_verification_sends_a_working_link(client, mailbox, make_user):
    user = make_user(verified=False)
    response = client.post(
        "/auth/resend-verification", data={"email": user.email.upper()}, follow_redirects=True
    )
    assert "Nếu tài khoản chưa được xác nhận, chúng tôi đã gửi lại thư xác nhận." in flashes(
        response
    )
    path = link_path(mailbox.one(user.email), "/auth/verify/")
    client.post(path)
    assert user_by_email(user.email).email_verified_at is not None


@pytest.mark.parametrize("case", ["unknown", "verified", "disabled"])
def test_resend_verification_says_the_same_and_sends_nothing(client, mailbox, make_user, case):
    user = make_user(verified=case != "unverified", is_active=case != "disabled")
    email = "khong-ai@hue.edu.vn" if case == "unknown" else user.email
    response = client.post(
        "/auth/resend-verification", data={"email": email}, follow_redirects=True
    )
    assert "Nếu tài khoản chưa được xác nhận, chúng tôi đã gửi lại thư xác nhận." in flashes(
        response
    )
    assert mailbox.messages() == []


def test_account_created_in_english_keeps_english(client, mailbox):
    client.post("/language", data={"lang": "en"})
    response = register(client, email="english@hue.edu.vn")
    assert response.status_code == 200
    assert user_by_email("english@hue.edu.vn").locale == "en"


def test_signed_in_visitor_is_sent_home_from_sign_up(client, make_user):
    login(client, make_user())
    response = client.get("/auth/register")
    assert response.status_code == 302 and location_path(response) == "/"


def test_every_mail_subject_is_in_the_translation_catalogue_source(client, mailbox, make_user):
    """Subjects must be literal, marked strings: pybabel never sees ``_(variable)``."""

    user = make_user(verified=False)
    client.post("/auth/resend-verification", data={"email": user.email})
    client.post("/auth/reset", data={"email": user.email})
    subjects = {str(message["Subject"]) for message in mailbox.messages()}
    assert len(subjects) == 2
    keywords = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None}
    extracted = {
        found[2]
        for found in extract_from_dir(
            str(AUTH_PACKAGE), method_map=[("**.py", "python")], keywords=keywords
        )
    }
    assert subjects <= extracted


# --- bad input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "data", "message"),
    [
        ("full_name", {"full_name": ""}, "Vui lòng điền thông tin này."),
        ("email", {"email": "khong-phai-email"}, "Địa chỉ e-mail không hợp lệ."),
        ("email", {"email": "a" * 250 + "@hue.vn"}, "Địa chỉ e-mail không hợp lệ."),
        (
            "password",
            {"password": "abcd" * 51, "confirm": "abcd" * 51},
            "Không được dài quá 200 ký tự.",
        ),
        (
            "password",
            {"password": "aaaaaaaaaaaabbb", "confirm": "aaaaaaaaaaaabbb"},
            "Mật khẩu quá đơn giản: hãy dùng nhiều ký tự khác nhau.",
        ),
    ],
    ids=["no-name", "not-an-email", "long-email", "long-password", "too-simple"],
)
def test_sign_up_bad_input(client, mailbox, field, data, message):
    before = user_count()
    form = {
        "full_name": "Phan Văn Sai",
        "email": "sai@hue.edu.vn",
        "password": PASSWORD,
        "confirm": PASSWORD,
        **data,
    }
    response = client.post("/auth/register", data=form)
    assert response.status_code == 422
    assert field_error(response, field) == message
    assert user_count() == before
    assert mailbox.messages() == []


def test_huge_password_is_refused_before_hashing(client, make_user):
    user = make_user()
    response = client.post("/auth/login", data={"email": user.email, "password": "x" * 100_000})
    assert response.status_code == 422
    assert not is_signed_in(client)


def test_account_without_a_password_cannot_sign_in_with_one(client, make_user):
    # Accounts created by single sign-on have no password.
    user = make_user(password_hash=None)
    for password in ("", PASSWORD, "not-a-real-password-just-for-timing"):
        response = client.post("/auth/login", data={"email": user.email, "password": password})
        assert response.status_code == 422
    assert not is_signed_in(client)


def test_account_pages_in_english(client, make_user):
    user = make_user()
    client.post("/language", data={"lang": "en"})
    page = html_text(client.get("/auth/login"))
    assert "Sign in" in page and "Forgot your password?" in page and "Đăng nhập" not in page
    response = client.post("/auth/login", data={"email": user.email, "password": "sai rồi nhé"})
    assert field_error(response, "password") == "Wrong e-mail or password."
    response = register(client, email="en@hue.edu.vn", password="short-pw")
    assert field_error(response, "password") == "The password needs at least 12 characters."


def test_mail_subject_in_the_users_language(client, mailbox):
    client.post("/language", data={"lang": "en"})
    register(client, email="english.mail@hue.edu.vn")
    message = mailbox.one("english.mail@hue.edu.vn")
    assert message["Subject"] == "Confirm your e-mail address"
