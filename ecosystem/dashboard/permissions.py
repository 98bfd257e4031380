"""Who may see and do what on the steering committee's dashboard.

The committee (and the platform's administrators, the Department of S&T) read everything;
its secretariat keeps the task tracker, the targets and the budget figures. The headline
indicators, the task shares and open data are public; a drill-down to records shows only
the records the visitor could open anyway (the features' own visibility rules).
"""

from __future__ import annotations

from typing import Any

from ecosystem.auth.models import PlatformRole


def is_secretariat(user: Any) -> bool:
    return user is not None and (user.is_admin or user.has_role(PlatformRole.secretariat))


def can_view_dashboard(user: Any, obj: Any = None) -> bool:
    return user is not None and (is_secretariat(user) or user.has_role(PlatformRole.steering))


def can_manage_tasks(user: Any, obj: Any = None) -> bool:
    return is_secretariat(user)


def can_set_targets(user: Any, obj: Any = None) -> bool:
    return is_secretariat(user)


def can_drill_down(user: Any, obj: Any = None) -> bool:
    """Signed-in visitors; each drill-down then filters by the records' own rules."""
    return user is not None
