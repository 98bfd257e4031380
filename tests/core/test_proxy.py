from flask import request

from ecosystem import create_app
from tests.conftest import make_config

FORWARDED = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}


def _seen_address(tmp_path, url, **config) -> str:
    application = create_app(make_config(tmp_path, url, **config))
    application.add_url_rule("/_who", "who", lambda: f"{request.remote_addr} {request.scheme}")
    client = application.test_client()
    return client.get(
        "/_who", headers=FORWARDED, environ_base={"REMOTE_ADDR": "10.0.0.2"}
    ).get_data(as_text=True)


def test_behind_a_trusted_proxy_the_visitor_is_seen(tmp_path, app):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    assert _seen_address(tmp_path, url, TRUSTED_PROXIES=1) == "203.0.113.9 https"


def test_without_proxies_forwarded_headers_are_ignored(tmp_path, app):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    assert _seen_address(tmp_path, url) == "10.0.0.2 http"
