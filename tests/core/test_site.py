from ecosystem import create_app
from tests.conftest import html_text, make_config


def test_home_explains_platform_with_live_counts(client, make_org):
    before = client.get("/")
    make_org("Công ty TNHH Đếm Số")  # one more enterprise
    after = client.get("/")
    assert after.status_code == 200
    assert "Kết nối nghiên cứu với doanh nghiệp" in html_text(after)
    assert html_text(before) != html_text(after)  # the count is live, not cached


def test_healthz_reports_database_and_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["broker"] == {"ok": True, "mode": "in-process"}


def test_healthz_fails_when_broker_unreachable(tmp_path, app, monkeypatch):
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)  # Celery reads it before its config
    config = make_config(
        tmp_path,
        app.config["SQLALCHEMY_DATABASE_URI"],
        CELERY_BROKER_URL="redis://127.0.0.1:1/0",
        CELERY_TASK_ALWAYS_EAGER=False,
    )
    response = create_app(config).test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["broker"]["ok"] is False


def test_healthz_fails_when_database_unreachable(tmp_path):
    config = make_config(tmp_path, "postgresql://nobody@127.0.0.1:1/none")
    response = create_app(config).test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"]["ok"] is False


def test_error_pages_in_both_languages(client):
    vi = client.get("/no-such-page")
    assert vi.status_code == 404 and "Không tìm thấy trang" in html_text(vi)
    client.post("/language", data={"lang": "en", "next": "/"})
    en = client.get("/no-such-page")
    assert en.status_code == 404 and "Page not found" in html_text(en)


def test_json_errors_for_api_clients(client):
    response = client.get("/no-such-page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == 404


def test_security_headers(client):
    headers = client.get("/").headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in headers  # only in production


def test_post_without_csrf_token_is_refused(client):
    response = client.post("/language", data={"lang": "en"}, csrf=False)
    assert response.status_code == 400
    assert "Phiên biểu mẫu" in html_text(response)


def test_language_switch_rejects_offsite_next(client):
    response = client.post("/language", data={"lang": "en", "next": "//evil.example/x"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_static_assets_are_local(client):
    page = client.get("/").get_data(as_text=True)
    assert "cdn" not in page.lower()
    for path in ("/static/vendor/bootstrap/bootstrap.min.css", "/static/vendor/htmx/htmx.min.js"):
        assert client.get(path).status_code == 200
