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
    """The last good index on disk (cached until the file changes), or None."""
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


@contextlib.contextmanager
def index_lock() -> Iterator[None]:
    if db.session.get_bind().dialect.name == "postgresql":
        # Released when the surrounding transaction ends.
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_KEY})
        yield
    else:
        with _process_lock:
            yield


def forget_cache() -> None:
    _cache.clear()
