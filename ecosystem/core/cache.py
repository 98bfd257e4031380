"""Per-process caches of values read from a few tables, dropped by this process's own
writes to those tables, and never older than their time to live.

For figures that every visitor's page shows (the home page's counts, a list's total) and
that cost a scan of tens of thousands of rows to compute. A write made here drops the
value as soon as it is flushed (the next page shows it, as before the cache) and again once
committed; another process's write shows here within the time to live.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from ecosystem.extensions import db

_TOUCHED = "_cache_touched_tables"
_caches: list[TableCache] = []


class TTLCache:
    """Per process: key → (computed at as a UNIX time, value). Never older than the TTL."""

    def __init__(self) -> None:
        self._data: dict[Any, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: Any, ttl: float) -> tuple[float, Any] | None:
        with self._lock:
            hit = self._data.get(key)
        if hit is None or time.time() - hit[0] >= ttl:
            return None
        return hit

    def put(self, key: Any, value: Any) -> float:
        now = time.time()
        with self._lock:
            self._data[key] = (now, value)
        return now

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


class TableCache:
    """A ``TTLCache`` that this process's writes to ``tables`` also empty."""

    def __init__(self, tables: set[str], ttl: float) -> None:
        self.tables, self.ttl = frozenset(tables), ttl
        self._store = TTLCache()
        _caches.append(self)

    def get(self, key: Any, compute: Callable[[], Any]) -> Any:
        key = (id(db.engine), key)  # one app's figures are not another's (tests, CLI)
        hit = self._store.get(key, self.ttl)
        if hit is not None:
            return hit[1]
        value = compute()
        self._store.put(key, value)
        return value

    def clear(self) -> None:
        self._store.clear()


def clear_all() -> None:
    """Forget every cached value (a test's rolled-back transaction ends)."""
    for cache in _caches:
        cache.clear()


def _drop(tables: set[str]) -> None:
    for cache in _caches:
        if cache.tables & tables:
            cache.clear()


def _touch(session: Session, tables: set[str]) -> None:
    if tables:
        session.info.setdefault(_TOUCHED, set()).update(tables)
        _drop(tables)


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, _flush: UOWTransaction) -> None:
    changed = [*session.new, *session.dirty, *session.deleted]
    _touch(session, {t.name for obj in changed for t in _tables_of(obj)})


@event.listens_for(Session, "do_orm_execute")
def _executed(state: ORMExecuteState) -> None:
    # Bulk statements (delete(Match).where(...)) change rows without any object flushed.
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if table is not None and getattr(table, "name", None):
            _touch(state.session, {table.name})


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    if session.in_nested_transaction():
        return
    _drop(session.info.pop(_TOUCHED, set()))


@event.listens_for(Session, "after_soft_rollback")
def _rolled_back(session: Session, previous: Any) -> None:
    # A value computed inside the undone transaction may have counted its writes.
    if not previous.nested:
        _drop(session.info.pop(_TOUCHED, set()))


def _tables_of(obj: Any) -> list[Any]:
    mapper = getattr(type(obj), "__mapper__", None)
    return list(mapper.tables) if mapper is not None else []
