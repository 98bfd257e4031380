"""The term dictionary's admin pages: add, merge, retire; audited; applied at the next index
update."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ecosystem.core.audit import AuditEvent
from ecosystem.core.errors import UserError
from ecosystem.extensions import db
from ecosystem.matching import term_operations as ops
from ecosystem.matching.engine import Document
from ecosystem.matching.tasks import update_records
from ecosystem.registry.enums import OrgKind
from ecosystem.workflow import reviewers
from tests.auth.support import flashes
from tests.auth_helpers import login
from tests.matching_web.conftest import commit, the_match


def audits(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


@pytest.fixture
def admin(make_platform_user):
    return make_platform_user("admin", full_name="Quản trị từ điển")


def test_add_merge_retire_are_audited(admin, db_session):
    ops.add_group({"vi": "đèn lồng giấy", "en": "paper lantern|paper lanterns"}, admin)
    ops.add_group({"vi": "lồng đèn", "en": "lantern", "group_id": "lantern"}, admin)
    assert ops.find_group("paper-lantern").en == ("paper lantern", "paper lanterns")
    (added, *_rest) = audits("term_group.add")
    assert added.actor_id == admin.id and added.object_id == "paper-lantern"
    assert added.summary["after"]["vi"] == ["đèn lồng giấy"]

    merged = ops.merge_group("lantern", "paper-lantern", admin)
    assert merged.vi == ("đèn lồng giấy", "lồng đèn")
    assert ops.find_group("lantern") is None
    (event,) = audits("term_group.merge")
    assert event.summary["before"]["source"] == "lantern"

    # a shipped group: edited, then retired
    ops.add_group({"group_id": "shrimp", "vi": "tôm|tép", "en": "shrimp"}, admin)
    assert ops.find_group("shrimp").vi == ("tôm", "tép")
    assert audits("term_group.edit")[0].summary["before"]["vi"] == ["tôm"]
    ops.retire_group("shrimp", admin)
    assert ops.find_group("shrimp") is None
    assert audits("term_group.retire")[0].summary["before"]["vi"] == ["tôm", "tép"]
    assert "shrimp" not in {g.id for g in ops.platform_dictionary().groups}


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda u: ops.add_group({"vi": "", "en": "x"}, u), "vi"),
        (lambda u: ops.add_group({"vi": "x", "en": " | "}, u), "en"),
        (lambda u: ops.merge_group("shrimp", "shrimp", u), "target"),
        (lambda u: ops.merge_group("shrimp", "no-such-group", u), "target"),
    ],
)
def test_bad_edits_are_refused_and_change_nothing(admin, db_session, call, field):
    before = len(ops.platform_groups())
    with pytest.raises(UserError) as info:
        call(admin)
    assert info.value.field == field
    assert len(ops.platform_groups()) == before
    assert not audits("term_group.add") and not audits("term_group.merge")


def test_retiring_an_unknown_group_is_a_404(client, admin, db_session):
    login(client, admin)
    assert client.post("/admin/matching/terms/no-such-group/retire").status_code == 404


def test_admin_pages_add_and_search(client, admin, db_session):
    login(client, admin)
    page = client.get("/admin/matching/terms?q=shrimp").get_data(as_text=True)
    assert 'data-group="shrimp-farming"' in page and "nuôi tôm" in page
    response = client.post(
        "/admin/matching/terms",
        data={"vi": "nón bài thơ", "en": "poem conical hat"},
        follow_redirects=True,
    )
    assert "Đã lưu nhóm thuật ngữ" in " ".join(flashes(response))
    assert ops.find_group("poem-conical-hat").vi == ("nón bài thơ",)
    response = client.post(
        "/admin/matching/terms", data={"vi": "", "en": ""}, follow_redirects=True
    )
    assert flashes(response)  # refused with a message, nothing saved
    assert len(audits("term_group.add")) == 1


def test_an_edit_applies_at_the_next_index_update(admin, make_org, make_result, make_need, fields):
    lab = make_org("Viện Nghiên cứu Biển", kind=OrgKind.university)
    firm = make_org("Công ty Chế biến Sông Hương", kind=OrgKind.enterprise)
    result = make_result(
        lab,
        title="Quillwort zymography for tuna canning",
        summary="Quillwort zymography keeps canned tuna firm.",
        keywords=[],
        language="en",
    )
    need = make_need(
        firm,
        title="Cần kỹ thuật xoắn khuẩn đồ hộp",
        problem="Đồ hộp bị mềm, cần kỹ thuật xoắn khuẩn.",
        expected_outcome="",
    )
    commit()
    assert the_match("need", need.id, "result", result.id) is None  # no shared word

    ops.add_group({"vi": "xoắn khuẩn", "en": "quillwort zymography"}, admin)
    commit()
    update_records([["need", need.id, False]])  # the next index update (any record change)
    match = the_match("need", need.id, "result", result.id)
    assert match is not None
    bridges = [t for t in match.explanation["terms"] if t.get("via")]
    assert bridges and bridges[0]["term"] == "xoắn khuẩn ≈ quillwort zymography"


def test_reviewer_matching_uses_the_platform_dictionary(admin, make_user, make_person, make_org):

    org = make_org("Trường Đại học Khoa học Huế", kind=OrgKind.university)
    expert = make_user(full_name="Dr. Expert")
    person = make_person(
        "Dr. Expert",
        org,
        email="expert.profile@hueuni.edu.vn",
        expertise=["quillwort zymography", "shrimp farming"],
    )
    person.user_id = expert.id
    db.session.flush()
    application = Document("application:1", title="Kỹ thuật xoắn khuẩn trong nuôi tôm")

    def found() -> dict[str, list[str]]:
        index = reviewers.build_index([expert])
        hits = index.search(application, 3, kinds=[reviewers.EXPERT_KIND])
        return {
            h.doc_id: [t.label for t in index.explain(application, h.doc_id).terms if t.via]
            for h in hits
        }

    before = found()  # the shipped dictionary: "nuôi tôm" ≈ "shrimp farming"
    assert before and not any("xoắn khuẩn" in label for v in before.values() for label in v)
    ops.add_group({"vi": "xoắn khuẩn", "en": "quillwort zymography"}, admin)
    after = found()
    assert any(label == "xoắn khuẩn ≈ quillwort zymography" for v in after.values() for label in v)
