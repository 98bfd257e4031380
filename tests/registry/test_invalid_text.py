"""Text that cannot be stored (a lone surrogate, NUL) is refused where it came in: next to
its field on a page, on its own row in an import; nothing is saved."""

from __future__ import annotations

import pytest
from flask import session
from werkzeug.datastructures import MultiDict

from ecosystem.registry.forms import OrganisationForm
from ecosystem.registry.import_models import ImportState
from ecosystem.registry.models import Organisation, TechnologyNeed
from tests.auth_helpers import login
from tests.registry.support import count, field_error
from tests.registry.test_import_export import NEED_HEADER, _batch, _csv, _reasons, _upload
from tests.registry.test_validation import URLS, _totals, valid_form

VI = "Chứa ký tự không hợp lệ (ký tự NUL hoặc mã Unicode lỗi). Hãy nhập lại."
EN = "Contains characters that cannot be stored (a NUL character or broken Unicode)."


@pytest.mark.parametrize(
    ("kind", "field"),
    [("organisation", "name_vi"), ("need", "problem"), ("result", "title")],
)
def test_nul_in_a_page_form_is_a_field_error(client, world, kind, field):
    # Browsers' surrogates arrive replaced by U+FFFD (werkzeug decodes leniently); NUL
    # arrives as it was typed or pasted.
    login(client, world.users["member"])
    before = _totals(kind)
    data = valid_form(kind, world.owner.id)
    data[field] = f"{data.get(field) or 'x'}\x00"
    response = client.post(URLS[kind], data=data)
    assert response.status_code == 422
    assert field_error(response, field) == VI
    assert _totals(kind) == before


@pytest.mark.parametrize("bad", ["Công ty \udfff Huế", "Công ty\x00", "\ud83d"])
def test_every_form_refuses_invalid_text_first_in_the_users_language(app, db_session, bad):
    """The API and the imports hand their values to the same forms as plain strings, where
    a surrogate does arrive as one."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        session["lang"] = "en"
        form = OrganisationForm(
            formdata=MultiDict({"kind": "enterprise", "name_vi": bad, "province": "Thành phố Huế"}),
            meta={"csrf": False},
        )
        assert not form.validate()
        assert str(form.name_vi.errors[0]).startswith(EN)
        assert "province" not in form.errors


def test_an_import_rejects_only_the_rows_with_invalid_text(client, world):
    org = world.owner
    login(client, world.users["member"])
    good = ["Cảm biến oxy cho ao tôm", "Đo oxy hòa tan", "aquaculture", "6", "", "", ""]
    rows = [
        good,
        ["Máy sấy\x00", "Sấy nông sản", "aquaculture", "5", "", "", ""],
        ["Kit xét nghiệm", "Bệnh tôm \udfff", "aquaculture", "5", "", "", ""],
    ]
    # The surrogate is written as some exporters do (UTF-8 bytes ED BF BF), not refused as
    # "not UTF-8" for the whole file.
    data = _csv(NEED_HEADER, []).decode() + "\r\n".join(",".join(r) for r in rows)
    batch = _batch(_upload(client, "need", data.encode("utf-8", "surrogatepass"), "n.csv", org.id))
    assert batch.state is ImportState.ready
    assert [r["row"] for r in batch.valid_rows] == [2]
    rejected = {r["row"]: _reasons(r) for r in batch.rejected_rows}
    assert rejected == {3: {"title": VI}, 4: {"problem": VI}}
    client.post(f"/imports/{batch.id}/confirm")
    assert count(TechnologyNeed) == 1


def test_invalid_text_never_reaches_the_organisations(client, world):
    login(client, world.users["platform_admin"])
    data = _csv(["kind", "name_vi"], [["enterprise", "Hợp tác xã\x00"]])
    batch = _batch(_upload(client, "organisation", data, "o.csv"))
    assert batch.valid_rows == [] and _reasons(batch.rejected_rows[0]) == {"name_vi": VI}
    assert count(Organisation) == 2  # the world's two
