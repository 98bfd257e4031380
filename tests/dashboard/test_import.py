"""The task import: a dry run that lists every bad row and column, nothing written until
confirmed, and nothing written at all while a row is wrong."""

from __future__ import annotations

import io

from openpyxl import Workbook

from ecosystem.dashboard.models import SteeringTask, TaskReport, TaskStatus
from ecosystem.extensions import db
from tests.auth_helpers import login
from tests.conftest import html_text

HEADER = "Mã nhiệm vụ,Nội dung nhiệm vụ,Văn bản giao,Đơn vị chủ trì,Thời hạn,Loại nhiệm vụ,Tình trạng,Minh chứng\n"


def upload(client, body: bytes, name: str = "nhiem-vu.csv"):
    return client.post(
        "/dashboard/tasks/import",
        data={"file": (io.BytesIO(body), name)},
        content_type="multipart/form-data",
    )


def test_bad_rows_are_each_named_and_nothing_is_saved(client, secretariat, make_task):
    make_task(code="KH02-001")
    login(client, secretariat)
    body = (
        HEADER
        + "NQ57-001,Nhiệm vụ 1,Nghị quyết 57-NQ/TW,Sở Nội vụ,30/06/2027,one_off,sắp xong,\n"
        + "KH02-001,Nhiệm vụ 2,plan_02,Sở Y tế,30/06/2027,one_off,in_progress,\n"
        + "NQ57-003,Nhiệm vụ 3,resolution_57,Đại học Huế,hôm qua,one_off,in_progress,\n"
        + "NQ57-004,Nhiệm vụ 4,resolution_57,Sở Tài chính,30/06/2026,one_off,Đã hoàn thành,\n"
        + "NQ57-005,Nhiệm vụ 5,resolution_57,Sở Tài chính,30/06/2026,one_off,done,BC 5/BC-STC\n"
        + "NQ57-005,Nhiệm vụ 6,resolution_57,Sở Tài chính,30/06/2026,one_off,done,BC 6/BC-STC\n"
    ).encode()
    before = db.session.query(SteeringTask).count()
    response = upload(client, body)
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    text = html_text(page)
    assert "6 dòng: 1 hợp lệ, 5 có lỗi" in text and "Chưa có nhiệm vụ nào được ghi" in text
    assert "2 NQ57-001 status Giá trị “sắp xong” không hợp lệ" in text
    assert "3 KH02-001 code Mã nhiệm vụ KH02-001 đã có" in text
    assert "4 NQ57-003 deadline Ngày không hợp lệ" in text
    assert (
        "5 NQ57-004 evidence Nhiệm vụ chỉ được ghi là đã hoàn thành khi báo cáo có minh chứng"
        in text
    )
    assert "7 NQ57-005 code Mã NQ57-005 trùng với một dòng phía trên" in text
    batch_url = response.headers["Location"]
    confirm = client.post(batch_url + "/confirm")
    assert confirm.status_code == 302
    assert "còn 5 dòng lỗi" in html_text(client.get(batch_url))
    assert db.session.query(SteeringTask).count() == before


def test_xlsx_import_after_confirmation(client, secretariat):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(
        ["code", "title", "source", "source_ref", "unit", "deadline", "kind", "status", "evidence"]
    )
    sheet.append(
        [
            "TB-001",
            "Số hóa di sản",
            "conclusion",
            "TB 45-TB/TU",
            "Sở Văn hóa và Thể thao",
            "31/12/2026",
            "one_off",
            "done",
            "BC 1/BC-SVHTT",
        ]
    )
    sheet.append(
        [
            "TB-002",
            "Tuyên truyền",
            "Thông báo kết luận",
            "",
            "Sở Nội vụ",
            "",
            "Thường xuyên",
            "Thường xuyên, đang thực hiện",
            "",
        ]
    )
    sheet.append(
        [
            "TB-003",
            "Hạ tầng số",
            "plan_02",
            "",
            "Sở KH&CN",
            "30/06/2027",
            "one_off",
            "Chưa triển khai",
            "",
        ]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    login(client, secretariat)
    response = upload(client, buffer.getvalue(), "nhiem-vu.xlsx")
    batch_url = response.headers["Location"]
    text = html_text(client.get(batch_url))
    assert "3 dòng: 3 hợp lệ, 0 có lỗi" in text, text[text.find("dòng") :][:600]
    assert db.session.query(SteeringTask).filter(SteeringTask.code.like("TB-%")).count() == 0
    assert client.post(batch_url + "/confirm").status_code == 302
    tasks = {
        t.code: t for t in db.session.query(SteeringTask).filter(SteeringTask.code.like("TB-%"))
    }
    assert {c: t.status for c, t in tasks.items()} == {
        "TB-001": TaskStatus.done,
        "TB-002": TaskStatus.recurring,
        "TB-003": TaskStatus.not_started,
    }
    report = db.session.query(TaskReport).filter_by(task_id=tasks["TB-001"].id).one()
    assert report.evidence_ref == "BC 1/BC-SVHTT"
    assert len(tasks["TB-001"].changes) == 2  # created, then done with the report
    # A second confirmation (a double click) writes nothing more.
    client.post(batch_url + "/confirm")
    assert db.session.query(SteeringTask).filter(SteeringTask.code.like("TB-%")).count() == 3


def test_missing_columns_and_unreadable_files(client, secretariat):
    login(client, secretariat)
    response = upload(client, b"code,title\nX,Y\n")
    assert response.status_code == 422 and "Thiếu cột bắt buộc" in html_text(response)
    response = upload(client, b"not a spreadsheet", "tasks.xlsx")
    assert response.status_code == 422 and "Không đọc được tệp Excel" in html_text(response)


def test_others_cannot_import(client, steering):
    login(client, steering)
    assert upload(client, HEADER.encode()).status_code == 403


def test_bad_rows_are_worded_in_the_readers_language(client, secretariat, make_task):
    """Checked while the user read Vietnamese; shown in English after they switch."""
    make_task(code="KH02-001")
    login(client, secretariat)
    body = (
        HEADER
        + "KH02-001,Nhiệm vụ 2,plan_02,Sở Y tế,30/06/2027,one_off,in_progress,\n"
        + "NQ57-005,Nhiệm vụ 5,resolution_57,Sở Tài chính,30/06/2026,one_off,done,BC 5\n"
        + "NQ57-005,Nhiệm vụ 6,resolution_57,Sở Tài chính,30/06/2026,one_off,done,BC 6\n"
    ).encode()
    batch_url = upload(client, body).headers["Location"]
    assert "Mã nhiệm vụ KH02-001 đã có" in html_text(client.get(batch_url))
    client.post("/language", data={"lang": "en", "next": "/"})
    text = html_text(client.get(batch_url))
    assert "Task code KH02-001 already exists." in text
    assert "Code NQ57-005 repeats a row above in the file." in text
    assert "đã có" not in text
