import os
import subprocess
import sys

import pytest

from ecosystem import create_app
from ecosystem.config import DEV_SECRET_KEY, ConfigError


def _production_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY"}}
    env.update({"ECOSYSTEM_ENV": "production", **extra})
    return env


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"SECRET_KEY": DEV_SECRET_KEY, "SQLALCHEMY_DATABASE_URI": "sqlite://"}, "SECRET_KEY"),
        ({"SECRET_KEY": "a-real-long-random-secret-value"}, "DATABASE_URL"),
    ],
)
def test_production_refuses_unsafe_configuration(monkeypatch, overrides, expected):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError) as excinfo:
        create_app({"ENV": "production", **overrides})
    assert expected in excinfo.value.message


def test_production_starts_when_configured(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app(
        {
            "ENV": "production",
            "SECRET_KEY": "a-real-long-random-secret-value",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'prod.db'}",
        }
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_production_refusal_is_one_line_without_traceback(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "ecosystem", "routes"],
        env=_production_env(ECOSYSTEM_INSTANCE=str(tmp_path)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == [
        "ecosystem: configuration error: production needs SECRET_KEY set to a long random value"
    ]


@pytest.mark.parametrize(
    ("env", "fragment"),
    [
        ({"DATABASE_URL": "not a url"}, "DATABASE_URL is not a valid database URL"),
        ({"DATABASE_URL": "mysql://u@h/db"}, "SQLite or PostgreSQL"),
        ({"PORT": "eighty"}, "PORT must be a whole number"),
        ({"SMTP_STARTTLS": "maybe"}, "SMTP_STARTTLS must be true or false"),
        ({"ECOSYSTEM_ENV": "staging"}, "ECOSYSTEM_ENV must be"),
    ],
)
def test_bad_environment_values_give_one_clear_message(monkeypatch, env, fragment):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ConfigError) as excinfo:
        create_app()
    assert fragment in excinfo.value.message
    assert "\n" not in str(excinfo.value.code)


def test_environment_overrides_defaults(monkeypatch, tmp_path):
    monkeypatch.setenv("LISTING_EXPIRY_DAYS", "30")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    app = create_app()
    assert app.config["LISTING_EXPIRY_DAYS"] == 30
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("x.db")


def test_postgres_url_uses_psycopg3_driver(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://user@127.0.0.1:5432/test")
    app = create_app()
    assert str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("postgresql+psycopg://")


def test_in_process_tasks_without_broker(monkeypatch):
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    conf = app.extensions["celery"].conf
    assert conf.task_always_eager is True
    assert conf.task_serializer == "json" and conf.task_acks_late is True
    assert conf.worker_prefetch_multiplier == 1 and conf.task_reject_on_worker_lost is True


def _development_app(instance, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("ECOSYSTEM_INSTANCE", str(instance))
    return create_app({"ENV": "development", "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_development_makes_a_random_key_once_and_keeps_it(monkeypatch, tmp_path):
    first = _development_app(tmp_path / "one", monkeypatch)
    key_file = tmp_path / "one" / "secret_key"
    assert first.secret_key != DEV_SECRET_KEY and len(first.secret_key) >= 48
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    # A restart (or the worker process) signs with the same key.
    assert _development_app(tmp_path / "one", monkeypatch).secret_key == first.secret_key
    # Another install gets its own.
    assert _development_app(tmp_path / "two", monkeypatch).secret_key != first.secret_key


def test_development_refuses_a_damaged_key_file(monkeypatch, tmp_path):
    (tmp_path / "secret_key").write_text("short")
    with pytest.raises(ConfigError) as excinfo:
        _development_app(tmp_path, monkeypatch)
    assert "secret_key" in excinfo.value.message


def test_development_links_follow_the_port(monkeypatch, tmp_path):
    monkeypatch.setenv("PORT", "8080")
    monkeypatch.delenv("BASE_URL", raising=False)
    assert _development_app(tmp_path, monkeypatch).config["BASE_URL"] == "http://127.0.0.1:8080"
    monkeypatch.setenv("BASE_URL", "https://doimoi.hue.gov.vn")
    assert _development_app(tmp_path, monkeypatch).config["BASE_URL"] == "https://doimoi.hue.gov.vn"
