"""One record that cannot be indexed never stops the index update or the rebuild of the
others: its failure is logged and skipped."""

from __future__ import annotations

import logging
import os

import pytest
import sqlalchemy as sa

from ecosystem.extensions import db
from ecosystem.matching import registry_documents, saved_index, signals
from ecosystem.matching.tasks import rebuild_index
from ecosystem.registry.enums import OrgKind
from ecosystem.registry.models import ResearchResult, TechnologyNeed
from tests.matching_web.conftest import commit, the_match


@pytest.fixture
def orgs(make_org):
    return (
        make_org("Viện Công nghệ sinh học, Đại học Huế", kind=OrgKind.research_institute),
        make_org("Công ty CP Tôm giống Lăng Cô", kind=OrgKind.enterprise),
    )


@pytest.fixture
def broken(monkeypatch):
    """Makes building the document of the given records fail, as an unforeseen bug in one
    record's data would (the NUL case below is a real one, on SQLite only)."""
    ids: set[tuple[str, int]] = set()
    for kind, build in list(registry_documents.BUILDERS.items()):

        def failing(listing, kind=kind, build=build):
            if (kind, listing.id) in ids:
                raise RuntimeError(f"cannot build {kind}:{listing.id}")
            return build(listing)

        monkeypatch.setitem(registry_documents.BUILDERS, kind, failing)
    return ids


def test_the_rebuild_skips_a_record_that_fails(orgs, make_need, make_result, broken, caplog):
    university, enterprise = orgs
    with signals.paused():
        good_need, bad_need = make_need(enterprise), make_need(enterprise)
        good_result, bad_result = make_result(university), make_result(university)
        commit()
    broken.update({("need", bad_need.id), ("result", bad_result.id)})
    with caplog.at_level(logging.ERROR, logger="ecosystem.matching.registry_documents"):
        summary = rebuild_index()
    commit()
    assert summary["documents"] == 2  # the good need and the good result
    assert the_match("need", good_need.id, "result", good_result.id) is not None
    assert the_match("need", good_need.id, "result", bad_result.id) is None
    assert the_match("need", bad_need.id, "result", good_result.id) is None
    logged = caplog.text
    assert f"need:{bad_need.id}" in logged and f"result:{bad_result.id}" in logged


def test_an_index_update_skips_a_record_that_fails(orgs, make_need, make_result, broken, caplog):
    university, enterprise = orgs
    make_result(university)
    commit()  # the index exists
    good, bad = make_need(enterprise), make_need(enterprise)
    broken.add(("need", bad.id))
    with caplog.at_level(logging.ERROR, logger="ecosystem.matching.registry_documents"):
        commit()  # one update task for both new needs
    result_id = db.session.scalar(sa.select(ResearchResult.id))
    assert the_match("need", good.id, "result", result_id) is not None
    assert the_match("need", bad.id, "result", result_id) is None
    assert f"need:{bad.id}" in caplog.text
    index = saved_index.load_index()
    assert f"need:{good.id}" in index and f"need:{bad.id}" not in index


@pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")), reason="PostgreSQL cannot store NUL to begin with"
)
def test_a_stored_nul_does_not_stop_the_rebuild(orgs, make_need, make_result):
    """Rows written before the input checks existed may hold NUL (SQLite keeps it)."""
    university, enterprise = orgs
    with signals.paused():
        good, bad = make_need(enterprise), make_need(enterprise)
        result = make_result(university)
        commit()
    db.session.execute(
        sa.update(TechnologyNeed).where(TechnologyNeed.id == bad.id).values(problem="tôm\x00")
    )
    commit()
    rebuild_index()
    commit()
    assert the_match("need", good.id, "result", result.id) is not None
    assert the_match("need", bad.id, "result", result.id) is None
