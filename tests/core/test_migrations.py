"""The schema comes from migrations alone, and the models never disagree with them."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from ecosystem import create_app
from ecosystem.core.db import include_object
from ecosystem.extensions import db
from tests.conftest import make_config


def _diff(connection):
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_object": include_object}
    )
    return compare_metadata(context, db.metadata)


def test_models_and_migrations_agree(app):
    with app.app_context(), db.engine.connect() as connection:
        assert _diff(connection) == []


def test_upgrade_from_empty_then_down_and_up_again(tmp_path):
    app = create_app(make_config(tmp_path, f"sqlite:///{tmp_path / 'fresh.db'}"))
    with app.app_context():
        upgrade()
        tables = set(db.inspect(db.engine).get_table_names())
        assert {"users", "audit_events", "jobs", "alembic_version"} <= tables
        downgrade(revision="base")
        assert set(db.inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        with db.engine.connect() as connection:
            assert _diff(connection) == []
