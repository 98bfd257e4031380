"""Fixtures for the identity-and-access tests."""

from __future__ import annotations

import pytest

from tests.auth.support import Mailbox


@pytest.fixture
def mailbox(app, db_session) -> Mailbox:
    """The session app's mail folder, emptied before the test."""
    box = Mailbox(app.config["MAIL_FILE_DIR"])
    box.clear()
    return box


@pytest.fixture
def new_client(app, client):
    """Another browser: each call gives a CSRF-aware client with its own cookies."""
    return app.test_client


@pytest.fixture
def admin(make_platform_user):
    return make_platform_user("admin", full_name="Quản trị Sở KH&CN")
