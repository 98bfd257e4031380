"""``flask index rebuild``: rebuild the matching index now, in this process, with progress.

The same work as the nightly job (``ecosystem.matching.tasks.rebuild_index``), without a
Celery worker or a Job row; the proposals are committed once, at the end.
"""

from __future__ import annotations

import sys
from typing import Any

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from ecosystem.core.models import Base
from ecosystem.core.operator import operator_transaction
from ecosystem.extensions import db

index_group = AppGroup("index", help="The matching index.")


class CliProgress:
    """Takes the place of a job's ``JobRun``: ``rebuild_index`` reports (percent, message)
    to it. Unlike JobRun it commits nothing (the command commits once). A progress bar on a
    terminal, one line per report otherwise (logs, cron mail)."""

    def __init__(self, bar: Any | None) -> None:
        self.bar = bar
        self.percent = 0

    def progress(self, percent: float, message: str = "") -> None:
        percent = max(self.percent, min(100, int(percent)))
        if self.bar is not None:
            self.bar.update(percent - self.percent, current_item=message)
        else:
            click.echo(f"{percent:3d}%  {message}", err=True)
        self.percent = percent


def _match_ids() -> set[int]:
    # The table, not the model: this command stays clear of matching's internal modules.
    matches = Base.metadata.tables["matches"]
    return set(db.session.scalars(sa.select(matches.c.id)))


def _rebuild(progress: CliProgress) -> dict[str, int]:
    # Loaded when the command runs: `flask --help` and the other commands do not pay for
    # the numeric engine.
    from ecosystem.matching.tasks import rebuild_index  # noqa: PLC0415

    before = _match_ids()
    result = rebuild_index(progress)  # type: ignore[arg-type]  # duck-typed JobRun
    after = _match_ids()
    created = len(after - before)
    return {
        "documents": result["documents"],
        "proposals": result["proposals"],
        "created": created,
        "updated": result["proposals"] - created,
        "removed": len(before - after),
    }


@index_group.command("rebuild")
def rebuild_command() -> None:
    """Rebuild the matching index from every public record and recompute all proposals."""
    with operator_transaction():
        if sys.stderr.isatty():
            with click.progressbar(
                length=100,
                label="rebuilding the matching index",
                item_show_func=lambda message: message,
                file=sys.stderr,
            ) as bar:
                counts = _rebuild(CliProgress(bar))
        else:
            counts = _rebuild(CliProgress(None))
    click.echo(
        "documents indexed: {documents}; proposals: {proposals} "
        "(created {created}, updated {updated}, removed {removed})".format(**counts)
    )
