"""The same state change sent several times (double clicks, retries, two administrators):
it applies once, and the others are refused with a message that says why."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from ecosystem.core.audit import AuditEvent
from ecosystem.core.errors import UserError
from ecosystem.core.jobs import Job, JobState, start_job
from ecosystem.extensions import db
from ecosystem.registry import imports
from ecosystem.registry.import_models import ImportBatch, ImportState
from ecosystem.registry.models import Organisation, ResearchField, TechnologyNeed
from tests.auth.support import separate_app
from tests.auth_helpers import login
from tests.races import add_org, add_user, needs_row_locks, race, signed_in_clients
from tests.registry.support import flashes
from tests.registry.test_import_export import NEED_HEADER, NEED_ROWS, _batch, _csv, _upload


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _actions(action: str) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == action)
    )


# Import confirmation -------------------------------------------------------------------


def test_a_second_confirmation_while_the_first_is_pending_is_refused(client, world):
    org, member = world.owner, world.users["member"]
    login(client, member)
    batch = _batch(_upload(client, "need", _csv(NEED_HEADER, NEED_ROWS), "n.csv", org.id))
    # Both in one transaction: the first job has not run yet when the second arrives.
    imports.confirm_import(batch, member)
    with pytest.raises(UserError) as refused:
        imports.confirm_import(batch, member)
    assert refused.value.message == "Lần nhập này đã được xác nhận; dữ liệu đang được ghi."
    assert (
        db.session.scalar(sa.select(sa.func.count(Job.id)).where(Job.kind == "import.apply")) == 1
    )
    with pytest.raises(UserError):
        imports.cancel_import(batch, member)  # nor cancelled under the running job


def test_a_confirmation_sent_twice_writes_the_rows_once(client, world):
    org, member = world.owner, world.users["member"]
    login(client, member)
    batch = _batch(_upload(client, "need", _csv(NEED_HEADER, NEED_ROWS), "n.csv", org.id))
    first = client.post(f"/imports/{batch.id}/confirm")
    second = client.post(f"/imports/{batch.id}/confirm")
    assert first.status_code == second.status_code == 302
    assert "Lần nhập này không còn chờ xác nhận." in flashes(client.get(f"/imports/{batch.id}"))
    assert _count(TechnologyNeed) == len(batch.valid_rows) > 0
    assert _actions("import.confirmed") == 1 and _actions("import.applied") == 1


def test_a_redelivered_apply_task_writes_nothing(client, world):
    org, member = world.owner, world.users["member"]
    login(client, member)
    batch = _batch(_upload(client, "need", _csv(NEED_HEADER, NEED_ROWS), "n.csv", org.id))
    client.post(f"/imports/{batch.id}/confirm")
    db.session.expire_all()
    job = db.session.get(Job, db.session.get(ImportBatch, batch.id).job_id)
    outcome = imports.apply_import.run(job.id, batch.id)
    assert outcome["state"] == "skipped"  # the job is no longer queued: not claimed again
    assert _count(TechnologyNeed) == len(batch.valid_rows) > 0
    db.session.expire_all()
    assert db.session.get(Job, job.id).state is JobState.succeeded
    # Even a second job for the same batch (a retry) finds it applied and writes nothing.
    second = start_job("import.apply", imports.apply_import, batch.id)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Job, second.id).state is JobState.failed
    assert _count(TechnologyNeed) == len(batch.valid_rows)


@needs_row_locks
def test_twenty_parallel_confirmations_apply_the_rows_once(tmp_path):
    with separate_app(tmp_path) as application:
        with application.app_context():
            db.session.add(ResearchField(code="aquaculture", name_vi="Thủy sản", name_en="Aq"))
            org = add_org("Công ty TNHH Thủy sản Đầm Phá")
            add_user("importer@example.vn", org=org)
            db.session.commit()
            org_id = org.id
        clients = signed_in_clients(application, "importer@example.vn", 20)
        data = _csv(NEED_HEADER, NEED_ROWS)
        response = clients[0].post(
            "/imports/new",
            data={
                "kind": "need",
                "organisation_id": str(org_id),
                "file": (io.BytesIO(data), "n.csv"),
            },
            content_type="multipart/form-data",
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        path = response.headers["Location"]
        batch_id = int(path.rstrip("/").split("/")[-1])
        answers = race([lambda c=c: c.post(f"{path}/confirm") for c in clients])
        assert all(getattr(a, "status_code", a) == 302 for a in answers), answers
        with application.app_context():
            batch = db.session.get(ImportBatch, batch_id)
            assert batch.state is ImportState.applied and len(batch.created_ids) == 2
            assert _count(TechnologyNeed) == 2
            assert _actions("import.confirmed") == 1 and _actions("import.applied") == 1
        refused = [flashes(c.get(path)) for c in clients]
        assert (
            sum(
                1
                for shown in refused
                if any("chờ xác nhận" in m or "đang được ghi" in m for m in shown)
            )
            == 19
        )


# Organisation merge --------------------------------------------------------------------


def test_merging_back_what_was_just_merged_is_refused(client, world, make_org):
    a, b = make_org("Công ty Thủy sản A"), make_org("Công ty Thủy sản B")
    login(client, world.users["platform_admin"])
    assert (
        client.post(f"/organisations/{a.id}/merge", data={"survivor_id": b.id}).status_code == 302
    )
    # The second administrator's page still offered "merge B into A".
    response = client.post(f"/organisations/{b.id}/merge", data={"survivor_id": a.id})
    assert "đã được gộp vào hồ sơ khác" in " ".join(
        flashes(client.get(response.headers["Location"]))
    )
    db.session.expire_all()
    assert db.session.get(Organisation, a.id).merged_into_id == b.id
    assert db.session.get(Organisation, b.id).merged_into_id is None


@needs_row_locks
def test_two_admins_merging_a_pair_both_ways_at_once_merge_it_once(tmp_path):
    with separate_app(tmp_path) as application:
        with application.app_context():
            a, b = add_org("Công ty Thủy sản A"), add_org("Công ty Thủy sản B")
            add_user("admin1@example.vn", platform_role="admin")
            add_user("admin2@example.vn", platform_role="admin")
            db.session.commit()
            a_id, b_id = a.id, b.id
        (first,) = signed_in_clients(application, "admin1@example.vn", 1)
        (second,) = signed_in_clients(application, "admin2@example.vn", 1)
        answers = race(
            [
                lambda: first.post(f"/organisations/{a_id}/merge", data={"survivor_id": b_id}),
                lambda: second.post(f"/organisations/{b_id}/merge", data={"survivor_id": a_id}),
            ]
        )
        assert [getattr(a, "status_code", a) for a in answers] == [302, 302], answers
        with application.app_context():
            pointers = {
                org.id: org.merged_into_id for org in db.session.scalars(sa.select(Organisation))
            }
            assert set(pointers.values()) in ({None, b_id}, {None, a_id}), pointers
            assert _actions("organisation.merged") == 1
