"""Who may see and do what in the shared labs.

The catalogue is public. A lab is managed by its manager, the admins of its operator
organisation and the platform's administrators. A booking is seen by its booker, the
members of the booking organisation and the lab's managers; nobody else learns who holds a
slot (the clash message names the booking's number, never its holder).
"""

from __future__ import annotations

from typing import Any

from ecosystem.auth.models import PlatformRole
from ecosystem.labs.models import Booking, BookingState, Lab


def manages_lab(user: Any, lab: Lab | None) -> bool:
    if user is None or lab is None:
        return False
    return user.is_admin or lab.manager_id == user.id or lab.organisation_id in user.admin_org_ids


def can_view_lab(user: Any, lab: Lab) -> bool:
    return lab.is_published or manages_lab(user, lab)


def can_create_lab(user: Any, obj: Any = None) -> bool:
    return user is not None and (user.is_admin or user.has_role(PlatformRole.lab_manager))


def can_manage_lab(user: Any, lab: Lab) -> bool:
    return manages_lab(user, lab)


def is_booker(user: Any, booking: Booking) -> bool:
    return user is not None and (
        booking.user_id == user.id or booking.organisation_id in user.active_org_ids
    )


def can_view_booking(user: Any, booking: Booking) -> bool:
    return is_booker(user, booking) or manages_lab(user, booking.equipment.lab)


def can_decide_booking(user: Any, booking: Booking) -> bool:
    return manages_lab(user, booking.equipment.lab)


def can_cancel_booking(user: Any, booking: Booking) -> bool:
    return (user is not None and booking.user_id == user.id) or manages_lab(
        user, booking.equipment.lab
    )


def is_system(user: Any, booking: Any = None) -> bool:
    """The scheduled release of bookings nobody checked in: no person performs it."""
    return user is None


OPEN_STATES = frozenset({BookingState.requested, BookingState.approved})
