"""The notifications page: every feature's notices, read once seen, in the reader's language."""

from __future__ import annotations

from ecosystem.core.notifications import Notification, notify, unread_count
from ecosystem.extensions import db
from tests.auth_helpers import login
from tests.conftest import html_text


def test_opening_the_page_marks_what_it_shows_as_read(client, make_user):
    user = make_user()
    other = make_user()
    notify(
        [user.id, other.id],
        "fund.submit",
        {"title": "Nuôi tôm", "number": 1},
        "/fund/applications/1",
    )
    db.session.flush()
    login(client, user)
    assert "(1)" in client.get("/").get_data(as_text=True)  # the header's unread count
    page = html_text(client.get("/notifications"))
    assert "Hồ sơ “Nuôi tôm” đã được nộp." in page and "Mới" in page
    assert unread_count(user.id) == 0
    assert unread_count(other.id) == 1  # only the reader's own
    assert "Mới" not in html_text(client.get("/notifications"))


def test_mark_all_read(client, make_user):
    user = make_user()
    notify([user.id], "fund.submit", {"title": "A", "number": 1}, "")
    db.session.flush()
    login(client, user)
    assert client.post("/notifications/read").status_code == 302
    assert db.session.scalar(db.select(Notification.read_at).filter_by(user_id=user.id)) is not None
