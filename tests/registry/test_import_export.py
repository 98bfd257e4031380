"""Spreadsheet import (dry run → confirm, all-or-nothing) and export with confidentiality."""

import csv
import io
import re
import zipfile

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from ecosystem.core.audit import AuditEvent
from ecosystem.core.messages import render
from ecosystem.extensions import db
from ecosystem.registry import listing_operations, spreadsheets
from ecosystem.registry import operations as registry_operations
from ecosystem.registry.enums import Confidentiality, OrgKind
from ecosystem.registry.import_models import ImportBatch, ImportState
from ecosystem.registry.models import Organisation, ResearchField, TechnologyNeed
from tests.auth_helpers import login

NEED_HEADER = [
    "title",
    "problem",
    "field_code",
    "trl_wanted",
    "budget_min",
    "budget_max",
    "deadline",
]


@pytest.fixture
def taxonomy(db_session):
    for code, vi, en in [("aquaculture", "Thủy sản", "Aquaculture"), ("health", "Y tế", "Health")]:
        db.session.add(ResearchField(code=code, name_vi=vi, name_en=en))
    db.session.flush()


def _csv(header, rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _upload(client, kind, data: bytes, filename: str, organisation_id=0):
    return client.post(
        "/imports/new",
        data={
            "kind": kind,
            "organisation_id": str(organisation_id),
            "file": (io.BytesIO(data), filename),
        },
        content_type="multipart/form-data",
    )


def _batch(response) -> ImportBatch:
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    batch_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    db.session.expire_all()
    return db.session.get(ImportBatch, batch_id)


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def enterprise(make_org, make_member):
    org = make_org("Công ty TNHH Thủy sản Đầm Phá", kind=OrgKind.enterprise)
    return org, make_member(org)


NEED_ROWS = [
    [
        "Cảm biến oxy cho ao tôm",
        "Cần đo oxy hòa tan liên tục trong ao",
        "aquaculture",
        "6",
        "100.000.000",
        "300.000.000",
        "31/12/2030",
    ],
    [
        "Chẩn đoán bệnh tôm nhanh",
        "Cần bộ kit xét nghiệm bệnh tôm tại ao",
        "Thủy sản",
        "5",
        "",
        "",
        "",
    ],
    ["Ngân sách ngược", "Mô tả", "aquaculture", "5", "500.000.000", "100.000.000", ""],
    ["TRL sai", "Mô tả", "aquaculture", "12", "", "", ""],
    ["Hạn đã qua", "Mô tả", "aquaculture", "5", "", "", "01/01/2001"],
    ["Lĩnh vực lạ", "Mô tả", "vu-tru", "5", "", "", ""],
    ["Cảm biến oxy cho ao tôm", "Dòng trùng", "aquaculture", "6", "", "", ""],
]


def test_dry_run_lists_every_rejected_row_and_writes_nothing(client, taxonomy, enterprise):
    org, member = enterprise
    login(client, member)
    before = _count(TechnologyNeed)
    batch = _batch(_upload(client, "need", _csv(NEED_HEADER, NEED_ROWS), "nhu-cau.csv", org.id))
    assert batch.state is ImportState.ready
    assert _count(TechnologyNeed) == before
    assert [r["row"] for r in batch.valid_rows] == [2, 3]
    rejected = {r["row"]: _reasons(r) for r in batch.rejected_rows}
    assert set(rejected) == {4, 5, 6, 7, 8}
    assert "lớn hơn ngân sách tối đa" in rejected[4]["budget_max"]
    assert "trl_wanted" in rejected[5]
    assert "quá khứ" in rejected[6]["deadline"]
    assert "field_code" in rejected[7]
    assert "Trùng với một dòng" in rejected[8]["title"]
    page = client.get(f"/imports/{batch.id}").get_data(as_text=True)
    assert "7 dòng: 2 hợp lệ, 5 bị từ chối" in page
    assert "Ngân sách tối thiểu không được lớn hơn ngân sách tối đa." in page


def _reasons(rejected_row) -> dict[str, str]:
    return {column: render(message) for column, message in rejected_row["errors"].items()}


def _reason_cells(page: str) -> list[str]:
    return re.findall(r'<tr data-row="\d+">.*?<td>([^<]*)</td></tr>', page)


LONG_TITLE = "Tiêu đề rất dài " * 20  # 320 characters: over the 300 allowed


def test_rejected_reasons_are_worded_in_the_readers_language(client, taxonomy, enterprise):
    """Validated in Vietnamese (the job's language), read later in English and back."""
    org, member = enterprise
    login(client, member)
    rows = [
        NEED_ROWS[0],
        ["Ngân sách ngược", "Mô tả", "aquaculture", "5", "500.000.000", "100.000.000", ""],
        ["", "Thiếu tên", "aquaculture", "5", "", "", ""],
        [LONG_TITLE, "Tên quá dài", "aquaculture", "5", "", "", ""],
        [NEED_ROWS[0][0], "Dòng trùng", "aquaculture", "5", "", "", ""],
    ]
    batch = _batch(_upload(client, "need", _csv(NEED_HEADER, rows), "n.csv", org.id))
    assert len(batch.rejected_rows) == 4
    vietnamese = [
        "Ngân sách tối thiểu không được lớn hơn ngân sách tối đa.",
        "Vui lòng điền thông tin này.",
        "Không được dài quá 300 ký tự.",
        "Trùng với một dòng phía trên trong tệp.",
    ]
    english = [
        "The minimum budget cannot exceed the maximum budget.",
        "Please fill in this field.",
        "Must be at most 300 characters long.",
        "Duplicates a row further up in the file.",
    ]
    assert _reason_cells(client.get(f"/imports/{batch.id}").get_data(as_text=True)) == vietnamese
    client.post("/language", data={"lang": "en", "next": "/"})
    assert _reason_cells(client.get(f"/imports/{batch.id}").get_data(as_text=True)) == english
    client.post("/language", data={"lang": "vi", "next": "/"})
    assert _reason_cells(client.get(f"/imports/{batch.id}").get_data(as_text=True)) == vietnamese


def test_reasons_stored_as_text_before_still_show(client, taxonomy, enterprise):
    org, member = enterprise
    login(client, member)
    batch = _batch(_upload(client, "need", _csv(NEED_HEADER, NEED_ROWS[:1]), "n.csv", org.id))
    batch.rejected_rows = [{"row": 9, "errors": {"title": "Lý do cũ, lưu dạng văn bản."}}]
    db.session.commit()
    client.post("/language", data={"lang": "en", "next": "/"})
    page = client.get(f"/imports/{batch.id}").get_data(as_text=True)
    assert _reason_cells(page) == ["Lý do cũ, lưu dạng văn bản."]


def test_confirm_writes_only_the_valid_rows(client, taxonomy, enterprise):
    org, member = enterprise
    login(client, member)
    batch = _batch(_upload(client, "need", _csv(NEED_HEADER, NEED_ROWS), "nhu-cau.csv", org.id))
    response = client.post(f"/imports/{batch.id}/confirm")
    assert response.status_code == 302
    db.session.expire_all()
    batch = db.session.get(ImportBatch, batch.id)
    assert batch.state is ImportState.applied and len(batch.created_ids) == 2
    needs = db.session.scalars(
        sa.select(TechnologyNeed).where(TechnologyNeed.organisation_id == org.id)
    ).all()
    assert sorted(n.title for n in needs) == ["Chẩn đoán bệnh tôm nhanh", "Cảm biến oxy cho ao tôm"]
    assert needs[0].state.value == "draft"
    assert {n.budget_max for n in needs} == {300_000_000, None}
    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {"import.uploaded", "import.confirmed", "import.applied", "need.created"} <= actions
    # confirming twice is refused and changes nothing
    client.post(f"/imports/{batch.id}/confirm")
    db.session.expire_all()
    assert _count(TechnologyNeed) == 2


def test_a_failure_while_writing_rolls_back_every_row(client, make_platform_user, taxonomy):
    admin = make_platform_user("admin")
    login(client, admin)
    header = ["kind", "name_vi", "tax_code", "province"]
    rows = [
        ["enterprise", "Công ty Một", "3300100628", "Thành phố Huế"],
        ["enterprise", "Công ty Hai", "0100109106", "Thành phố Huế"],
    ]
    batch = _batch(_upload(client, "organisation", _csv(header, rows), "to-chuc.csv"))
    assert len(batch.valid_rows) == 2
    # Between the dry run and the confirmation someone registers the second tax code.
    db.session.add(
        Organisation(
            kind=OrgKind.enterprise,
            name_vi="Đơn vị khác",
            tax_code="0100109106",
            name_key="don vi khac",
        )
    )
    db.session.commit()
    before = _count(Organisation)
    client.post(f"/imports/{batch.id}/confirm")
    db.session.expire_all()
    assert _count(Organisation) == before  # "Công ty Một" was not written either
    batch = db.session.get(ImportBatch, batch.id)
    assert batch.state is ImportState.ready
    page = client.get(f"/imports/{batch.id}").get_data(as_text=True)
    assert "Dòng 3" in page and "Không dòng nào được ghi" in page


def test_excel_import_of_organisations_with_vietnamese_headers(
    client, make_platform_user, taxonomy
):
    admin = make_platform_user("admin")
    login(client, admin)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Loại tổ chức", "Tên tiếng Việt", "Mã số thuế", "Tỉnh/thành phố"])
    sheet.append(["Doanh nghiệp", "Hợp tác xã Nón lá Phú Cam", "", "Thành phố Huế"])
    sheet.append(["enterprise", "Công ty Sai Mã", "3300100629", "Thành phố Huế"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    batch = _batch(_upload(client, "organisation", buffer.getvalue(), "to-chuc.xlsx"))
    assert [r["row"] for r in batch.valid_rows] == [2]
    assert "Mã số thuế không hợp lệ" in _reasons(batch.rejected_rows[0])["tax_code"]


def _damaged_xlsx(sheet_xml: bytes) -> bytes:
    """A real workbook whose first sheet is replaced: the zip opens, the sheet does not."""

    workbook = Workbook()
    workbook.active.append(["title", "problem"])
    workbook.active.append(["Cảm biến", "Đo oxy"])
    original = io.BytesIO()
    workbook.save(original)
    damaged = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(original.getvalue())) as source,
        zipfile.ZipFile(damaged, "w") as target,
    ):
        for item in source.infolist():
            body = source.read(item.filename)
            target.writestr(item, sheet_xml if item.filename.endswith("sheet1.xml") else body)
    return damaged.getvalue()


CELL_TOO_LONG = b"title,problem\nx," + b"a" * (200 * 1024) + b"\n"
TRUNCATED_SHEET = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>title'
BAD_SHARED_STRING = (
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<sheetData><row r="1"><c r="A1" t="s"><v>999</v></c></row></sheetData></worksheet>'
)


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("du-lieu.csv", CELL_TOO_LONG, "Dòng 2 của tệp CSV không đọc được"),
        ("du-lieu.xlsx", _damaged_xlsx(TRUNCATED_SHEET), "Không đọc được tệp Excel"),
        ("du-lieu.xlsx", _damaged_xlsx(BAD_SHARED_STRING), "Không đọc được tệp Excel"),
        ("du-lieu.txt", b"title\nx", "Chỉ nhận tệp .csv hoặc .xlsx."),
        ("du-lieu.csv", "title,problem\nThử,Mô tả".encode("utf-16"), "UTF-8"),
        ("du-lieu.xlsx", b"PK\x03\x04 not really excel", "Không đọc được tệp Excel"),
        ("du-lieu.csv", b"title\nChi co tieu de", "Thiếu cột bắt buộc"),
        ("du-lieu.csv", b"", "Tệp không có dữ liệu."),
    ],
    ids=["cell-over-128k", "xlsx-truncated-xml", "xlsx-bad-shared-string", "txt", "utf16"]
    + ["fake-xlsx", "missing-column", "empty"],
)
def test_unreadable_files_are_refused_clearly(
    client, taxonomy, enterprise, filename, data, message
):
    org, member = enterprise
    login(client, member)
    response = _upload(client, "need", data, filename, org.id)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _count(ImportBatch) == 0


def test_reading_stops_at_the_row_limit(client, taxonomy, enterprise, monkeypatch):

    monkeypatch.setattr(spreadsheets, "MAX_ROWS", 3)
    read = []
    original = spreadsheets._read_csv

    def counting(data):
        for row in original(data):
            read.append(row)
            yield row

    monkeypatch.setattr(spreadsheets, "_read_csv", counting)
    org, member = enterprise
    login(client, member)
    rows = [[f"Nhu cầu {n}"] + NEED_ROWS[0][1:] for n in range(1000)]
    response = _upload(client, "need", _csv(NEED_HEADER, rows), "lon.csv", org.id)
    assert response.status_code == 422
    assert "Tệp có quá nhiều dòng (tối đa 3)." in response.get_data(as_text=True)
    assert len(read) == 5  # the header, three rows, and the one too many: then it stopped
    assert _count(ImportBatch) == 0


def test_only_members_import_into_an_organisation_and_only_admins_import_organisations(
    client, taxonomy, enterprise, make_org, make_member
):
    org, _member = enterprise
    outsider = make_member(make_org("Công ty khác"))
    login(client, outsider)
    # The organisation is not among the outsider's choices: refused before anything is stored.
    assert _upload(
        client, "need", _csv(NEED_HEADER, NEED_ROWS[:1]), "x.csv", org.id
    ).status_code in (403, 422)
    assert _upload(
        client, "organisation", _csv(["kind", "name_vi"], [["enterprise", "X"]]), "x.csv"
    ).status_code in (403, 422)
    assert _count(ImportBatch) == 0


def _result(
    org, *, confidentiality=Confidentiality.after_introduction, details="Quy trình bí mật số 42"
):
    return listing_operations.create_listing(
        "result",
        {
            "organisation_id": org.id,
            "title": "Vắc-xin cho tôm",
            "summary": "Tóm tắt công khai",
            "details": details,
            "field_code": "aquaculture",
            "keywords": ["tôm"],
            "trl": 6,
            "ip_status": "patent_pending",
            "confidentiality": confidentiality.value,
            "language": "vi",
        },
        None,
        publish=True,
    )


RESULT_TITLE, DETAILS = "Tên kết quả / công nghệ", "Mô tả chi tiết"


def _export_csv(client, kind, query=""):
    response = client.get(f"/export/{kind}.csv{query}")
    assert response.status_code == 200
    text = response.get_data(as_text=True).lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(text)))


def test_export_respects_confidentiality_and_filters(client, taxonomy, make_org, make_member):
    lab = make_org("Trường Đại học Nông Lâm", kind=OrgKind.university)
    _result(lab)
    db.session.commit()
    rows = _export_csv(client, "result")
    assert len(rows) == 1 and rows[0][RESULT_TITLE] == "Vắc-xin cho tôm"
    assert rows[0][DETAILS] == "[bảo mật]"
    assert "bí mật số 42" not in client.get("/export/result.csv").get_data(as_text=True)
    login(client, make_member(lab))
    assert _export_csv(client, "result")[0][DETAILS] == "Quy trình bí mật số 42"
    assert _export_csv(client, "result", "?field=health") == []


def test_export_xlsx_and_formula_injection_is_neutralised(client, taxonomy, make_org, make_member):
    lab = make_org("Viện Công nghệ sinh học", kind=OrgKind.research_institute)
    _result(lab, confidentiality=Confidentiality.public, details='=HYPERLINK("http://evil")')
    db.session.commit()
    response = client.get("/export/result.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    header = [c.value for c in sheet[1]]
    details = sheet.cell(row=2, column=header.index(DETAILS) + 1).value
    assert details.startswith("'=")


def test_drafts_are_exported_only_to_their_organisation(client, taxonomy, make_org, make_member):
    lab = make_org("Trường Đại học Y Dược", kind=OrgKind.university)
    listing_operations.create_listing(
        "need",
        {
            "organisation_id": lab.id,
            "title": "Bản nháp nội bộ",
            "problem": "x",
            "field_code": "health",
            "trl_wanted": 3,
        },
        None,
    )
    db.session.commit()
    assert _export_csv(client, "need") == []
    login(client, make_member(lab))
    assert [r["Tên nhu cầu / bài toán"] for r in _export_csv(client, "need")] == ["Bản nháp nội bộ"]


EXPORTED_RESULT = {
    "vi": {
        "Tổ chức": "Viện Tài nguyên và Môi trường",
        "Lĩnh vực": "Thủy sản",
        "Mức sẵn sàng công nghệ (TRL)": (
            "TRL 6 – Công nghệ được trình diễn trong môi trường liên quan"
        ),
        "Tình trạng sở hữu trí tuệ": "Đang nộp đơn sáng chế",
        "Mức bảo mật": "Chi tiết chỉ sau khi được giới thiệu",
        "Trạng thái": "Đã đăng",
    },
    "en": {
        "Organisation": "Institute of Resources and Environment",
        "Field": "Aquaculture",
        "Technology readiness level (TRL)": (
            "TRL 6 – Technology demonstrated in a relevant environment"
        ),
        "Intellectual property status": "Patent pending",
        "Confidentiality": "Details only after an introduction",
        "Status": "Published",
    },
}


@pytest.mark.parametrize(
    ("fmt", "lang"), [("csv", "vi"), ("csv", "en"), ("xlsx", "vi"), ("xlsx", "en")]
)
def test_exports_are_worded_in_the_users_language(client, taxonomy, make_org, fmt, lang):
    """Headers are the columns' names and cells hold labels, not codes, in vi and in en."""
    lab = make_org("Viện Tài nguyên và Môi trường", kind=OrgKind.research_institute)
    lab.name_en, lab.province = "Institute of Resources and Environment", "Quảng Trị"
    _result(lab)
    db.session.commit()
    client.post("/language", data={"lang": lang, "next": "/"})
    response = client.get(f"/export/result.{fmt}")
    assert response.status_code == 200
    if fmt == "csv":
        (row,) = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    else:
        header, *values = load_workbook(io.BytesIO(response.data)).active.values
        row = dict(zip(header, values[0], strict=True))
    expected = EXPORTED_RESULT[lang]
    assert {column: row.get(column) for column in expected} == expected
    raw_codes = {"published", "patent_pending", "after_introduction", "aquaculture"}
    assert not raw_codes & {str(v) for v in row.values()}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_organisation_export_labels_kinds_and_provinces(client, db_session, lang):
    registry_operations.create_organisation(
        {"kind": "enterprise", "name_vi": "Công ty TNHH Nón lá", "province": "Thành phố Đà Nẵng"},
        None,
    )
    db.session.commit()
    client.post("/language", data={"lang": lang, "next": "/"})
    rows = _export_csv(client, "organisation")
    kind, province = {
        "vi": ("Loại tổ chức", "Tỉnh/thành phố"),
        "en": ("Organisation type", "Province/city"),
    }[lang]
    labels = {"vi": ("Doanh nghiệp", "Thành phố Đà Nẵng"), "en": ("Enterprise", "Đà Nẵng City")}[
        lang
    ]
    mine = [r for r in rows if r[kind] == labels[0]]
    assert mine and (mine[0][kind], mine[0][province]) == labels
