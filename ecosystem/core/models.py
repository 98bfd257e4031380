"""The declarative base shared by every feature, with the constraint naming convention.

A fixed naming convention makes Alembic generate stable, reviewable constraint names on
SQLite and PostgreSQL alike (and lets batch migrations on SQLite find constraints by name).
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry
from sqlalchemy.types import TypeDecorator

# Ids are 32-bit integers on SQLite and PostgreSQL alike: a larger one in a URL, a query or
# a JSON body names nothing (and must not reach the database driver).
MAX_ID = 2**31 - 1

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every backend.

    SQLite stores naive values; without this, values read back would be naive and
    comparisons with aware datetimes would fail.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use ecosystem.core.models.utcnow()")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    registry = registry(
        metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={dt.datetime: UTCDateTime(), dict[str, Any]: sa.JSON()},
    )


class TimestampMixin:
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


def enum_column(enum_cls: type, **kwargs: Any) -> sa.Enum:
    """A portable enum stored as its lowercase string values, with a CHECK constraint."""
    return sa.Enum(
        enum_cls,
        values_callable=lambda members: [m.value for m in members],
        native_enum=False,
        create_constraint=True,
        length=32,
        validate_strings=True,
        name=kwargs.pop("name", enum_cls.__name__.lower()),
        **kwargs,
    )


def form_value(model: type, name: str, value: Any) -> Any:
    """A submitted value as the column stores it: text stripped, and a text field left out
    (None: a form field not sent, or JSON null) stored as empty text when its column is NOT
    NULL, so such input is never a database error."""
    if isinstance(value, str):
        return value.strip()
    if value is None and name in _required_text_columns(model):
        return ""
    return value


@functools.cache
def _required_text_columns(model: type) -> frozenset[str]:
    return frozenset(
        column.key
        for column in sa.inspect(model).columns
        if isinstance(column.type, sa.String) and not column.nullable
    )
