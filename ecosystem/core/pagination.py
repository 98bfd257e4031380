"""Pagination of SELECT statements, with page numbers read safely from the query string."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from flask import request
from sqlalchemy import Select, func, select

from ecosystem.core.models import MAX_ID
from ecosystem.extensions import db

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100


MAX_INT = MAX_ID  # counts beyond a 32-bit integer cannot exist either


def int_arg(name: str, default: int, *, minimum: int = 1, maximum: int = MAX_INT) -> int:
    """An integer from the query string; garbage or out-of-range values fall back, never 500."""
    try:
        value = int(request.args.get(name, default))
    except (TypeError, ValueError):
        return default
    if value < minimum or value > MAX_INT:
        return default
    return min(value, maximum)


@dataclass
class Page:
    items: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    def window(self, size: int = 2) -> list[int]:
        first = max(1, self.page - size)
        last = min(self.pages, self.page + size)
        return list(range(first, last + 1))


def paginate(statement: Select, *, per_page: int | None = None, scalars: bool = True) -> Page:
    per_page = per_page or int_arg("per_page", DEFAULT_PER_PAGE, maximum=MAX_PER_PAGE)
    page = int_arg("page", 1)
    total = (
        db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
        or 0
    )
    query = statement.limit(per_page).offset((page - 1) * per_page)
    items = list(db.session.scalars(query)) if scalars else list(db.session.execute(query))
    return Page(items=items, page=page, per_page=per_page, total=total)
