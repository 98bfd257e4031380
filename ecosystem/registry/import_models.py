"""A spreadsheet import: validated first (dry run), written only when the user confirms."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ecosystem.core.models import Base, enum_column, utcnow


class ImportState(enum.StrEnum):
    validating = "validating"
    ready = "ready"  # dry run done: rows checked, nothing written
    applied = "applied"
    failed = "failed"
    cancelled = "cancelled"


class ImportBatch(Base):
    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    state: Mapped[ImportState] = mapped_column(
        enum_column(ImportState), default=ImportState.validating
    )
    filename: Mapped[str] = mapped_column(sa.String(255))
    stored_as: Mapped[str] = mapped_column(sa.String(100), default="")
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"))
    total_rows: Mapped[int] = mapped_column(default=0)
    # [{"row": 2, "data": {...}}] — cleaned values ready to save
    valid_rows: Mapped[list[Any]] = mapped_column(sa.JSON, default=list)
    # [{"row": 3, "errors": {"tax_code": "..."}}]
    rejected_rows: Mapped[list[Any]] = mapped_column(sa.JSON, default=list)
    created_ids: Mapped[list[Any]] = mapped_column(sa.JSON, default=list)
    job_id: Mapped[int | None] = mapped_column(sa.ForeignKey("jobs.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    applied_at: Mapped[dt.datetime | None] = mapped_column()
