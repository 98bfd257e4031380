"""The README's backup and restore procedure, run for real: ``pg_dump`` of the database and
a copy of the instance folder's files, restored into a new database, serves the same data."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tarfile
import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from ecosystem import create_app
from ecosystem.extensions import db
from ecosystem.registry.attachments import add_attachment, attachment_path
from ecosystem.registry.listing_operations import create_listing
from ecosystem.registry.models import ResearchField, ResearchResult
from tests.auth.support import separate_app
from tests.conftest import make_config
from tests.races import add_org

URL = os.environ.get("DATABASE_URL", "")
pytestmark = pytest.mark.skipif(
    "postgresql" not in URL or not shutil.which("pg_dump"),
    reason="the production procedure: PostgreSQL and pg_dump (CI's PostgreSQL pass)",
)


def _libpq(url: str, database: str | None = None) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    if database:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


def test_a_backup_restored_into_a_new_database_serves_the_same_data(tmp_path):
    with separate_app(tmp_path / "live") as live:
        schema = live.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]["options"].split("=")[1]
        with live.app_context(), live.test_request_context():
            db.session.add(ResearchField(code="aquaculture", name_vi="Thủy sản", name_en="Aq"))
            org = add_org("Viện Nghiên cứu Nuôi trồng Thủy sản Huế", kind="research_institute")
            result = create_listing(
                "result",
                {
                    "organisation_id": org.id,
                    "title": "Vắc-xin phòng bệnh đốm trắng cho tôm",
                    "summary": "Tóm tắt",
                    "details": "Quy trình chi tiết",
                    "field_code": "aquaculture",
                    "trl": 6,
                },
                None,
                publish=True,
            )
            attachment = add_attachment(
                result, io.BytesIO(b"%PDF-1.4 ket qua"), "bao-cao.pdf", None
            )
            db.session.commit()
            result_id, stored = result.id, attachment_path(attachment)
            files = stored.read_bytes()
        # Backup: the database (custom format) and the instance folder's files.
        dump = tmp_path / "hue.dump"
        subprocess.run(
            ["pg_dump", "--format=custom", f"--schema={schema}", "-f", str(dump), _libpq(URL)],
            check=True,
        )
        archive = tmp_path / "files.tar.gz"
        with tarfile.open(archive, "w:gz") as tar:
            tar.add(live.instance_path, arcname="instance")
    # Restore on "another machine": a new database and an empty instance folder.
    restored_db = f"restore_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(_libpq(URL).replace("postgresql://", "postgresql+psycopg://"))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {restored_db}")
    restored_admin = sa.create_engine(
        _libpq(URL, restored_db).replace("postgresql://", "postgresql+psycopg://")
    )
    with restored_admin.begin() as conn:
        # The dump is of the test's schema only; a whole-database dump (the README's)
        # carries the extension the labs' no-overlap constraint needs.
        conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS btree_gist")
    restored_admin.dispose()
    try:
        subprocess.run(
            ["pg_restore", "--no-owner", "-d", _libpq(URL, restored_db), str(dump)], check=True
        )
        target = tmp_path / "restored"
        with tarfile.open(archive) as tar:
            tar.extractall(target, filter="data")
        config = make_config(
            target / "instance",
            _libpq(URL, restored_db),
            SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"options": f"-csearch_path={schema}"}},
        )
        os.environ["ECOSYSTEM_INSTANCE"] = str(target / "instance")
        try:
            restored = create_app(config)
        finally:
            del os.environ["ECOSYSTEM_INSTANCE"]
        with restored.app_context():
            again = db.session.get(ResearchResult, result_id)
            assert again.title == "Vắc-xin phòng bệnh đốm trắng cho tôm"
            assert again.details == "Quy trình chi tiết"
            (kept,) = again.attachments
            assert attachment_path(kept).read_bytes() == files
            db.session.remove()
            db.engine.dispose()
        client = restored.test_client()
        assert "Vắc-xin phòng bệnh đốm trắng" in client.get(f"/results/{result_id}").text
    finally:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {restored_db} WITH (FORCE)")
        admin.dispose()
