"""A token's last use is recorded, but a read does not write on every request."""

from __future__ import annotations

import datetime as dt

from ecosystem.api.tokens import USE_RECORD_INTERVAL, create_token
from ecosystem.auth.models import ApiToken
from ecosystem.core.models import utcnow
from ecosystem.extensions import db


def _last_used(token_id: int):
    db.session.expire_all()
    return db.session.get(ApiToken, token_id).last_used_at


def test_reads_record_the_use_at_most_every_few_minutes(client, make_user):
    user = make_user()
    token, plain = create_token(user, "t", False, None)
    db.session.flush()
    headers = {"Authorization": f"Bearer {plain}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    first = _last_used(token.id)
    assert first is not None
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert _last_used(token.id) == first  # within the interval: no write
    earlier = utcnow() - USE_RECORD_INTERVAL - dt.timedelta(seconds=1)
    db.session.execute(
        db.update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=earlier)
    )
    # Even a refused request is a use: the housekeeping step writes it.
    assert client.get("/api/v1/results/999999", headers=headers).status_code == 404
    assert _last_used(token.id) > earlier
