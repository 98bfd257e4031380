"""Both sides say yes at the same moment: the pair is introduced all the same."""

from __future__ import annotations

import os
import threading

import pytest

from ecosystem.auth.models import MembershipStatus, OrgMembership, OrgRole, User
from ecosystem.auth.operations import email_key
from ecosystem.extensions import db
from ecosystem.matching import operations as ops
from ecosystem.matching.models import Match, MatchState
from ecosystem.registry.enums import OrgKind
from ecosystem.registry.identifiers import organisation_name_key
from ecosystem.registry.models import Organisation
from tests.auth.support import separate_app


def _world() -> tuple[int, int, int]:
    ids = []
    for name, kind in (
        ("Trường Đại học Nông Lâm", OrgKind.university),
        ("Công ty Đầm Phá", OrgKind.enterprise),
    ):
        org = Organisation(kind=kind, name_vi=name, name_key=organisation_name_key(name))
        db.session.add(org)
        db.session.flush()
        email = f"u{org.id}@example.vn"
        user = User(email=email, email_key=email_key(email), full_name=name)
        db.session.add(user)
        db.session.flush()
        db.session.add(
            OrgMembership(
                user_id=user.id,
                organisation_id=org.id,
                role=OrgRole.member,
                status=MembershipStatus.active,
            )
        )
        ids.append((org.id, user.id))
    (target_org, target_user), (source_org, source_user) = ids
    match = Match(
        source_kind="need",
        source_id=1,
        target_kind="result",
        target_id=1,
        source_org_id=source_org,
        target_org_id=target_org,
        explanation={"terms": [], "facets": []},
    )
    db.session.add(match)
    db.session.commit()
    return match.id, source_user, target_user


@pytest.mark.skipif(not os.environ.get("DATABASE_URL"), reason="row locks: PostgreSQL")
def test_simultaneous_interest_introduces(tmp_path):
    with separate_app(tmp_path) as application:
        with application.app_context():
            match_id, source_user, target_user = _world()
        both_loaded = threading.Barrier(2, timeout=20)
        first_done = threading.Event()
        errors: list[BaseException] = []

        def say_yes(user_id: int, first: bool) -> None:
            try:
                with application.test_request_context():
                    match = db.session.get(Match, match_id)
                    user = db.session.get(User, user_id)
                    assert match.state is MatchState.proposed
                    both_loaded.wait()  # each has read "proposed, nobody interested"
                    if not first:
                        assert first_done.wait(20)
                    ops.interest(match, user)
                    db.session.commit()
                    if first:
                        first_done.set()
            except BaseException as exc:  # reported by the main thread
                errors.append(exc)
                first_done.set()

        threads = [
            threading.Thread(target=say_yes, args=(source_user, True)),
            threading.Thread(target=say_yes, args=(target_user, False)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert errors == []
        with application.app_context():
            match = db.session.get(Match, match_id)
            assert match.state is MatchState.introduced
            assert match.source_interested_at and match.target_interested_at
