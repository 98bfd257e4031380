"""The application factory."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask, g, request, session
from flask_babel import get_locale
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from ecosystem import config as settings

# The imports marked F401 are for their effect: a models module registers its tables with
# the metadata (migrations, create_all), a views module adds its routes to a blueprint
# defined elsewhere.
from ecosystem.api import dashboard_views as _api_dashboard  # noqa: F401
from ecosystem.api import fund_views as _api_fund  # noqa: F401
from ecosystem.api import labs_views as _api_labs  # noqa: F401
from ecosystem.api import token_views
from ecosystem.api import views as api_views
from ecosystem.auth import admin_views, oidc
from ecosystem.auth import models as _auth  # noqa: F401
from ecosystem.auth import views as auth_views
from ecosystem.auth.sessions import init_sessions
from ecosystem.celery_app import celery_init_app
from ecosystem.cli import register_commands
from ecosystem.core import audit as _audit  # noqa: F401
from ecosystem.core import formatting
from ecosystem.core import jobs as _jobs  # noqa: F401
from ecosystem.core import notifications as _notifications  # noqa: F401
from ecosystem.core import tasks as _tasks  # noqa: F401
from ecosystem.core.db import configure_sqlite
from ecosystem.core.errors import register_error_handlers
from ecosystem.core.json_provider import SafeJSONProvider
from ecosystem.core.logging import configure_logging
from ecosystem.core.messages import render as render_message
from ecosystem.core.models import MAX_ID
from ecosystem.core.security import register_security_headers
from ecosystem.core.transitions import allowed_transitions
from ecosystem.core.uow import init_unit_of_work
from ecosystem.dashboard import committee_views as _dash_committee  # noqa: F401
from ecosystem.dashboard import import_views as _dash_import  # noqa: F401
from ecosystem.dashboard import indicator_views as _dash_indicators  # noqa: F401
from ecosystem.dashboard import models as _dashboard  # noqa: F401
from ecosystem.dashboard import open_data_views as _dash_open_data  # noqa: F401
from ecosystem.dashboard import task_views as _dash_tasks  # noqa: F401
from ecosystem.dashboard.blueprint import bp as dashboard_bp
from ecosystem.dashboard.blueprint import open_data_bp
from ecosystem.dashboard.blueprint import public_bp as indicators_bp
from ecosystem.extensions import babel, csrf, db, limiter, migrate
from ecosystem.labs import feed_views as _lab_feeds  # noqa: F401 (routes of labs bp)
from ecosystem.labs import manage_views as _lab_manage  # noqa: F401 (routes of labs bp)
from ecosystem.labs import models as _labs  # noqa: F401
from ecosystem.labs import report_views as _lab_reports  # noqa: F401 (routes of labs bp)
from ecosystem.labs import views as _lab_views  # noqa: F401 (routes of the labs bp)
from ecosystem.labs.blueprint import bp as labs_bp
from ecosystem.matching import models as _matching  # noqa: F401
from ecosystem.matching.wiring import init_app as init_matching
from ecosystem.registry import attachment_views, data_views, listing_views, membership_views
from ecosystem.registry import import_models as _imports  # noqa: F401
from ecosystem.registry import models as _registry  # noqa: F401
from ecosystem.registry import search_index as _search  # noqa: F401
from ecosystem.registry import views as registry_views
from ecosystem.registry.template_helpers import helpers as registry_helpers
from ecosystem.site import my_work as _my_work  # noqa: F401
from ecosystem.site import notification_views  # noqa: F401 (routes of the site bp)
from ecosystem.site.navigation import account_items, nav_items
from ecosystem.site.views import bp as site_bp
from ecosystem.workflow import award_views as _fund_awards  # noqa: F401
from ecosystem.workflow import models as _fund  # noqa: F401
from ecosystem.workflow import report_views as _fund_reports  # noqa: F401
from ecosystem.workflow import review_views as _fund_reviews  # noqa: F401
from ecosystem.workflow import views as _fund_views  # noqa: F401
from ecosystem.workflow.blueprint import bp as workflow_bp

ROOT = Path(__file__).resolve().parent.parent


class BoundedIntConverter(IntegerConverter):
    def __init__(self, url_map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


TEMPLATES = ROOT / "templates"
MIGRATIONS = ROOT / "migrations"


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        "ecosystem",
        template_folder=str(TEMPLATES),
        instance_path=os.environ.get("ECOSYSTEM_INSTANCE") or None,
        instance_relative_config=True,
    )
    # Ids beyond a 32-bit integer can never exist; refusing them in routing keeps
    # PostgreSQL from raising an out-of-range error (a 500) on /results/99999999999.
    app.json = SafeJSONProvider(app)
    app.url_map.converters["int"] = BoundedIntConverter
    # The API answers 404 itself for impossible ids, as its OpenAPI document says.
    app.url_map.converters["bigint"] = IntegerConverter
    _load_config(app, config or {})
    if app.config["TRUSTED_PROXIES"]:
        # Behind nginx/a load balancer: client address and scheme from X-Forwarded-*, so
        # rate limits, logs and audit rows see the visitor, not the proxy.
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    configure_logging(app)
    _init_extensions(app)
    celery_init_app(app)
    _register_blueprints(app)
    register_error_handlers(app)
    register_security_headers(app)
    _register_template_helpers(app)
    _register_cli(app)
    init_unit_of_work(app)  # last: its after-request function must run first
    return app


def _load_config(app: Flask, overrides: dict[str, Any]) -> None:
    app.config.update(settings.defaults(app.instance_path))
    env_values = settings.from_environment()
    app.config.update(env_values)
    app.config.update(overrides)
    app.config["_DATABASE_URL_GIVEN"] = (
        "SQLALCHEMY_DATABASE_URI" in env_values or "SQLALCHEMY_DATABASE_URI" in overrides
    )
    settings.finalize(app.config)


def _init_extensions(app: Flask) -> None:
    import_models()
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine)
    migrate.init_app(app, db, directory=str(MIGRATIONS), render_as_batch=True, compare_type=True)
    babel.init_app(app, locale_selector=select_locale)
    csrf.init_app(app)
    limiter.init_app(app)


def import_models() -> None:
    """Import every feature's models so the metadata (and Alembic) sees all tables."""


def select_locale() -> str:
    languages = g.get("languages") or ("vi", "en")
    if request and request.path.startswith("/api/") and request.endpoint != "api.docs":
        # (The docs page is a page for people: it follows the language they chose.)
        # API clients choose with Accept-Language; Vietnamese unless they ask otherwise.
        return request.accept_languages.best_match(languages) or "vi"
    chosen = session.get("lang") if request else None
    if chosen in languages:
        return chosen
    user = g.get("user")
    if user is not None and getattr(user, "locale", None) in languages:
        return user.locale
    return "vi"


def _register_blueprints(app: Flask) -> None:

    init_sessions(app)
    oidc.init_oidc(app)
    for blueprint in (
        site_bp,
        auth_views.bp,
        oidc.bp,
        membership_views.bp,
        admin_views.bp,
        registry_views.bp,
        attachment_views.bp,
        data_views.bp,
        *listing_views.blueprints,
        api_views.bp,
        token_views.bp,
        workflow_bp,
        labs_bp,
        dashboard_bp,
        indicators_bp,
        open_data_bp,
    ):
        app.register_blueprint(blueprint)

    init_matching(app)


def _register_template_helpers(app: Flask) -> None:

    app.jinja_env.filters.update(
        date=formatting.format_date,
        datetime=formatting.format_datetime,
        vnd=formatting.format_vnd,
        number=formatting.format_number,
        decimal=formatting.format_decimal,
        details=formatting.format_details,
        message=render_message,
    )

    @app.context_processor
    def _globals() -> dict[str, Any]:
        return {
            "current_locale": str(get_locale()),
            "languages": app.config["LANGUAGES"],
            "nav_items": nav_items(),
            "account_items": account_items(),
            "allowed_transitions": allowed_transitions,
            **registry_helpers(),
        }


def _register_cli(app: Flask) -> None:

    register_commands(app)
