"""The saved matching index: loaded lazily per process, replaced atomically, never waited on.

Pages read proposals from the database, never the index, so a rebuild in progress slows
nothing. Tasks that change the index take a lock first: a PostgreSQL advisory lock when the
platform runs on PostgreSQL (several workers, several machines), a process lock on SQLite
(one process).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator
from pathlib import Path

from flask import current_app
from sqlalchemy import text

from ecosystem.extensions import db
from ecosystem.matching.engine import IndexFormatError, MatchIndex
from ecosystem.matching.term_operations import platform_dictionary

log = logging.getLogger(__name__)
INDEX_FILE = "index.npz"
_ADVISORY_KEY = 57_2024  # any fixed number; names the "matching index" lock
_process_lock = threading.RLock()
_cache: dict[str, tuple[float, MatchIndex]] = {}


def index_path() -> Path:
    folder = Path(current_app.config["MATCHING_INDEX_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder / INDEX_FILE


def load_index() -> MatchIndex | None:
    """The last good index on disk (cached until the file changes), or None; with the term
    dictionary in force now (admins' edits apply from the next index update)."""
    index = _load_index()
    if index is not None:
        index.dictionary = platform_dictionary()
    return index


def _load_index() -> MatchIndex | None:
    path = index_path()
    try:
        mtime = path.stat().st_mtime
    except FileNotFoundError:
        return None
    cached = _cache.get(str(path))
    if cached is not None and cached[0] == mtime:
        return cached[1]
    try:
        index = MatchIndex.load(path)
    except (IndexFormatError, OSError, ValueError) as exc:
        # A stale or foreign file is never used; the next rebuild replaces it.
        log.warning("matching index refused: %s", exc)
        return cached[1] if cached else None
    _cache[str(path)] = (mtime, index)
    return index


def save_index(index: MatchIndex) -> None:
    """The engine writes a temporary file and renames it: readers see the old index or the
    new one, never half of one."""
    path = index_path()
    index.save(path)
    _cache[str(path)] = (path.stat().st_mtime, index)


_held = threading.local()


@contextlib.contextmanager
def index_lock() -> Iterator[None]:
    """Held for the whole block, across the commits made inside it (a rebuild job commits
    its progress); re-entrant within a thread. Take it before the task reads anything: a
    session that has read holds its connection while it waits here."""
    if getattr(_held, "depth", 0):
        _held.depth += 1
        try:
            yield
        finally:
            _held.depth -= 1
        return
    _held.depth = 1
    try:
        # The threads of this process queue on the process lock, holding no connection:
        # only the one that goes on takes a connection for the advisory lock (and one for
        # its session). Queued on the advisory lock itself, 20 in-process tasks would hold
        # 20 idle connections and leave the one holding the lock none (pool exhausted).
        with _process_lock:
            if db.session.get_bind().dialect.name == "postgresql":
                with _advisory_lock():
                    yield
            else:
                yield
    finally:
        _held.depth = 0


@contextlib.contextmanager
def _advisory_lock() -> Iterator[None]:
    # A connection of its own holds a session-level lock: a transaction-level lock would be
    # released by the first commit inside the block.
    with db.engine.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _ADVISORY_KEY})
        connection.commit()
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _ADVISORY_KEY})
            connection.commit()


def forget_cache() -> None:
    _cache.clear()
