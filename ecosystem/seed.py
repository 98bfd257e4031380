"""Demo data for Huế. Each feature contributes its part; every part is idempotent."""

from __future__ import annotations

from collections.abc import Callable

from ecosystem.auth.seed import seed_accounts
from ecosystem.dashboard.demo import seed_dashboard
from ecosystem.extensions import db
from ecosystem.labs.demo import seed_labs
from ecosystem.matching.signals import paused
from ecosystem.matching.wiring import seed_matching
from ecosystem.registry.demo import org_ids_by_key, seed_registry
from ecosystem.workflow.demo import seed_fund

SeedPart = Callable[[], int]


def seed_parts() -> list[SeedPart]:
    # The accounts join the demo organisations, so they come after the registry.
    return [seed_registry, lambda: seed_accounts(org_ids_by_key())]


def seed_demo() -> int:
    """Run every part in order; returns how many records were created (0 on a second run).

    Matching is told nothing record by record while loading (hundreds of small index
    updates); when anything was created, the index and proposals are rebuilt once.
    """
    with paused():
        created = sum(part() for part in seed_parts())
    if created:
        db.session.flush()
        seed_matching()
    # The fund starts one of its applications from a demo introduction: after matching.
    with paused():
        created += seed_fund()
    # The labs link a few bookings to a fund award: after the fund.
    created += seed_labs()
    created += seed_dashboard()
    return created
