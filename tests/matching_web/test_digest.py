"""The weekly digest of new proposals, and its unsubscribe link."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from flask import current_app
from itsdangerous import URLSafeSerializer
from sqlalchemy import select

from ecosystem.core.jobs import Job, JobState
from ecosystem.core.models import utcnow
from ecosystem.extensions import db
from ecosystem.matching import tasks
from ecosystem.matching.models import Match
from ecosystem.matching.tasks import send_weekly_digest, unsubscribe_token
from tests.auth.support import body
from tests.auth_helpers import login
from tests.conftest import html_text
from tests.matching_web.conftest import commit, the_match


def digest(now=None) -> int:
    """Send the digest and commit, as the weekly task does: mail leaves after the commit."""
    sent = send_weekly_digest(now)
    commit()
    return sent


def digest_links(message) -> list[str]:
    return [urlsplit(u).path for u in re.findall(r"https?://\S+", body(message))]


@pytest.fixture
def colleague(world, make_member):
    return make_member(world.university, full_name="ThS. Phan Văn Đồng", email="dong@huaf.edu.vn")


def test_one_digest_per_member_with_new_proposals(
    world, world_match, make_need, colleague, mailbox
):
    second = make_need(world.enterprise, title="Cần cảm biến IoT đo oxy hòa tan cho ao nuôi tôm")
    commit()
    second_match = the_match("need", second.id, "result", world.result.id)
    assert second_match is not None
    sent = digest()
    researcher, enterprise = world.users["researcher"], world.users["enterprise"]
    assert sent == 3
    for user in (researcher, colleague, enterprise):
        message = mailbox.one(user.email)
        links = digest_links(message)
        assert f"/matches/{world_match.id}" in links
        assert f"/matches/{second_match.id}" in links
        assert any(path.startswith("/matches/unsubscribe/") for path in links)
        assert world.need.title in body(message)
    for role in ("outsider", "admin", "steering", "unaffiliated"):
        assert mailbox.messages(world.users[role].email) == []
    # Links point at the platform's public address, not at wherever the task ran.
    base = current_app.config["BASE_URL"]
    assert all(
        u.startswith(base) for u in re.findall(r"https?://\S+", body(mailbox.one(researcher.email)))
    )


@pytest.mark.parametrize("who", ["opted_out", "inactive"])
def test_no_digest_for_users_who_opted_out_or_left(world, world_match, colleague, mailbox, who):
    if who == "opted_out":
        colleague.digest_opt_out = True
    else:
        colleague.is_active = False
    commit()
    assert digest() == 2
    assert mailbox.messages(colleague.email) == []
    assert len(mailbox.messages(world.users["researcher"].email)) == 1


def test_no_digest_without_new_proposals(world, world_match, mailbox):
    next_week = utcnow() + dt.timedelta(days=8)
    assert digest(next_week) == 0
    assert mailbox.messages() == []


def test_acted_on_proposals_are_not_new(client, world, world_match, mailbox):

    login(client, world.users["enterprise"])
    client.post(f"/matches/{world_match.id}/dismiss")
    mailbox.clear()
    assert digest() == 0
    assert mailbox.messages() == []


def test_digest_leaves_out_proposals_one_may_no_longer_see(world, world_match, mailbox):
    """The need expired (nothing ran, the nightly rebuild has not yet dropped it): the
    researcher must not read its title in the digest."""
    world.need.expires_at = utcnow() - dt.timedelta(hours=1)
    commit()
    digest()
    assert mailbox.messages(world.users["researcher"].email) == []
    # Its own organisation still sees it.
    assert len(mailbox.messages(world.users["enterprise"].email)) == 1


def test_digest_in_the_readers_language(world, world_match, mailbox, marked_english):
    world.users["researcher"].locale = "en"
    commit()
    digest()
    assert mailbox.one(world.users["researcher"].email)["Subject"].startswith("EN:")
    assert not mailbox.one(world.users["enterprise"].email)["Subject"].startswith("EN:")


def test_the_weekly_task_runs_outside_any_request(world, world_match, mailbox):
    """Celery beat calls it with an app context only: links must still be built."""
    assert tasks.weekly_digest.run() == {"sent": 2}
    assert len(mailbox.messages()) == 2


def test_unsubscribe_link_confirms_then_opts_out(client, world, world_match, mailbox):
    researcher = world.users["researcher"]
    digest()
    (path,) = [p for p in digest_links(mailbox.one(researcher.email)) if "unsubscribe" in p]
    page = client.get(path)
    assert page.status_code == 200
    assert researcher.email in html_text(page)
    assert "Xác nhận hủy" in html_text(page)
    db.session.expire_all()
    assert (
        db.session.get(type(researcher), researcher.id).digest_opt_out is False
    )  # GET changes nothing
    response = client.post(path)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(type(researcher), researcher.id).digest_opt_out is True
    mailbox.clear()
    assert digest() == 1
    assert mailbox.messages(researcher.email) == []


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: "x" + token,
        lambda token: "MQ.invalid-signature",
        lambda token: "",
    ],
    ids=["signature", "prefix", "forged", "empty"],
)
def test_tampered_unsubscribe_token_is_404(client, world, method, tamper):

    with current_app.test_request_context():
        token = unsubscribe_token(world.users["researcher"])
    response = getattr(client, method)(f"/matches/unsubscribe/{tamper(token)}")
    assert response.status_code == 404
    db.session.expire_all()
    assert (
        db.session.get(type(world.users["researcher"]), world.users["researcher"].id).digest_opt_out
        is False
    )


def test_token_of_another_purpose_is_refused(client, world):

    other = URLSafeSerializer(current_app.secret_key, salt="something-else").dumps(
        world.users["researcher"].id
    )
    assert client.get(f"/matches/unsubscribe/{other}").status_code == 404


@pytest.mark.parametrize("task", ["matching.nightly_rebuild", "matching.weekly_digest"])
def test_beat_runs_the_periodic_matching_work(app, task):
    celery = app.extensions["celery"]
    scheduled = {entry["task"] for entry in celery.conf.beat_schedule.values()}
    assert task in scheduled
    assert task in celery.tasks


def test_nightly_rebuild_runs_as_a_job_outside_any_request(world, world_match):

    db.session.delete(db.session.get(Match, world_match.id))
    commit()
    outcome = tasks.nightly_rebuild.run()
    assert outcome["state"] == "succeeded", outcome
    job = db.session.scalars(select(Job).order_by(Job.id.desc())).first()
    assert job.kind == "matching.rebuild" and job.state is JobState.succeeded
    assert the_match("need", world.need.id, "result", world.result.id) is not None
