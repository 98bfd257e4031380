"""The task tracker: shares in the city's form, filters, overdue tasks, editing, progress
reports with evidence and the history of every status change."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from ecosystem.core.audit import AuditEvent
from ecosystem.core.errors import UserError
from ecosystem.dashboard import tracker
from ecosystem.dashboard.demo import seed_dashboard
from ecosystem.dashboard.models import SteeringTask, TaskStatus, TaskStatusChange
from ecosystem.dashboard.shares import compute_shares, task_filter
from ecosystem.extensions import db
from tests.auth_helpers import login
from tests.conftest import html_text


def test_demo_reproduces_the_citys_report(db_session):
    assert seed_dashboard() == 168
    assert seed_dashboard() == 0  # idempotent
    shares = compute_shares()
    # 105/168 = 62.50 %, 35/168 = 20.83 %, 23/168 = 13.69 %, 5/168 = 2.98 %
    assert shares.total == 168
    assert shares.counts == {
        TaskStatus.done: 105,
        TaskStatus.recurring: 35,
        TaskStatus.in_progress: 23,
        TaskStatus.not_started: 5,
    }
    assert round(shares.percent(TaskStatus.done), 2) == 62.50
    assert round(shares.percent(TaskStatus.recurring), 2) == 20.83
    assert round(shares.percent(TaskStatus.in_progress), 2) == 13.69
    assert shares.overdue == 3  # three of the five not started are past their deadline
    # Every done task reached "done" through a report with evidence, and its history says so.
    done = db.session.query(SteeringTask).filter_by(status=TaskStatus.done).all()
    assert all(t.reports[0].evidence_ref for t in done)
    assert all([c.to_status for c in t.changes][0] is TaskStatus.done for t in done)
    assert len({t.unit for t in done}) >= 8


def test_demo_shares_on_the_page(client, steering):
    seed_dashboard()
    login(client, steering)
    text = html_text(client.get("/dashboard/tasks"))
    assert (
        "Trong 168 nhiệm vụ: 105 đã hoàn thành (62,50%), 35 thường xuyên (20,83%), 23 đang triển khai (13,69%)"
        in text
    )
    public = html_text(client.get("/indicators/"))
    assert "105 đã hoàn thành (62,50%)" in public and "20,83%" in public and "13,69%" in public


def test_filters_by_unit_and_source_and_overdue(client, steering, make_task):
    make_task(unit="Sở Nội vụ", source="plan_02", code="A-1")
    make_task(unit="Sở Nội vụ", source="resolution_57", code="A-2", deadline=dt.date(2020, 1, 1))
    make_task(unit="Đại học Huế", source="plan_02", code="A-3")
    assert compute_shares(*task_filter(unit="Sở Nội vụ")).total == 2
    assert compute_shares(*task_filter(source="plan_02")).total == 2
    assert compute_shares(*task_filter(unit="Sở Nội vụ", source="plan_02")).total == 1
    assert compute_shares(*task_filter(overdue=True)).total == 1
    login(client, steering)
    page = client.get("/dashboard/tasks?unit=Sở Nội vụ&overdue=1").get_data(as_text=True)
    assert "A-2" in page and "A-1" not in page and "A-3" not in page
    assert 'data-overdue="1"' in page
    csv = client.get("/dashboard/tasks.csv?source=plan_02").get_data(as_text=True)
    assert "A-1" in csv and "A-3" in csv and "A-2" not in csv
    xlsx = client.get("/dashboard/tasks.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"


def test_report_changes_status_with_history(client, secretariat, make_task):
    task = make_task()
    login(client, secretariat)
    response = client.post(
        f"/dashboard/tasks/{task.id}/reports",
        data={"reported_on": "01/11/2026", "status": "in_progress", "text": "Đã khởi động"},
    )
    assert response.status_code == 302
    response = client.post(
        f"/dashboard/tasks/{task.id}/reports",
        data={
            "reported_on": "02/11/2026",
            "status": "done",
            "text": "Hoàn thành",
            "files": (io.BytesIO(b"%PDF-1.4 bao cao"), "bao-cao.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    db.session.expire_all()
    task = db.session.get(SteeringTask, task.id)
    assert task.status is TaskStatus.done
    history = [(c.from_status, c.to_status) for c in reversed(task.changes)]
    assert history == [
        (None, TaskStatus.not_started),
        (TaskStatus.not_started, TaskStatus.in_progress),
        (TaskStatus.in_progress, TaskStatus.done),
    ]
    assert task.changes[0].report_id == task.reports[0].id
    evidence = task.reports[0].files[0]
    download = client.get(f"/dashboard/evidence/{evidence.id}")
    assert download.status_code == 200 and download.data == b"%PDF-1.4 bao cao"
    actions = {e.action for e in db.session.query(AuditEvent).filter_by(object_id=str(task.id))}
    assert {"task.created", "task.reported", "task.status_done"} <= actions


def test_done_without_evidence_is_refused_and_nothing_saved(client, secretariat, make_task):
    task = make_task()
    login(client, secretariat)
    response = client.post(
        f"/dashboard/tasks/{task.id}/reports",
        data={"reported_on": "02/11/2026", "status": "done", "text": "Xong"},
    )
    assert response.status_code == 422
    assert "khi báo cáo có minh chứng" in html_text(response)
    db.session.expire_all()
    task = db.session.get(SteeringTask, task.id)
    assert task.status is TaskStatus.not_started and task.reports == []
    assert db.session.query(TaskStatusChange).filter_by(task_id=task.id).count() == 1


def test_recurring_status_only_for_recurring_tasks(db_session, secretariat, make_task):

    task = make_task()
    with pytest.raises(UserError, match="thường xuyên"), db.session.begin_nested():
        tracker.file_report(
            task,
            {"reported_on": dt.date(2026, 11, 1), "status": "recurring", "text": "x"},
            [],
            secretariat,
        )


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"deadline": "31/02/2026"}, "deadline", "Ngày không hợp lệ"),
        ({"deadline": ""}, "deadline", "cần ghi thời hạn"),
        ({"code": "DUP-1"}, "code", "đã có"),
        ({"source": "nq99"}, "source", "Lựa chọn không hợp lệ"),
    ],
)
def test_bad_task_input(client, secretariat, make_task, data, field, message):
    make_task(code="DUP-1")
    login(client, secretariat)
    form = {
        "code": "NEW-1",
        "title": "Nhiệm vụ mới",
        "source": "plan_02",
        "unit": "Sở Tài chính",
        "deadline": "30/06/2027",
        "kind": "one_off",
        "status": "not_started",
        **data,
    }
    before = db.session.query(SteeringTask).count()
    response = client.post("/dashboard/tasks/new", data=form)
    assert response.status_code == 422
    assert message in html_text(response)
    assert db.session.query(SteeringTask).count() == before


def test_edit_keeps_status_and_audits(client, secretariat, make_task):
    task = make_task(code="E-1")
    login(client, secretariat)
    response = client.post(
        f"/dashboard/tasks/{task.id}/edit",
        data={
            "code": "E-1",
            "title": "Tiêu đề mới",
            "source": "conclusion",
            "source_ref": "TB 12-TB/TU",
            "unit": "Sở Y tế",
            "deadline": "01/01/2028",
            "kind": "one_off",
            "status": "done",  # ignored: status changes only with a report
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    task = db.session.get(SteeringTask, task.id)
    assert (task.title, task.unit, task.status) == (
        "Tiêu đề mới",
        "Sở Y tế",
        TaskStatus.not_started,
    )
    event = db.session.query(AuditEvent).filter_by(action="task.updated").one()
    assert event.summary["after"]["unit"] == "Sở Y tế"


def test_steering_reads_but_does_not_edit(client, steering, make_task):
    task = make_task()
    login(client, steering)
    assert client.get(f"/dashboard/tasks/{task.id}").status_code == 200
    assert client.get(f"/dashboard/tasks/{task.id}/edit").status_code == 403
    response = client.post(
        f"/dashboard/tasks/{task.id}/reports",
        data={"reported_on": "01/11/2026", "status": "in_progress", "text": "x"},
    )
    assert response.status_code == 403
