"""OpenID Connect sign-in end to end, against a real provider running in this process.

The provider (oidc-provider-mock) serves discovery, authorisation, token, JWKS and
userinfo over HTTP on a free port. The app talks to it like to a city or university
identity provider: a registered client with an exact redirect URI, a nonce required.
"""

from __future__ import annotations

import itertools
import logging
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
import requests
from sqlalchemy import select

from ecosystem.auth.models import OidcIdentity, User, UserSession
from ecosystem.auth.operations import email_key
from ecosystem.auth.passwords import hash_password
from ecosystem.core.audit import AuditEvent
from ecosystem.core.models import utcnow
from ecosystem.extensions import db
from tests.auth.support import flashes, separate_app
from tests.builders import PASSWORD
from tests.conftest import html_text

CALLBACK = "http://localhost/auth/oidc/callback"
# The provider (and Authlib under it) warn about their own deprecations; not ours to fix.
pytestmark = [
    pytest.mark.filterwarnings("ignore::authlib.deprecate.AuthlibDeprecationWarning"),
    pytest.mark.filterwarnings("ignore:get_jwt_config:DeprecationWarning"),
]
_numbers = itertools.count(1)


@pytest.fixture(scope="module")
def provider():
    # Imported here, inside pytest's warning filters: the module warns on import.
    from oidc_provider_mock import run_server_in_thread  # noqa: PLC0415

    with run_server_in_thread(require_client_registration=True, require_nonce=True) as server:
        base = f"http://localhost:{server.server_port}"
        response = requests.post(
            f"{base}/oauth2/clients", json={"redirect_uris": [CALLBACK]}, timeout=10
        )
        response.raise_for_status()
        client = response.json()
        yield {"base": base, "client_id": client["client_id"], "secret": client["client_secret"]}


@pytest.fixture(scope="module")
def oidc_app(provider, tmp_path_factory):
    with separate_app(
        tmp_path_factory.mktemp("oidc"),
        OIDC_METADATA_URL=f"{provider['base']}/.well-known/openid-configuration",
        OIDC_CLIENT_ID=provider["client_id"],
        OIDC_CLIENT_SECRET=provider["secret"],
        OIDC_LABEL="Đăng nhập bằng tài khoản Đại học Huế",
    ) as application:
        yield application


@pytest.fixture
def browser(oidc_app):
    return oidc_app.test_client()


@pytest.fixture
def person(provider):
    """A fresh identity at the provider: its subject and e-mail."""
    number = next(_numbers)
    sub = f"sub-{number}-vien-chuc"
    email = f"vien.chuc{number}@hueuni.edu.vn"
    set_claims(provider, sub, email=email, email_verified=True, name="Viên Chức Đại học Huế")
    return sub, email


def set_claims(provider, sub, **claims):
    response = requests.put(f"{provider['base']}/users/{sub}", json=claims, timeout=10)
    assert response.status_code == 204


def at_provider(browser, start="/auth/oidc/login"):
    """Start at the app; return the provider's authorisation URL it sent the browser to."""
    response = browser.post(start)
    assert response.status_code == 302
    return response.headers["Location"]


def authorise(authorize_url, sub) -> str:
    """The person signs in at the provider; return the URL it sends the browser back to."""
    response = requests.post(authorize_url, data={"sub": sub}, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text[:500]
    return response.headers["Location"]


def come_back(browser, callback_url, **replace):
    parts = urlsplit(callback_url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == CALLBACK
    query = {k: v[0] for k, v in parse_qs(parts.query).items()} | replace
    return browser.get(f"{parts.path}?{urlencode(query)}")


def sign_in(browser, sub, start="/auth/oidc/login", **replace):
    return come_back(browser, authorise(at_provider(browser, start), sub), **replace)


def is_signed_in(browser) -> bool:
    return browser.get("/auth/account").status_code == 200


def identities(oidc_app, sub) -> list[OidcIdentity]:
    with oidc_app.app_context():
        rows = db.session.scalars(select(OidcIdentity).where(OidcIdentity.subject == sub)).all()
        db.session.expunge_all()
        return list(rows)


def find_user(oidc_app, address) -> User | None:
    with oidc_app.app_context():
        user = db.session.scalar(select(User).where(User.email_key == email_key(address)))
        db.session.expunge_all()
        return user


def local_account(oidc_app, address, *, active=True) -> int:
    with oidc_app.app_context():
        user = User(
            email=address,
            email_key=email_key(address),
            full_name="Tài khoản cục bộ",
            password_hash=hash_password(PASSWORD),
            email_verified_at=utcnow(),
            is_active=active,
        )
        db.session.add(user)
        db.session.commit()
        return user.id


def password_sign_in(browser, address):
    response = browser.post("/auth/login", data={"email": address, "password": PASSWORD})
    assert response.status_code == 302


def actions_for(oidc_app, user_id) -> list[str]:
    with oidc_app.app_context():
        return list(
            db.session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.object_type == "users", AuditEvent.object_id == str(user_id))
                .order_by(AuditEvent.id)
            )
        )


FAILED = "Đăng nhập một lần không thành công. Vui lòng thử lại."


def test_login_page_offers_single_sign_on(browser):
    page = browser.get("/auth/login")
    assert "Đăng nhập bằng tài khoản Đại học Huế" in html_text(page)
    assert 'action="/auth/oidc/login"' in page.get_data(as_text=True)


def test_authorisation_request_carries_state_and_nonce(browser, provider):
    url = urlsplit(at_provider(browser))
    assert urlunsplit((url.scheme, url.netloc, url.path, "", "")).startswith(provider["base"])
    query = parse_qs(url.query)
    assert query["redirect_uri"] == [CALLBACK]
    assert query["client_id"] == [provider["client_id"]]
    assert set(query["scope"][0].split()) >= {"openid", "email"}
    assert query["state"][0] and query["nonce"][0]


def test_sign_in_end_to_end_creates_an_account(oidc_app, browser, provider, person):
    sub, email = person
    response = sign_in(browser, sub)
    assert response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/"
    assert is_signed_in(browser)

    (identity,) = identities(oidc_app, sub)
    assert identity.issuer == provider["base"] and identity.subject == sub
    user = find_user(oidc_app, email)
    assert identity.user_id == user.id
    assert user.full_name == "Viên Chức Đại học Huế"
    assert user.email_verified_at is not None and user.password_hash is None
    assert actions_for(oidc_app, user.id)[:3] == [
        "auth.register",
        "auth.oidc_linked",
        "auth.sign_in",
    ]
    with oidc_app.app_context():
        (session_row,) = db.session.scalars(
            select(UserSession).where(UserSession.user_id == user.id)
        ).all()
        assert session_row.via == "oidc"


def test_account_found_by_subject_not_by_email(oidc_app, browser, provider, person):
    sub, email = person
    sign_in(browser, sub)
    browser.post("/auth/logout")
    # The provider now reports another address; the subject still names the same person.
    set_claims(provider, sub, email="dia.chi.moi@hueuni.edu.vn", email_verified=True)
    sign_in(browser, sub)
    assert is_signed_in(browser)
    assert len(identities(oidc_app, sub)) == 1
    assert find_user(oidc_app, "dia.chi.moi@hueuni.edu.vn") is None
    assert html_text(browser.get("/auth/account")).count(email) >= 1


@pytest.mark.parametrize(
    "tamper",
    [{"state": "forged-state"}, {"state": ""}],
    ids=["forged", "missing"],
)
def test_tampered_state_is_refused(oidc_app, browser, person, tamper, caplog):
    sub, email = person
    response = sign_in(browser, sub, **tamper)
    (record,) = [r for r in caplog.records if getattr(r, "event", None) == "oidc_failed"]
    assert record.levelno == logging.WARNING and record.ip == "127.0.0.1"
    assert response.status_code == 302
    assert FAILED in flashes(browser.get(response.headers["Location"]))
    assert not is_signed_in(browser)
    assert identities(oidc_app, sub) == []
    assert find_user(oidc_app, email) is None


def test_state_from_another_browser_is_refused(oidc_app, browser, person):
    # An attacker's own callback URL, pushed into the victim's browser (login CSRF).
    sub, email = person
    attacker = oidc_app.test_client()
    callback = authorise(at_provider(attacker), sub)
    response = come_back(browser, callback)
    assert FAILED in flashes(browser.get(response.headers["Location"]))
    assert not is_signed_in(browser)
    assert identities(oidc_app, sub) == []


def test_tampered_nonce_is_refused(oidc_app, browser, person):
    sub, email = person
    authorize_url = at_provider(browser)
    with browser.session_transaction() as session:
        (key,) = [k for k in session if k.startswith("_state_oidc_")]
        state = session[key]
        state["data"]["nonce"] = "not-the-nonce-that-was-sent"
        session[key] = state
    response = come_back(browser, authorise(authorize_url, sub))
    assert response.status_code == 302
    assert FAILED in flashes(browser.get(response.headers["Location"]))
    assert not is_signed_in(browser)
    assert identities(oidc_app, sub) == []


def test_replayed_callback_is_refused(oidc_app, browser, person):
    sub, _ = person
    callback = authorise(at_provider(browser), sub)
    come_back(browser, callback)
    browser.post("/auth/logout")
    response = come_back(browser, callback)
    assert FAILED in flashes(browser.get(response.headers["Location"]))
    assert not is_signed_in(browser)


def test_refusal_at_the_provider(browser):
    authorize_url = at_provider(browser)
    response = requests.post(
        authorize_url, data={"action": "deny"}, allow_redirects=False, timeout=10
    )
    back = come_back(browser, response.headers["Location"])
    assert FAILED in flashes(browser.get(back.headers["Location"]))
    assert not is_signed_in(browser)


@pytest.mark.parametrize("form", ["same", "upper-case"])
def test_email_of_a_local_account_does_not_sign_into_it(oidc_app, browser, provider, form):
    number = next(_numbers)
    address = f"giang.vien{number}@hueuni.edu.vn"
    user_id = local_account(oidc_app, address)
    sub = f"sub-{number}-trung-email"
    claimed = address if form == "same" else address.upper()
    set_claims(provider, sub, email=claimed, email_verified=True, name="Người khác")
    response = sign_in(browser, sub)
    messages = flashes(browser.get(response.headers["Location"]))
    assert (
        "Đã có tài khoản với e-mail này. Hãy đăng nhập bằng mật khẩu, rồi liên kết tài khoản "
        "trong trang cá nhân." in messages
    )
    assert not is_signed_in(browser)
    assert identities(oidc_app, sub) == []
    assert "auth.sign_in" not in actions_for(oidc_app, user_id)


def test_link_from_the_profile_then_sign_in_with_it(oidc_app, browser, provider):
    number = next(_numbers)
    address = f"can.bo{number}@hue.gov.vn"
    user_id = local_account(oidc_app, address)
    sub = f"sub-{number}-lien-ket"
    set_claims(provider, sub, email=address, email_verified=True, name="Cán Bộ")

    password_sign_in(browser, address)
    response = sign_in(browser, sub, start="/auth/oidc/link")
    assert urlsplit(response.headers["Location"]).path == "/auth/account"
    profile = browser.get("/auth/account")
    assert "Đã liên kết tài khoản đăng nhập một lần." in flashes(profile)
    assert provider["base"] in html_text(profile)
    (identity,) = identities(oidc_app, sub)
    assert identity.user_id == user_id and identity.issuer == provider["base"]
    assert "auth.oidc_linked" in actions_for(oidc_app, user_id)

    browser.post("/auth/logout")
    assert not is_signed_in(browser)
    sign_in(browser, sub)
    assert is_signed_in(browser)
    assert address in html_text(browser.get("/auth/account"))


def test_linking_needs_a_signed_in_account(browser):
    response = browser.post("/auth/oidc/link")
    assert response.status_code == 403


def test_identity_of_another_account_cannot_be_linked(oidc_app, browser, provider, person):
    sub, _ = person
    first = oidc_app.test_client()
    sign_in(first, sub)  # the identity now belongs to the account it created
    number = next(_numbers)
    address = f"nguoi.khac{number}@hue.gov.vn"
    local_account(oidc_app, address)
    password_sign_in(browser, address)
    response = sign_in(browser, sub, start="/auth/oidc/link")
    messages = flashes(browser.get(response.headers["Location"]))
    assert "Tài khoản đăng nhập một lần này đã gắn với một tài khoản khác." in messages
    (identity,) = identities(oidc_app, sub)
    assert identity.user_id != find_user(oidc_app, address).id


def test_disabled_account_cannot_sign_in(oidc_app, browser, person, caplog):
    sub, email = person
    sign_in(browser, sub)
    browser.post("/auth/logout")
    with oidc_app.app_context():
        user = db.session.scalar(select(User).where(User.email_key == email_key(email)))
        user.is_active = False
        db.session.commit()
        user_id = user.id
    response = sign_in(browser, sub)
    messages = flashes(browser.get(response.headers["Location"]))
    assert "Tài khoản đã bị khóa. Vui lòng liên hệ quản trị viên." in messages
    assert not is_signed_in(browser)
    (record,) = [r for r in caplog.records if getattr(r, "event", None) == "oidc_failed"]
    assert record.user_id == user_id and record.ip == "127.0.0.1"


def test_provider_without_an_email_gets_a_clear_message(oidc_app, browser, provider):
    sub = f"sub-{next(_numbers)}-khong-email"
    set_claims(provider, sub, name="Không Có Thư")
    response = sign_in(browser, sub)
    messages = flashes(browser.get(response.headers["Location"]))
    assert messages and not any("Đã có tài khoản" in m for m in messages)
    assert any(re.search("e-mail", m) for m in messages)
    assert not is_signed_in(browser)
    assert identities(oidc_app, sub) == []


def test_without_configuration_the_routes_are_absent(client):
    # The session app has no OIDC settings: no button, and the routes answer 404.
    assert "/auth/oidc/login" not in client.get("/auth/login").get_data(as_text=True)
    assert client.post("/auth/oidc/login").status_code == 404
    assert client.get("/auth/oidc/callback").status_code == 404


def test_link_refused_when_the_session_ended_meanwhile(oidc_app, browser, provider):
    number = next(_numbers)
    address = f"het.phien{number}@hue.gov.vn"
    user_id = local_account(oidc_app, address)
    sub = f"sub-{number}-het-phien"
    set_claims(provider, sub, email=f"khac{number}@hueuni.edu.vn", email_verified=True)
    password_sign_in(browser, address)
    authorize_url = at_provider(browser, "/auth/oidc/link")
    # The session times out while the person is at the provider.
    with oidc_app.app_context():
        row = db.session.scalar(select(UserSession).where(UserSession.user_id == user_id))
        row.last_seen_at = utcnow() - timedelta(hours=2)
        db.session.commit()
    response = come_back(browser, authorise(authorize_url, sub))
    messages = flashes(browser.get(response.headers["Location"]))
    assert "Phiên liên kết không hợp lệ. Hãy đăng nhập và thử lại." in messages
    assert identities(oidc_app, sub) == []
    assert not is_signed_in(browser)
