"""Double clicks and two secretaries at once on PostgreSQL (row locks): an import confirmed
five times writes its tasks once; reports racing on one task leave a history where every
change starts from the status the previous one ended in. The sequential twins are in
test_import.py (a second confirmation) and test_tracker.py."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from ecosystem.dashboard import tracker
from ecosystem.dashboard.models import SteeringTask, TaskImport, TaskStatusChange
from ecosystem.extensions import db
from tests.auth.support import separate_app
from tests.races import add_user, needs_row_locks, race, signed_in_clients


def _rows(n: int) -> list[dict]:
    return [
        {
            "row": i + 2,
            "data": {
                "code": f"R-{i:03d}",
                "title": f"Nhiệm vụ {i}",
                "source": "plan_02",
                "source_ref": "",
                "unit": "Sở Nội vụ",
                "deadline": "2027-06-30",
                "kind": "one_off",
                "status": "in_progress",
                "evidence": "",
                "note": "",
            },
        }
        for i in range(n)
    ]


@needs_row_locks
def test_five_confirmations_at_once_import_once(tmp_path):
    with separate_app(tmp_path) as application:
        with application.app_context():
            user = add_user("thuky@example.vn", platform_role="secretariat")
            batch = TaskImport(
                filename="nv.csv", created_by_id=user.id, total_rows=20, valid_rows=_rows(20)
            )
            db.session.add(batch)
            db.session.commit()
            batch_id = batch.id
        clients = signed_in_clients(application, "thuky@example.vn", 5)
        responses = race(
            [lambda c=c: c.post(f"/dashboard/tasks/import/{batch_id}/confirm") for c in clients]
        )
        assert [r.status_code for r in responses] == [302] * 5
        with application.app_context():
            assert db.session.scalar(sa.select(sa.func.count()).select_from(SteeringTask)) == 20
            assert db.session.get(TaskImport, batch_id).state == "applied"


@needs_row_locks
def test_racing_reports_keep_the_history_consistent(tmp_path):
    with separate_app(tmp_path) as application:
        with application.app_context():
            user = add_user("thuky@example.vn", platform_role="secretariat")
            task = tracker.create_task(
                {
                    "code": "T-1",
                    "title": "Nhiệm vụ",
                    "source": "plan_02",
                    "unit": "Sở Y tế",
                    "deadline": dt.date(2027, 1, 1),
                    "kind": "one_off",
                },
                user,
            )
            db.session.commit()
            task_id = task.id
        clients = signed_in_clients(application, "thuky@example.vn", 4)
        forms = [
            {
                "reported_on": "01/11/2026",
                "status": status,
                "text": f"Báo cáo {i}",
                "evidence_ref": "BC 1",
            }
            for i, status in enumerate(["in_progress", "done", "in_progress", "done"])
        ]
        responses = race(
            [
                lambda c=c, f=f: c.post(f"/dashboard/tasks/{task_id}/reports", data=f)
                for c, f in zip(clients, forms, strict=True)
            ]
        )
        assert all(r.status_code == 302 for r in responses)
        with application.app_context():
            changes = db.session.scalars(
                sa.select(TaskStatusChange)
                .where(TaskStatusChange.task_id == task_id)
                .order_by(TaskStatusChange.id)
            ).all()
            for before, after in zip(changes, changes[1:], strict=False):
                assert after.from_status is before.to_status
            assert db.session.get(SteeringTask, task_id).status is changes[-1].to_status
