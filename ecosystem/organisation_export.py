"""``flask export-organisation ID``: everything the platform holds about one organisation.

The personal-data law (Decree 13/2023, and the 2025 Law on Personal Data Protection) gives
the organisation and its people the right to obtain their data. The export is a zip with
``data.json`` (one list of rows per table) and the files attached to its research results.

What belongs to the organisation is found from the schema, not from a hand-kept list, so
a table added later is included without anyone remembering to: every row that points (by a
foreign key) at the organisation, then every row pointing at those rows, and so on. Left
out on purpose: other people's private data reachable through links (reviewers' identities
and reviews, other accounts' credentials, sessions and tokens), the audit log and jobs of
the whole platform, and the shared taxonomy.
"""

from __future__ import annotations

import datetime as dt
import enum
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from ecosystem.extensions import db
from ecosystem.registry.attachments import storage_dir

# Tables never followed: secrets, other people's reviews of the organisation's applications
# (reviewers stay anonymous to applicants), platform-wide logs and the shared taxonomy.
EXCLUDED_TABLES = {
    "users",
    "user_roles",
    "user_sessions",
    "oidc_identities",
    "api_tokens",
    "audit_events",
    "jobs",
    "notifications",
    "undelivered_tasks",
    "search_entries",
    "search_terms",
    "fields",
    "import_batches",
    "fund_review_assignments",
    "fund_conflicts",
}
SECRET_COLUMNS = ("password", "token", "secret")
USER_COLUMNS = ("id", "email", "full_name", "locale", "created_at")


def organisation_data(organisation_id: int) -> dict[str, list[dict[str, Any]]]:
    tables = {t.name: t for t in db.metadata.sorted_tables if t.name not in EXCLUDED_TABLES}
    found: dict[str, dict[Any, dict[str, Any]]] = {}
    found["organisations"] = _rows(
        tables["organisations"], tables["organisations"].c.id, [organisation_id]
    )
    if not found["organisations"]:
        raise click.ClickException(f"no organisation {organisation_id}")
    changed = True
    while changed:  # follow foreign keys until nothing new turns up
        changed = False
        for table in tables.values():
            for fk in table.foreign_keys:
                target = fk.column.table.name
                if target not in found or target == table.name:
                    continue
                ids = [row[fk.column.name] for row in found[target].values()]
                rows = _rows(table, fk.parent, ids)
                new = {k: v for k, v in rows.items() if k not in found.get(table.name, {})}
                if new:
                    found.setdefault(table.name, {}).update(new)
                    changed = True
    _add_profiles(tables, found)
    _add_member_accounts(found)
    return {name: list(rows.values()) for name, rows in sorted(found.items())}


def _rows(table: sa.Table, column: sa.Column, ids: list[Any]) -> dict[Any, dict[str, Any]]:
    rows: dict[Any, dict[str, Any]] = {}
    key = list(table.primary_key.columns)
    for chunk in _chunks(sorted({i for i in ids if i is not None}, key=str), 500):
        for row in db.session.execute(sa.select(table).where(column.in_(chunk))).mappings():
            clean = {
                name: _plain(value)
                for name, value in row.items()
                if not any(word in name for word in SECRET_COLUMNS)
            }
            rows[tuple(row[c.name] for c in key)] = clean
    return rows


def _add_profiles(tables: dict[str, sa.Table], found: dict[str, dict[Any, dict[str, Any]]]) -> None:
    """The people profiles of the organisation's affiliations (pointed at, not pointing)."""
    ids = [row["person_id"] for row in found.get("memberships", {}).values()]
    if ids and "people" in tables:
        found.setdefault("people", {}).update(_rows(tables["people"], tables["people"].c.id, ids))


def _add_member_accounts(found: dict[str, dict[Any, dict[str, Any]]]) -> None:
    """Who holds an account in the organisation: their name and address, no credentials."""
    users = db.metadata.tables["users"]
    ids = [row["user_id"] for row in found.get("org_memberships", {}).values()]
    accounts = _rows(users, users.c.id, ids)
    if accounts:
        found["users"] = {k: {c: v.get(c) for c in USER_COLUMNS} for k, v in accounts.items()}


def _chunks(values: list[Any], size: int):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, bytes):
        return value.hex()
    return value


def organisation_zip(organisation_id: int) -> bytes:

    data = organisation_data(organisation_id)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(data, ensure_ascii=False, indent=1, default=str))
        for attachment in data.get("attachments", []):
            path = storage_dir() / attachment["storage_key"]
            if path.exists():
                archive.write(path, f"attachments/{attachment['id']}-{attachment['filename']}")
    return buffer.getvalue()


@click.command("export-organisation")
@click.argument("organisation_id", type=int)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None)
@with_appcontext
def export_organisation_command(organisation_id: int, output: Path | None) -> None:
    """Write everything held about organisation ORGANISATION_ID to a zip file."""
    body = organisation_zip(organisation_id)
    output = output or Path(f"organisation-{organisation_id}.zip")
    output.write_bytes(body)
    click.echo(f"{output}: {len(body):,} bytes")
