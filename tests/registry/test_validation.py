"""Bad input gets a clear Vietnamese message next to its field, status 422, and nothing
is saved: no row, no audit event, no search entry."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from ecosystem.extensions import db
from ecosystem.registry.attachments import storage_dir
from ecosystem.registry.models import (
    Attachment,
    Investor,
    Organisation,
    Person,
    ResearchGroup,
    ResearchResult,
    Startup,
    TechnologyNeed,
)
from ecosystem.registry.search_index import SearchEntry
from tests.auth_helpers import login
from tests.registry.support import audit_count, count, field_error, flashes

MODELS = {
    "organisation": Organisation,
    "person": Person,
    "group": ResearchGroup,
    "result": ResearchResult,
    "need": TechnologyNeed,
    "startup": Startup,
    "investor": Investor,
}
URLS = {
    "organisation": "/organisations/new",
    "person": "/people/new",
    "group": "/groups/new",
    "result": "/results/new",
    "need": "/needs/new",
    "startup": "/startups/new",
    "investor": "/investors/new",
}

VALID_TAX_CODE = "3301234568"
WRONG_TAX_CODE = "3301234567"
VALID_ORCID = "0000-0002-1825-0097"
WRONG_ORCID = "0000-0002-1825-0098"


def past(days: int = 1) -> str:
    return (dt.date.today() - dt.timedelta(days=days)).strftime("%d/%m/%Y")


def future(days: int = 60) -> str:
    return (dt.date.today() + dt.timedelta(days=days)).strftime("%d/%m/%Y")


def valid_form(kind: str, org_id: int) -> dict[str, object]:
    forms = {
        "organisation": {
            "kind": "enterprise",
            "name_vi": "Công ty Cổ phần Dược liệu Bạch Mã",
            "province": "Thành phố Huế",
            "tax_code": VALID_TAX_CODE,
            "ror_id": "",
            "website": "https://bachma.vn",
        },
        "person": {
            "honorific": "TS.",
            "full_name": "Hồ Thị Thu Hà",
            "orcid": VALID_ORCID,
            "email": "ha@hueuni.edu.vn",
            "organisation_id": str(org_id),
        },
        "group": {"organisation_id": str(org_id), "name_vi": "Nhóm Dược liệu", "field_codes": []},
        "result": {
            "organisation_id": str(org_id),
            "title": "Cao chiết lá sen chống oxy hóa",
            "summary": "Cao chiết từ lá sen Huế.",
            "field_code": "health",
            "trl": "5",
            "ip_status": "none",
            "confidentiality": "public",
            "group_id": "0",
        },
        "need": {
            "organisation_id": str(org_id),
            "title": "Cần máy sấy nông sản",
            "problem": "Sấy nông sản mùa mưa.",
            "field_code": "agriculture",
            "trl_wanted": "7",
            "budget_min": "100.000.000",
            "budget_max": "200.000.000",
            "deadline": future(),
        },
        "startup": {
            "organisation_id": str(org_id),
            "name": "SenViet",
            "stage": "seed",
            "sector_codes": ["health"],
            "pitch": "Trà sen túi lọc.",
        },
        "investor": {
            "organisation_id": str(org_id),
            "name": "Quỹ Đầu tư Hương Giang",
            "thesis": "Nông nghiệp công nghệ cao.",
            "sector_codes": ["agriculture"],
            "stages": ["seed"],
            "ticket_min": "100.000.000",
            "ticket_max": "900.000.000",
        },
    }
    return {**forms[kind], "publish": "1"}


TRL_MESSAGE = "TRL phải từ 1 đến 9."
FIELD_MESSAGE = "Lĩnh vực không có trong danh mục."
WEB_MESSAGE = "Địa chỉ web phải bắt đầu bằng http:// hoặc https://"

CASES = [
    # (kind, changed fields, field id, message)
    (
        "organisation",
        {"tax_code": WRONG_TAX_CODE},
        "tax_code",
        "Mã số thuế không hợp lệ: cần 10 chữ số (hoặc 10 số + '-' + 3 số chi nhánh)"
        " với chữ số kiểm tra đúng.",
    ),
    ("organisation", {"tax_code": "33012345"}, "tax_code", None),
    ("organisation", {"tax_code": "3301234568-01"}, "tax_code", None),
    ("organisation", {"ror_id": "05dxps056"}, "ror_id", "Mã ROR không hợp lệ (ví dụ: 05dxps055)."),
    ("organisation", {"ror_id": "https://ror.org/xyz"}, "ror_id", None),
    ("organisation", {"website": "www.bachma.vn"}, "website", WEB_MESSAGE),
    ("organisation", {"website": "ftp://bachma.vn"}, "website", WEB_MESSAGE),
    ("organisation", {"website": "javascript://bachma.vn/%0Aalert(1)"}, "website", WEB_MESSAGE),
    ("organisation", {"kind": "bank"}, "kind", "Lựa chọn không hợp lệ."),
    ("organisation", {"name_vi": "  "}, "name_vi", "Vui lòng điền thông tin này."),
    (
        "person",
        {"orcid": WRONG_ORCID},
        "orcid",
        "ORCID không hợp lệ: dạng 0000-0002-1825-0097 với ký tự kiểm tra đúng.",
    ),
    ("person", {"orcid": "1234"}, "orcid", None),
    ("person", {"email": "ha@"}, "email", "Địa chỉ e-mail không hợp lệ."),
    ("group", {"field_codes": ["khong-co"]}, "field_codes", FIELD_MESSAGE),
    ("result", {"trl": "0"}, "trl", TRL_MESSAGE),
    ("result", {"trl": "10"}, "trl", TRL_MESSAGE),
    ("result", {"trl": "abc"}, "trl", TRL_MESSAGE),
    ("result", {"trl": ""}, "trl", "Vui lòng điền thông tin này."),
    ("result", {"field_code": "khong-co"}, "field_code", FIELD_MESSAGE),
    ("result", {"confidentiality": "secret"}, "confidentiality", "Lựa chọn không hợp lệ."),
    ("result", {"summary": ""}, "summary", "Vui lòng điền thông tin này."),
    ("need", {"trl_wanted": "0"}, "trl_wanted", TRL_MESSAGE),
    ("need", {"trl_wanted": "10"}, "trl_wanted", TRL_MESSAGE),
    ("need", {"trl_wanted": "abc"}, "trl_wanted", TRL_MESSAGE),
    (
        "need",
        {"budget_min": "500.000.000", "budget_max": "200.000.000"},
        "budget_max",
        "Ngân sách tối thiểu không được lớn hơn ngân sách tối đa.",
    ),
    (
        "need",
        {"budget_min": "một trăm triệu"},
        "budget_min",
        "Số tiền không hợp lệ. Ví dụ: 150.000.000",
    ),
    ("need", {"deadline": past()}, "deadline", "Hạn chót không được ở trong quá khứ."),
    (
        "need",
        {"deadline": "31/02/2027"},
        "deadline",
        "Ngày không hợp lệ. Hãy nhập theo dạng dd/mm/yyyy.",
    ),
    ("need", {"field_code": "khong-co"}, "field_code", FIELD_MESSAGE),
    ("startup", {"sector_codes": ["health", "khong-co"]}, "sector_codes", FIELD_MESSAGE),
    ("startup", {"stage": "unicorn"}, "stage", "Lựa chọn không hợp lệ."),
    ("investor", {"sector_codes": ["khong-co"]}, "sector_codes", FIELD_MESSAGE),
    ("investor", {"stages": ["unicorn"]}, "stages", "Lựa chọn không hợp lệ."),
    (
        "investor",
        {"ticket_min": "900.000.000", "ticket_max": "100.000.000"},
        "ticket_max",
        "Khoản đầu tư tối thiểu không được lớn hơn tối đa.",
    ),
]


def _totals(kind: str) -> tuple[int, int, int]:
    return count(MODELS[kind]), audit_count(), count(SearchEntry)


@pytest.fixture
def member(world):
    return world.users["member"]


def test_valid_forms_are_saved(client, world, member):
    """The baseline every case below changes one field of: it must be accepted."""
    login(client, member)
    for kind, url in URLS.items():
        before = _totals(kind)
        response = client.post(url, data=valid_form(kind, world.owner.id))
        assert response.status_code == 302, (kind, field_errors_of(response))
        assert _totals(kind)[0] == before[0] + 1


def field_errors_of(response) -> str:
    return " | ".join(re.findall(r'-error"[^>]*>(.*?)</div>', response.get_data(as_text=True)))


@pytest.mark.parametrize(
    ("kind", "changes", "field", "message"),
    CASES,
    ids=[f"{c[0]}-{c[2]}-{next(iter(c[1].values()))}" for c in CASES],
)
def test_bad_input_is_refused_next_to_its_field(
    client, world, member, kind, changes, field, message
):
    login(client, member)
    before = _totals(kind)
    response = client.post(URLS[kind], data={**valid_form(kind, world.owner.id), **changes})
    assert response.status_code == 422
    shown = field_error(response, field)
    assert shown, f"no message next to {field}: {field_errors_of(response)}"
    if message is not None:
        assert shown == message
    assert "Vui lòng sửa các lỗi được đánh dấu bên dưới." in response.get_data(as_text=True)
    assert _totals(kind) == before


EDIT_CASES = [
    ("result", {"trl": "10"}, "trl", TRL_MESSAGE),
    ("need", {"deadline": past(30)}, "deadline", "Hạn chót không được ở trong quá khứ."),
    (
        "need",
        {"budget_min": "900.000.000", "budget_max": "1"},
        "budget_max",
        "Ngân sách tối thiểu không được lớn hơn ngân sách tối đa.",
    ),
    ("startup", {"sector_codes": ["khong-co"]}, "sector_codes", FIELD_MESSAGE),
]


@pytest.mark.parametrize(("kind", "changes", "field", "message"), EDIT_CASES)
def test_bad_edit_changes_nothing(
    client, world, member, make_listing, kind, changes, field, message
):
    listing = make_listing(kind, world.owner)
    snapshot = {c.name: getattr(listing, c.name) for c in listing.__table__.columns}
    login(client, member)
    audits = audit_count()
    response = client.post(
        f"/{kind}s/{listing.id}/edit", data={**valid_form(kind, world.owner.id), **changes}
    )
    assert response.status_code == 422
    assert field_error(response, field) == message
    assert audit_count() == audits
    db.session.expire_all()
    listing = db.session.get(MODELS[kind], snapshot["id"])
    assert {c.name: getattr(listing, c.name) for c in listing.__table__.columns} == snapshot


def test_bad_tax_code_on_edit_changes_nothing(client, world):
    org_admin = world.users["org_admin"]
    login(client, org_admin)
    audits = audit_count()
    response = client.post(
        f"/organisations/{world.owner.id}/edit",
        data={
            "kind": "university",
            "name_vi": "Tên đã đổi",
            "province": "Thành phố Huế",
            "tax_code": WRONG_TAX_CODE,
        },
    )
    assert response.status_code == 422
    assert field_error(response, "tax_code").startswith("Mã số thuế không hợp lệ")
    assert audit_count() == audits
    db.session.expire_all()
    assert db.session.get(Organisation, world.owner.id).name_vi != "Tên đã đổi"


# Attachments ---------------------------------------------------------------------------


@pytest.fixture
def upload(client, world, member, make_result):
    result = make_result(world.owner)
    login(client, member)

    def _upload(data: bytes, filename: str):
        files_before = set(storage_dir().iterdir())
        totals = (count(Attachment), audit_count())
        response = client.post(
            f"/results/{result.id}/attachments",
            data={"file": (io.BytesIO(data), filename)},
            content_type="multipart/form-data",
        )
        saved = (count(Attachment), audit_count()) != totals
        new_files = set(storage_dir().iterdir()) - files_before
        return response, saved, new_files

    _upload.result = result
    return _upload


@pytest.fixture
def small_uploads(app):
    previous = app.config["UPLOAD_MAX_MB"]
    app.config["UPLOAD_MAX_MB"] = 1
    yield 1
    app.config["UPLOAD_MAX_MB"] = previous


PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_good_attachment_is_saved(client, upload):
    response, saved, new_files = upload(PDF, "Quy trình ủ men.pdf")
    assert response.status_code == 302
    assert saved
    assert len(new_files) == 1
    assert Path(next(iter(new_files))).read_bytes() == PDF
    assert "Đã tải tệp lên." in flashes(client.get(response.headers["Location"]))


ATTACHMENT_CASES = [
    ("too_large", b"%PDF-1.4\n" + b"0" * (1024 * 1024), "lon.pdf", "Tệp quá lớn: tối đa 1 MB."),
    (
        "text_named_pdf",
        b"Day la mot tep van ban, khong phai PDF.\n",
        "bao-cao.pdf",
        "Nội dung tệp không khớp với phần mở rộng .pdf.",
    ),
    ("pdf_named_png", PDF, "anh.png", "Nội dung tệp không khớp với phần mở rộng .png."),
    (
        "binary_named_txt",
        b"MZ\x90\x00\x03\x00\x00\x00",
        "ghi-chu.txt",
        "Nội dung tệp không khớp với phần mở rộng .txt.",
    ),
    (
        "script_named_docx",
        b"#!/bin/sh\nrm -rf /\n",
        "hop-dong.docx",
        "Nội dung tệp không khớp với phần mở rộng .docx.",
    ),
    (
        "unknown_extension",
        b"MZ\x90\x00",
        "setup.exe",
        "Chỉ nhận tệp PDF, ảnh PNG/JPEG, Word, Excel, PowerPoint, TXT hoặc CSV.",
    ),
    ("empty", b"", "trong.pdf", "Tệp rỗng."),
]


@pytest.mark.parametrize(
    ("case", "data", "filename", "message"), ATTACHMENT_CASES, ids=[c[0] for c in ATTACHMENT_CASES]
)
def test_bad_attachment_is_refused(client, upload, small_uploads, case, data, filename, message):
    response, saved, new_files = upload(data, filename)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/results/{upload.result.id}")
    assert not saved
    assert new_files == set()
    assert message in flashes(client.get(response.headers["Location"]))


def test_upload_limit_follows_the_setting(client, upload, small_uploads):
    """Exactly at the limit is accepted; one byte more is not."""
    limit = 1024 * 1024
    ok, saved, _ = upload(PNG + b"\x00" * (limit - len(PNG)), "anh.png")
    assert saved
    refused, saved, _ = upload(PNG + b"\x00" * (limit - len(PNG) + 1), "anh2.png")
    assert not saved


def test_no_file_chosen(client, upload):
    response = client.post(
        f"/results/{upload.result.id}/attachments", data={}, content_type="multipart/form-data"
    )
    assert response.status_code == 302
    assert "Hãy chọn một tệp." in flashes(client.get(response.headers["Location"]))


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("Quy trình ủ men.pdf", "Quy trình ủ men.pdf"),
        ("ba\x00o-cao.pdf", "bao-cao.pdf"),  # PostgreSQL refuses NUL in text
        ("../../etc/passwd.pdf", ".._.._etc_passwd.pdf"),
        ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),  # shortened, the extension kept
    ],
    ids=["vietnamese", "nul", "path", "long"],
)
def test_attachment_names_are_cleaned(client, upload, sent, stored):
    response, saved, _ = upload(PDF, sent)
    assert saved
    attachment = db.session.scalars(
        select(Attachment).order_by(Attachment.id.desc()).limit(1)
    ).one()
    assert attachment.filename == stored
    download = client.get(f"/attachments/{attachment.id}")
    assert download.status_code == 200 and download.data == PDF
