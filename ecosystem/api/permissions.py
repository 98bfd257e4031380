"""Who may do what with personal API access tokens."""

from __future__ import annotations

from typing import Any


def can_revoke_token(user: Any, token: Any) -> bool:
    """The token's owner, or a platform administrator (a leaked token is revoked at once)."""
    if user is None or token is None:
        return False
    return token.user_id == user.id or user.is_admin
