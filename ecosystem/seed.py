"""Demo data for Huế. Each feature contributes its part; every part is idempotent."""

from __future__ import annotations

from collections.abc import Callable

SeedPart = Callable[[], int]


def seed_parts() -> list[SeedPart]:
    from ecosystem.auth.seed import seed_accounts
    from ecosystem.registry.demo import seed_registry

    return [seed_registry, seed_accounts]


def seed_demo() -> int:
    """Run every part in order; returns how many records were created (0 on a second run)."""
    return sum(part() for part in seed_parts())
