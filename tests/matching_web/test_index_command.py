"""``flask index rebuild``: the synchronous rebuild prints progress and counts that match
the database."""

from __future__ import annotations

import re

import sqlalchemy as sa

from ecosystem.core.models import Base
from ecosystem.extensions import db
from ecosystem.registry.enums import OrgKind
from tests.matching_web.conftest import commit

COUNTS = re.compile(
    r"^documents indexed: (\d+); proposals: (\d+) \(created (\d+), updated (\d+), removed (\d+)\)$"
)


def matches() -> sa.Table:
    return Base.metadata.tables["matches"]  # loaded with the app, not at import


def _counts(result) -> dict[str, int]:
    assert result.exit_code == 0, result.output
    found = COUNTS.match(result.stdout.strip())
    assert found, result.stdout
    return dict(zip(["documents", "proposals", "created", "updated", "removed"], map(int, found.groups()), strict=True))  # fmt: skip


def _match_ids() -> set[int]:
    db.session.expire_all()
    return set(db.session.scalars(sa.select(matches().c.id)))


def test_rebuild_prints_progress_and_counts_matching_the_database(
    cli, make_org, make_result, make_need
):
    university = make_org("Trường Đại học Nông Lâm Huế", kind=OrgKind.university)
    enterprise = make_org("Công ty TNHH Thủy sản Đầm Phá Xanh", kind=OrgKind.enterprise)
    make_result(university)
    make_result(university)
    draft = make_result(university, state="draft")  # not public: not indexed
    need = make_need(enterprise)
    commit()
    # Start from no proposals but one stale one, which the rebuild must remove.
    db.session.execute(sa.delete(matches()))
    db.session.execute(
        sa.insert(matches()).values(
            source_kind="need",
            source_id=need.id,
            target_kind="result",
            target_id=draft.id,
            source_org_id=enterprise.id,
            target_org_id=university.id,
            state="proposed",
            explanation={},
        )
    )
    commit()
    (stale,) = _match_ids()

    first = cli("index", "rebuild")
    counts = _counts(first)
    assert "20%" in first.stderr and "100%" in first.stderr
    after = _match_ids()
    assert counts["documents"] == 3
    assert counts["proposals"] == len(after) == 2
    assert counts["created"] == 2 and counts["updated"] == 0 and counts["removed"] == 1
    assert stale not in after

    second = _counts(cli("index", "rebuild"))
    assert second == {**counts, "created": 0, "updated": 2, "removed": 0}
    assert _match_ids() == after


def test_rebuild_on_an_empty_registry_reports_zero(cli, db_session):
    db.session.execute(sa.delete(matches()))
    commit()
    counts = _counts(cli("index", "rebuild"))
    assert counts == dict.fromkeys(counts, 0)
