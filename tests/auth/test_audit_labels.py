"""The audit log names each action in the reader's language, with its code beside it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ecosystem.auth.audit_labels import EVENTS, OBJECTS
from ecosystem.core.audit import record_audit
from ecosystem.extensions import db
from tests.auth_helpers import login

LABELS = {
    "vi": {
        "match.dismissed": "Đề xuất kết nối: Không phù hợp, bỏ qua",  # its transition's label
        "fund_call.opened": "Đợt gọi hồ sơ: Mở nhận hồ sơ",
        "auth.sign_in": "Tài khoản: đăng nhập",
        "result.published": "Kết quả nghiên cứu: đăng",
        "something.unknown": "something.unknown",
    },
    "en": {
        "match.dismissed": "Proposed match: Not a fit – dismiss",
        "fund_call.opened": "Call for proposals: Open the call",
        "auth.sign_in": "Account: signed in",
        "result.published": "Research result: published",
        "something.unknown": "something.unknown",
    },
}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_actions_are_shown_as_labels(client, make_platform_user, lang):
    admin = make_platform_user("admin")
    for code in ("match.dismissed", "fund_call.opened", "result.published", "something.unknown"):
        record_audit(code, object_type="test", object_id=1, actor=admin)
    db.session.commit()
    login(client, admin)
    client.post("/language", data={"lang": lang, "next": "/"})
    page = client.get("/admin/audit").get_data(as_text=True)
    shown = dict(re.findall(r'<td data-action="([\w.]+)">([^<]+?) <small', page))
    assert {code: shown.get(code) for code in LABELS[lang]} == LABELS[lang]


def test_every_static_audit_code_in_the_source_has_a_label():
    """A new ``record_audit("x.y")`` without a label here shows its code: caught here."""

    root = Path(__file__).resolve().parents[2] / "ecosystem"
    codes = set()
    for path in root.rglob("*.py"):
        codes |= set(re.findall(r'record_audit\(\s*"([a-z_]+)\.([a-z_]+)"', path.read_text()))
    missing = sorted(f"{o}.{e}" for o, e in codes if o not in OBJECTS or e not in EVENTS)
    assert missing == []
