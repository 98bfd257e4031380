"""Fixtures for the web side of matching: taxonomy, builders that go through the registry
operations (so the signals fire and, after ``commit()``, the index and the proposals are
updated exactly as in production), a fresh index per test, a mailbox, and a small "world"
of two partners (a university's result, an enterprise's need), a third organisation and one
user per role.
"""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path
from types import SimpleNamespace

import flask_babel
import pytest
from babel import support
from sqlalchemy import select

from ecosystem.extensions import db
from ecosystem.matching import saved_index
from ecosystem.matching.models import Match
from ecosystem.registry import operations as registry_ops
from ecosystem.registry.enums import OrgKind
from ecosystem.registry.models import ResearchField
from tests.auth.support import Mailbox
from tests.builders import by_kind, listing_builder

FIELDS = {
    "agriculture": ("Nông nghiệp", "Agriculture", None),
    "aquaculture": ("Nuôi trồng thủy sản", "Aquaculture", "agriculture"),
    "health": ("Y tế và sức khỏe", "Health", None),
    "heritage": ("Di sản văn hóa", "Cultural heritage", None),
}
_counter = itertools.count(1)

# Texts chosen so that the right pairs share many words and the wrong ones share none.
SHRIMP_RESULT = {
    "title": "Hệ thống cảm biến IoT giám sát chất lượng nước ao nuôi tôm",
    "summary": (
        "Cảm biến IoT đo oxy hòa tan, độ mặn và pH của nước ao nuôi tôm thẻ chân trắng, "
        "cảnh báo sớm qua điện thoại cho người nuôi ở đầm phá Tam Giang."
    ),
    "keywords": ["cảm biến IoT", "nuôi tôm", "oxy hòa tan"],
}
# Words that appear only in the confidential details of the result: never in an explanation.
SECRET_WORDS = ("zirconia", "perovskit", "hiệu chuẩn lượng tử")
SECRET_DETAILS = (
    "Bí quyết: màng zirconia phủ perovskit, thuật toán hiệu chuẩn lượng tử cho đầu dò. "
    "Liên hệ phòng sở hữu trí tuệ để xem bản vẽ."
)
SHRIMP_NEED = {
    "title": "Cần hệ thống giám sát chất lượng nước ao nuôi tôm",
    "problem": (
        "Ao nuôi tôm thẻ chân trắng của công ty thường thiếu oxy hòa tan vào ban đêm; "
        "cần cảm biến IoT đo độ mặn, pH và cảnh báo sớm cho người nuôi."
    ),
    "expected_outcome": "Giảm tỉ lệ tôm chết, giám sát nước ao từ xa.",
}
HERITAGE_RESULT = {
    "title": "Số hóa di tích Hoàng thành bằng quét laser ba chiều",
    "summary": "Quét laser ba chiều và mô hình số cho trùng tu cung điện, lăng tẩm triều Nguyễn.",
    "keywords": ["quét laser", "di tích", "mô hình số"],
    "field_code": "heritage",
}
STARTUP = {
    "name": "AquaSense Huế",
    "stage": "seed",
    "funding_sought": 2_000_000_000,
    "pitch": (
        "Phao cảm biến IoT đo oxy hòa tan cho ao nuôi tôm, bán thuê bao cho hợp tác xã "
        "thủy sản ven đầm phá."
    ),
    "sector_codes": ["aquaculture"],
}
INVESTOR = {
    "name": "Quỹ Đầu tư Sông Hương",
    "thesis": (
        "Đầu tư giai đoạn hạt giống vào khởi nghiệp công nghệ thủy sản: cảm biến IoT, "
        "nuôi tôm thông minh, truy xuất nguồn gốc."
    ),
    "stages": ["seed", "pre_seed"],
    "ticket_min": 500_000_000,
    "ticket_max": 5_000_000_000,
    "sector_codes": ["aquaculture"],
}


def commit() -> None:
    """Commit like a request does: the after-commit tasks (index update) run now."""
    db.session.commit()
    db.session.expire_all()


@pytest.fixture
def fields(db_session):
    made = {}
    for code, (vi, en, parent) in FIELDS.items():
        field = db.session.get(ResearchField, code)
        if field is None:
            field = ResearchField(code=code, name_vi=vi, name_en=en, parent_code=parent)
            db.session.add(field)
            db.session.flush()
        made[code] = field
    return made


@pytest.fixture(autouse=True)
def fresh_index(app):
    """Every test starts without a saved index: the first commit builds one from this test's
    own records (the folder is shared by the whole session's app)."""

    def wipe() -> None:
        folder = Path(app.config["MATCHING_INDEX_DIR"])
        for path in folder.glob("*"):
            if path.is_file():
                path.unlink()
        saved_index.forget_cache()

    wipe()
    yield
    wipe()


@pytest.fixture
def mailbox(app):
    box = Mailbox(app.config["MAIL_FILE_DIR"])
    Path(app.config["MAIL_FILE_DIR"]).mkdir(parents=True, exist_ok=True)
    box.clear()
    yield box
    box.clear()


@pytest.fixture
def make_result(fields):
    def defaults():
        return {
            **SHRIMP_RESULT,
            "title": f"{SHRIMP_RESULT['title']} ({next(_counter)})",
            "details": "",
            "field_code": "aquaculture",
            "trl": 6,
            "ip_status": "none",
            "confidentiality": "public",
            "group_id": None,
            "language": "vi",
        }

    return listing_builder("result", defaults)


@pytest.fixture
def make_need(fields):
    def defaults():
        return {
            **SHRIMP_NEED,
            "title": f"{SHRIMP_NEED['title']} ({next(_counter)})",
            "field_code": "aquaculture",
            "trl_wanted": 5,
            "budget_min": 100_000_000,
            "budget_max": 500_000_000,
            "deadline": dt.date.today() + dt.timedelta(days=90),
        }

    return listing_builder("need", defaults)


@pytest.fixture
def make_startup(fields):
    return listing_builder(
        "startup", lambda: {**STARTUP, "name": f"{STARTUP['name']} {next(_counter)}"}
    )


@pytest.fixture
def make_investor(fields):
    return listing_builder(
        "investor", lambda: {**INVESTOR, "name": f"{INVESTOR['name']} {next(_counter)}"}
    )


@pytest.fixture
def make_listing(make_result, make_need, make_startup, make_investor):
    return by_kind(result=make_result, need=make_need, startup=make_startup, investor=make_investor)


@pytest.fixture
def make_person(db_session):
    def _make(full_name: str = "Nguyễn Văn An", org=None, **data):
        values = {
            "honorific": "",
            "full_name": full_name,
            "email": "",
            "phone": "",
            "orcid": None,
            "expertise": [],
            "bio": "",
            **data,
            "organisation_id": org.id if org is not None else None,
        }
        return registry_ops.create_person(values, None)

    return _make


@pytest.fixture
def make_group(fields):
    def _make(org, name: str | None = None, *, members=(), **data):
        group = registry_ops.save_group(
            None,
            {
                "organisation_id": org.id,
                "name_vi": name or f"Nhóm nghiên cứu thủy sản {next(_counter)}",
                "field_codes": ["aquaculture"],
                **data,
            },
            None,
        )
        if members:
            registry_ops.set_group_people(group, members[0], list(members), None)
        return group

    return _make


@pytest.fixture
def world(
    make_org, make_member, make_user, make_platform_user, make_result, make_need, make_person
):
    """A university's confidential result, an enterprise's need that it fits, a third
    enterprise, and one user per role; committed, so the proposal exists."""
    university = make_org("Trường Đại học Nông Lâm Huế", kind=OrgKind.university)
    enterprise = make_org("Công ty TNHH Thủy sản Đầm Phá Xanh", kind=OrgKind.enterprise)
    third = make_org("Công ty CP Du lịch Kinh thành", kind=OrgKind.enterprise)
    users = {
        "anonymous": None,
        "outsider": make_member(third, full_name="Nhân viên Kinh thành", email="third@kt.vn"),
        "researcher": make_member(
            university, full_name="TS. Lê Thị Nghiên", email="nghien@huaf.edu.vn"
        ),
        "enterprise": make_member(
            enterprise, role="admin", full_name="Trần Văn Doanh", email="doanh@damphaxanh.vn"
        ),
        "admin": make_platform_user("admin", full_name="Quản trị Sở KH&CN"),
        "steering": make_platform_user("steering", full_name="Thành viên Ban chỉ đạo"),
        "unaffiliated": make_user(full_name="Người dùng tự do"),
    }
    researcher_profile = make_person(
        "TS. Lê Thị Nghiên",
        university,
        email="nghien.profile@huaf.edu.vn",
        phone="0234 3525 049",
    )
    enterprise_profile = make_person(
        "Trần Văn Doanh", enterprise, email="doanh.profile@damphaxanh.vn", phone="0905 111 222"
    )
    result = make_result(
        university,
        details=SECRET_DETAILS,
        confidentiality="after_introduction",
        user=users["researcher"],
    )
    need = make_need(enterprise, user=users["enterprise"])
    commit()
    return SimpleNamespace(
        university=university,
        enterprise=enterprise,
        third=third,
        users=users,
        result=result,
        need=need,
        researcher_profile=researcher_profile,
        enterprise_profile=enterprise_profile,
    )


def the_match(source_kind: str, source_id: int, target_kind: str, target_id: int):

    db.session.expire_all()
    return db.session.scalar(
        select(Match).where(
            Match.source_kind == source_kind,
            Match.source_id == source_id,
            Match.target_kind == target_kind,
            Match.target_id == target_id,
        )
    )


@pytest.fixture
def world_match(world):
    match = the_match("need", world.need.id, "result", world.result.id)
    assert match is not None, "the need's proposal was not computed after commit"
    return match


class _MarkedEnglish(support.NullTranslations):
    """Stands in for the English catalogue: every translated string comes out marked, so
    a test can tell which language a message was rendered in."""

    def gettext(self, message):
        return f"EN:{message}"

    ugettext = gettext

    def ngettext(self, singular, plural, n):
        return f"EN:{singular if n == 1 else plural}"

    ungettext = ngettext

    def pgettext(self, context, message):
        return f"EN:{message}"

    def npgettext(self, context, singular, plural, n):
        return f"EN:{singular if n == 1 else plural}"


@pytest.fixture
def marked_english(monkeypatch):
    original = flask_babel.Domain.get_translations

    def get_translations(self):
        locale = flask_babel.get_locale()
        if locale is not None and locale.language == "en":
            return _MarkedEnglish()
        return original(self)

    monkeypatch.setattr(flask_babel.Domain, "get_translations", get_translations)
