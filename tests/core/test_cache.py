"""Per-process caches of counts: a write in this process shows at once, a rolled-back one
leaves nothing behind, and an unchanged table is not counted again."""

from __future__ import annotations

import time

from sqlalchemy import delete, func, select, update

from ecosystem.core.cache import TableCache
from ecosystem.extensions import db
from ecosystem.registry.models import Organisation


def _counter(cache: TableCache):
    computed = []

    def count() -> int:
        computed.append(1)
        return db.session.scalar(
            select(func.count(Organisation.id)).where(Organisation.merged_into_id.is_(None))
        )

    return (lambda: cache.get("orgs", count)), computed


def test_an_unchanged_table_is_counted_once(db_session, make_org):
    make_org("Công ty TNHH Một")
    cached, computed = _counter(TableCache({"organisations"}, ttl=60))
    first = cached()
    assert cached() == first
    assert len(computed) == 1


def test_a_write_here_shows_at_once_flushed_or_bulk(db_session, make_org):
    cached, computed = _counter(TableCache({"organisations"}, ttl=60))
    before = cached()
    org = make_org("Công ty TNHH Hai")  # flushed
    assert cached() == before + 1
    db.session.execute(delete(Organisation).where(Organisation.id == org.id))
    assert cached() == before
    assert len(computed) == 3


def test_a_write_elsewhere_shows_after_the_time_to_live(db_session, make_org):
    kept = make_org("Công ty TNHH Ba")
    merged = make_org("Công ty Ba (trùng)")
    cached, _computed = _counter(TableCache({"organisations"}, ttl=2))
    before = cached()
    # Past the session, as another worker's write: this process is not told of it.
    db.session.connection().execute(
        update(Organisation.__table__)
        .where(Organisation.__table__.c.id == merged.id)
        .values(merged_into_id=kept.id)
    )
    assert cached() == before
    time.sleep(2.05)
    assert cached() == before - 1


def test_other_tables_keep_the_value(db_session, make_org):
    cached, computed = _counter(TableCache({"matches"}, ttl=60))
    cached()
    make_org("Công ty TNHH Bốn")
    cached()
    assert len(computed) == 1


def test_a_rolled_back_write_leaves_no_count_behind(db_session, make_org):
    cached, _computed = _counter(TableCache({"organisations"}, ttl=60))
    before = cached()
    with db.session.begin_nested():
        make_org("Công ty TNHH Năm")
        assert cached() == before + 1
        db.session.rollback()
    assert cached() == before
