"""Settings: safe defaults for the embedded setup, every one overridable from the environment.

The embedded default needs nothing but Python packages: SQLite in the instance folder,
Celery tasks run in-process, e-mail printed to the console. Production
(``ECOSYSTEM_ENV=production``) refuses to start on the development secret key or without
``DATABASE_URL``.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from celery.schedules import crontab
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

DEV_SECRET_KEY = "dev-only-secret-key-change-me"


class ConfigError(SystemExit):
    """A configuration mistake. Uncaught, it ends the process with just its one-line message."""

    def __init__(self, message: str) -> None:
        super().__init__(f"ecosystem: configuration error: {message}")
        self.message = message


@dataclass(frozen=True)
class Setting:
    env: str
    key: str
    kind: type = str
    doc: str = ""


# Every environment variable the platform reads; the README's table mirrors this list.
SETTINGS: tuple[Setting, ...] = (
    Setting("ECOSYSTEM_ENV", "ENV", str, "development (default), production or testing"),
    Setting("SECRET_KEY", "SECRET_KEY", str, "signs sessions and tokens; required in production"),
    Setting("DATABASE_URL", "SQLALCHEMY_DATABASE_URI", str, "SQLAlchemy URL; SQLite by default"),
    Setting(
        "CELERY_BROKER_URL", "CELERY_BROKER_URL", str, "redis:// or amqp://; empty = in-process"
    ),
    Setting("CELERY_RESULT_BACKEND", "CELERY_RESULT_BACKEND", str, "optional result backend"),
    Setting("RATELIMIT_STORAGE_URI", "RATELIMIT_STORAGE_URI", str, "limiter storage"),
    Setting("PORT", "PORT", int, "port for make run (5000)"),
    Setting("BASE_URL", "BASE_URL", str, "public address used in e-mails"),
    Setting("MAIL_BACKEND", "MAIL_BACKEND", str, "console (default), file or smtp"),
    Setting("MAIL_FILE_DIR", "MAIL_FILE_DIR", str, "folder for the file mail backend"),
    Setting("MAIL_FROM", "MAIL_FROM", str, "sender address"),
    Setting("SMTP_HOST", "SMTP_HOST", str, "SMTP server"),
    Setting("SMTP_PORT", "SMTP_PORT", int, "SMTP port (587)"),
    Setting("SMTP_USERNAME", "SMTP_USERNAME", str, "SMTP user"),
    Setting("SMTP_PASSWORD", "SMTP_PASSWORD", str, "SMTP password"),
    Setting("SMTP_STARTTLS", "SMTP_STARTTLS", bool, "use STARTTLS (true)"),
    Setting("OIDC_METADATA_URL", "OIDC_METADATA_URL", str, "issuer discovery document URL"),
    Setting("OIDC_CLIENT_ID", "OIDC_CLIENT_ID", str, "OpenID Connect client id"),
    Setting("OIDC_CLIENT_SECRET", "OIDC_CLIENT_SECRET", str, "OpenID Connect client secret"),
    Setting("OIDC_LABEL", "OIDC_LABEL", str, "sign-in button label"),
    Setting("SESSION_IDLE_MINUTES", "SESSION_IDLE_MINUTES", int, "idle timeout (60)"),
    Setting("SESSION_MAX_HOURS", "SESSION_MAX_HOURS", int, "absolute timeout (12)"),
    Setting("LISTING_EXPIRY_DAYS", "LISTING_EXPIRY_DAYS", int, "published listings expire (182)"),
    Setting("JOB_TIMEOUT_SECONDS", "JOB_TIMEOUT_SECONDS", int, "a silent job is failed (600)"),
    Setting("JOB_HEARTBEAT_SECONDS", "JOB_HEARTBEAT_SECONDS", int, "a running job beats (15)"),
    Setting("UPLOAD_MAX_MB", "UPLOAD_MAX_MB", int, "largest attachment (10)"),
    Setting("MATCHING_QUEUE", "MATCHING_QUEUE", str, "queue of the index tasks (matching)"),
    Setting(
        "DASHBOARD_CACHE_SECONDS",
        "DASHBOARD_CACHE_SECONDS",
        int,
        "indicators are recomputed at most this often (300)",
    ),
    Setting("MATCHING_INDEX_DIR", "MATCHING_INDEX_DIR", str, "where the matching index is saved"),
    Setting("SEED_DEMO", "SEED_DEMO", bool, "load demo data on first start (make run)"),
    Setting("TRUSTED_PROXIES", "TRUSTED_PROXIES", int, "reverse proxies in front (0)"),
    Setting("LOG_FORMAT", "LOG_FORMAT", str, "json (default) or text"),
    Setting("LOG_LEVEL", "LOG_LEVEL", str, "INFO"),
    Setting(
        "LAB_CHECKIN_GRACE_MINUTES",
        "LAB_CHECKIN_GRACE_MINUTES",
        int,
        "minutes after its start a booking not checked in is released (30)",
    ),
    Setting(
        "LAB_LATE_CANCEL_HOURS",
        "LAB_LATE_CANCEL_HOURS",
        int,
        "a cancellation closer than this to the start is recorded as late (24)",
    ),
)


def _parse(setting: Setting, raw: str) -> Any:
    if setting.kind is bool:
        lowered = raw.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off", ""}:
            return False
        raise ConfigError(f"{setting.env} must be true or false, not {raw!r}")
    if setting.kind is int:
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(f"{setting.env} must be a whole number, not {raw!r}") from None
    return raw.strip()


def defaults(instance_path: str) -> dict[str, Any]:
    instance = Path(instance_path)
    return {
        "_INSTANCE_PATH": instance_path,
        "ENV": "development",
        "SECRET_KEY": DEV_SECRET_KEY,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'ecosystem.db'}",
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        "CELERY_BROKER_URL": "",
        "CELERY_RESULT_BACKEND": "",
        "RATELIMIT_STORAGE_URI": "",
        "RATELIMIT_ENABLED": True,
        # Redis down: count in this process's memory instead and never fail the request.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
        "PORT": 5000,
        "BASE_URL": "http://127.0.0.1:5000",
        "MAIL_BACKEND": "console",
        "MAIL_FILE_DIR": str(instance / "mail"),
        "MAIL_FROM": "Hệ sinh thái đổi mới sáng tạo Huế <no-reply@hue-innovation.local>",
        "SMTP_HOST": "",
        "SMTP_PORT": 587,
        "SMTP_USERNAME": "",
        "SMTP_PASSWORD": "",
        "SMTP_STARTTLS": True,
        "OIDC_METADATA_URL": "",
        "OIDC_CLIENT_ID": "",
        "OIDC_CLIENT_SECRET": "",
        "OIDC_LABEL": "",
        "SESSION_IDLE_MINUTES": 60,
        "SESSION_MAX_HOURS": 12,
        "LISTING_EXPIRY_DAYS": 182,
        "UPLOAD_MAX_MB": 10,
        "JOB_TIMEOUT_SECONDS": 600,
        "JOB_HEARTBEAT_SECONDS": 15,
        "DASHBOARD_CACHE_SECONDS": 300,
        "MATCHING_INDEX_DIR": str(instance / "matching"),
        "MATCHING_QUEUE": "matching",
        "SEED_DEMO": True,
        "LAB_CHECKIN_GRACE_MINUTES": 30,
        "LAB_LATE_CANCEL_HOURS": 24,
        "TRUSTED_PROXIES": 0,
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "INFO",
        "BABEL_DEFAULT_LOCALE": "vi",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
        "LANGUAGES": ("vi", "en"),
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": False,
        "SESSION_COOKIE_NAME": "hue_session",
        "JSON_SORT_KEYS": False,
    }


def from_environment(environ: dict[str, str] | None = None) -> dict[str, Any]:
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = environ.get(setting.env)
        if raw is not None and raw.strip() != "":
            values[setting.key] = _parse(setting, raw)
    return values


def instance_secret_key(instance_path: str) -> str:
    """A random key made on first start and kept in the instance folder (readable by the
    owner only), so a development install never signs with a key published in the code."""
    path = Path(instance_path) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: the web process and the worker starting together agree on one key.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_text(encoding="ascii").strip()
        if len(key) < 32:
            raise ConfigError(f"{path} holds no usable key; delete it to make a new one") from None
        return key
    key = secrets.token_urlsafe(48)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key


def finalize(config: dict[str, Any]) -> None:
    """Derived settings and the checks that must pass before the app starts."""
    env = config.get("ENV", "development")
    if env not in {"development", "production", "testing"}:
        raise ConfigError(f"ECOSYSTEM_ENV must be development, production or testing, not {env!r}")
    _check_database_url(config)
    if env == "production":
        _check_production(config)
    if env == "development":
        _development_defaults(config)
    broker = config.get("CELERY_BROKER_URL") or ""
    if not config.get("RATELIMIT_STORAGE_URI"):
        config["RATELIMIT_STORAGE_URI"] = broker if broker.startswith("redis") else "memory://"
    config["MAX_CONTENT_LENGTH"] = (config["UPLOAD_MAX_MB"] + 1) * 1024 * 1024
    config["CELERY"] = celery_settings(config)


def _check_database_url(config: dict[str, Any]) -> None:
    url = config["SQLALCHEMY_DATABASE_URI"]
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(f"DATABASE_URL is not a valid database URL: {url!r}") from None
    if parsed.get_backend_name() not in {"sqlite", "postgresql"}:
        raise ConfigError("DATABASE_URL must point to SQLite or PostgreSQL")
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        # psycopg 3 is the driver we install ([postgres] extra), not psycopg2.
        config["SQLALCHEMY_DATABASE_URI"] = parsed.set(drivername="postgresql+psycopg")


def _check_production(config: dict[str, Any]) -> None:
    if config.get("SECRET_KEY") in (None, "", DEV_SECRET_KEY):
        raise ConfigError("production needs SECRET_KEY set to a long random value")
    if not config.get("_DATABASE_URL_GIVEN"):
        raise ConfigError("production needs DATABASE_URL (PostgreSQL)")
    config["SESSION_COOKIE_SECURE"] = True


def _development_defaults(config: dict[str, Any]) -> None:
    if config.get("BASE_URL") == "http://127.0.0.1:5000":
        # `make run PORT=8080`: links in e-mails point where the platform really listens.
        config["BASE_URL"] = f"http://127.0.0.1:{config.get('PORT', 5000)}"
    if config.get("SECRET_KEY") in (None, "", DEV_SECRET_KEY):
        config["SECRET_KEY"] = instance_secret_key(config["_INSTANCE_PATH"])


# Every module that defines tasks, so a worker registers them all at start.
TASK_MODULES = (
    "ecosystem.site.tasks",
    "ecosystem.core.mail",
    "ecosystem.registry.imports",
    "ecosystem.registry.tasks",
    "ecosystem.matching.tasks",
    "ecosystem.workflow.tasks",
    "ecosystem.labs.tasks",
)


# Periodic work (run `make beat`); times are Huế time.
BEAT_SCHEDULE = {
    "registry-expiry-reminders": {
        "task": "registry.remind_expiring",
        "schedule": crontab(hour=7, minute=0),
    },
    "matching-nightly-rebuild": {
        "task": "matching.nightly_rebuild",
        "schedule": crontab(hour=2, minute=30),
    },
    "jobs-supervision": {
        "task": "site.reap_stale_jobs",
        "schedule": 60.0,
    },
    "tasks-resend-undelivered": {
        "task": "site.resend_undelivered",
        "schedule": 300.0,
    },
    "fund-daily": {
        "task": "workflow.daily",
        "schedule": crontab(hour=0, minute=5),
    },
    # Bookings not checked in within LAB_CHECKIN_GRACE_MINUTES of their start.
    "labs-release-unclaimed": {
        "task": "labs.release_unclaimed",
        "schedule": crontab(minute="*/5"),
    },
    "matching-weekly-digest": {
        "task": "matching.weekly_digest",
        "schedule": crontab(day_of_week=1, hour=7, minute=30),
    },
}


# The matching index is one file on the disk of the machine that updates it: every task
# that reads or writes it goes to one queue, consumed by one worker process (README,
# "Production deployment"), so many workers on many machines never hold diverging copies.
INDEX_TASKS = ("matching.update_records", "matching.rebuild", "matching.nightly_rebuild")


def _matching_routes(queue: str) -> dict[str, dict[str, str]]:
    return {name: {"queue": queue} for name in INDEX_TASKS} if queue else {}


def celery_settings(config: dict[str, Any]) -> dict[str, Any]:
    broker = config.get("CELERY_BROKER_URL") or ""
    eager = config.get("CELERY_TASK_ALWAYS_EAGER", not broker)
    return {
        "broker_url": broker or "memory://",
        "result_backend": config.get("CELERY_RESULT_BACKEND") or None,
        "task_always_eager": eager,
        "task_eager_propagates": True,
        "task_serializer": "json",
        "result_serializer": "json",
        "accept_content": ["json"],
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_ignore_result": True,
        "broker_connection_retry_on_startup": True,
        "timezone": "Asia/Ho_Chi_Minh",
        "enable_utc": True,
        "task_default_queue": config.get("CELERY_TASK_DEFAULT_QUEUE", "celery"),
        "task_routes": _matching_routes(config.get("MATCHING_QUEUE", "matching")),
        "imports": TASK_MODULES,
        "beat_schedule": BEAT_SCHEDULE,
    }
