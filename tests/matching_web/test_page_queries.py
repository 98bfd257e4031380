"""The proposals list asks the database a fixed number of times, however many cards it
shows: the two records of each card are loaded together, not one query per card."""

from __future__ import annotations

import re

import sqlalchemy as sa

from ecosystem.extensions import db
from ecosystem.matching.models import Match
from tests.auth_helpers import login
from tests.matching_web.conftest import commit


def _record_selects(client, path: str) -> list[str]:
    seen: list[str] = []

    def count(conn, cursor, statement, *_):
        # A load of the records themselves (the proposals' query only names them in EXISTS).
        if re.match(r"\s*SELECT (research_results|technology_needs)\.id,", statement):
            seen.append(statement)

    engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    return seen


def test_the_proposals_page_loads_its_records_in_one_query_per_kind(
    client, world, make_result, make_need
):
    for n in range(6):
        result = make_result(world.university, title=f"Cảm biến oxy ao tôm số {n}")
        need = make_need(world.enterprise, title=f"Cần cảm biến oxy cho ao tôm số {n}")
        db.session.add(
            Match(
                source_kind="need",
                source_id=need.id,
                target_kind="result",
                target_id=result.id,
                source_org_id=world.enterprise.id,
                target_org_id=world.university.id,
                score=0.5,
            )
        )
    commit()
    login(client, world.users["researcher"])
    page = client.get("/matches").get_data(as_text=True)
    assert page.count("data-match=") >= 7
    assert "Cảm biến oxy ao tôm số 5" in page
    assert len(_record_selects(client, "/matches")) <= 2
