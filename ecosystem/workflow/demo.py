"""Demo data for the fund: a believable year of the Huế S&T fund.

One open call with applications in every state before a decision (one started from a demo
introduction), and one decided call with reviews, decisions, a contract whose milestones are
in every state, and disbursements. Everything goes through the same operations and
transitions as the pages, so timelines, audit rows and limits are real. Idempotent: nothing
is created when a call exists.
"""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources
from typing import Any

import sqlalchemy as sa

from ecosystem.auth.models import User
from ecosystem.auth.operations import email_key
from ecosystem.auth.seed import demo_password_hash, demo_user
from ecosystem.core.models import utcnow
from ecosystem.extensions import db
from ecosystem.matching.models import Match, MatchState
from ecosystem.registry.demo import org_ids_by_key
from ecosystem.registry.models import Membership, Organisation, Person
from ecosystem.workflow import applications as ops
from ecosystem.workflow import awards, calls, introductions, reviews
from ecosystem.workflow.awards import MilestonePlan
from ecosystem.workflow.models import FundCall, FundCycle

RUBRIC = [
    {
        "key": "tinh-moi",
        "label_vi": "Tính mới và cơ sở khoa học",
        "label_en": "Novelty and science",
        "weight": 3,
    },
    {
        "key": "kha-thi",
        "label_vi": "Tính khả thi và năng lực nhóm",
        "label_en": "Feasibility and team",
        "weight": 3,
    },
    {
        "key": "tac-dong",
        "label_vi": "Tác động kinh tế – xã hội tại Huế",
        "label_en": "Impact in Huế",
        "weight": 2,
    },
    {
        "key": "doi-ung",
        "label_vi": "Cam kết đối ứng và ứng dụng",
        "label_en": "Co-funding and uptake",
        "weight": 2,
    },
]
EXPERTS = [
    (
        "chuyengia@hue-innovation.local",
        None,
        ["nuôi trồng thủy sản", "bệnh tôm", "chế phẩm sinh học", "môi trường đầm phá"],
    ),
    (
        "chuyengia2@hue-innovation.local",
        "PGS.TS. Lê Thị Thẩm Định",
        ["cảm biến IoT", "quan trắc môi trường", "tự động hóa", "nuôi tôm"],
    ),
    (
        "chuyengia3@hue-innovation.local",
        "TS. Trần Văn Phản Biện",
        ["công nghệ thực phẩm", "bảo quản sau thu hoạch", "chuỗi giá trị nông sản"],
    ),
]
APPLICANTS = {
    "huaf": "nhakhoahoc@hue-innovation.local",
    "dam-pha-xanh": "doanhnghiep@hue-innovation.local",
    "aquasense": "khoinghiep@hue-innovation.local",
}


def _user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email_key == email_key(email)))


def seed_fund() -> int:
    if db.session.scalar(sa.select(FundCall.id).limit(1)) is not None:
        return 0
    manager = _user("quy@hue-innovation.local")
    applicants = {key: _user(email) for key, email in APPLICANTS.items()}
    if manager is None or None in applicants.values():
        return 0  # the accounts part did not run
    orgs = {key: db.session.get(Organisation, oid) for key, oid in org_ids_by_key().items()}
    today = utcnow().date()
    db.session.add(
        FundCycle(
            name=f"Chu kỳ {today.year}–{today.year + 4}",
            starts_on=dt.date(today.year, 1, 1),
            ends_on=dt.date(today.year + 4, 12, 31),
            charter_capital=100_000_000_000,
            state_budget_capital=49_000_000_000,
        )
    )
    experts = _experts(orgs)
    specs = json.loads(
        resources.files("ecosystem.registry").joinpath("seed/fund_calls.json").read_text("utf-8")
    )
    open_call = _call(specs[0], manager, today)
    past_call = _call(specs[1], manager, today)
    created = 3 + len(experts)
    created += _open_call_applications(open_call, applicants, orgs, manager, experts)
    created += _decided_call(past_call, applicants, orgs, manager, experts, today)
    db.session.flush()
    return created


def _experts(orgs: dict[str, Organisation]) -> list[User]:
    users = []
    for email, name, expertise in EXPERTS:
        user = _user(email) or demo_user(email, name, ["reviewer"], demo_password_hash())
        if db.session.scalar(sa.select(Person.id).where(Person.user_id == user.id)) is None:
            person = Person(
                full_name=user.full_name, honorific="PGS.TS.", expertise=expertise, user_id=user.id
            )
            person.memberships = [
                Membership(organisation_id=orgs["hue-university"].id, position="Giảng viên")
            ]
            db.session.add(person)
        users.append(user)
    db.session.flush()
    for user in users:
        db.session.refresh(user)
    return users


def _call(spec: dict[str, Any], manager: User, today: dt.date) -> FundCall:
    now = utcnow()
    call = calls.create_call(
        {
            "title_vi": spec["title"],
            "title_en": "",
            "description_vi": spec["description"],
            "description_en": "",
            "budget": spec["budget_total"],
            "min_amount": 100_000_000,
            "max_amount": spec["max_per_project"],
            "cofunding_percent": 30,
            "opens_at": now - dt.timedelta(days=30),
            "closes_at": now + dt.timedelta(days=45),
            "eligible_kinds": [],
            "field_codes": [],
            "trl_min": 3,
            "trl_max": 8,
            "three_party": False,
            "required_documents": [],
            "questions": [
                {
                    "key": "thi-truong",
                    "label_vi": "Thị trường và người dùng mục tiêu",
                    "label_en": "Target market",
                    "type": "text",
                    "choices": [],
                    "required": True,
                }
            ],
            "rubric": RUBRIC,
            "score_max": 5,
            "reviewers_per_application": 3,
            "reviewer_load_limit": 10,
        },
        manager,
    )
    calls.CALL_WORKFLOW.apply(call, "open", manager)
    return call


def _draft(
    call: FundCall,
    org_key: str,
    applicants: dict[str, User],
    orgs,
    title: str,
    summary: str,
    partners=(),
    amount=600_000_000,
) -> Any:
    org = orgs[org_key]
    application = ops.start_application(
        call,
        org,
        applicants[org_key],
        {
            "title": title,
            "summary": summary,
            "trl": 5,
            "requested_amount": amount,
            "cofunding_amount": amount // 2,
            "answers": {
                "thi-truong": "Các hộ nuôi và doanh nghiệp ở vùng đầm phá Tam Giang – Cầu Hai."
            },
            "budget": [
                ("Thiết bị, vật tư", amount * 2 // 3, amount // 4),
                ("Thuê chuyên gia, nhân công", amount - amount * 2 // 3, amount // 2 - amount // 4),
            ],
            "partners": [(orgs[p].id, ops.role_for(orgs[p])) for p in partners],
        },
    )
    return application


def _submitted(call, org_key, applicants, orgs, title, summary, **kw):
    application = _draft(call, org_key, applicants, orgs, title, summary, **kw)
    ops.apply(application, "submit", applicants[org_key])
    return application


def _reviewed(application, manager, experts, scores_by_expert) -> None:
    for expert, scores in zip(experts, scores_by_expert, strict=False):
        assignment = reviews.assign(application, expert, manager)
        reviews.ASSIGNMENT_WORKFLOW.apply(assignment, "declare_none", expert)
        reviews.ASSIGNMENT_WORKFLOW.apply(
            assignment,
            "submit",
            expert,
            scores=dict(zip([c["key"] for c in RUBRIC], scores, strict=True)),
            overall="Đề xuất có cơ sở khoa học tốt; cần làm rõ kế hoạch thương mại hóa.",
        )


def _open_call_applications(call, applicants, orgs, manager, experts) -> int:
    _draft(
        call,
        "aquasense",
        applicants,
        orgs,
        "Cảm biến IoT đo oxy hòa tan cho ao tôm",
        "Thiết bị giá rẻ cảnh báo thiếu oxy qua điện thoại cho hộ nuôi tôm.",
    )
    _submitted(
        call,
        "dam-pha-xanh",
        applicants,
        orgs,
        "Chế biến rong biển đầm phá thành thực phẩm chức năng",
        "Sản xuất bột rong câu giàu chất xơ.",
        partners=["huaf"],
    )
    screening = _submitted(
        call,
        "huaf",
        applicants,
        orgs,
        "Giống lúa chịu mặn cho vùng ven biển Phong Điền",
        "Khảo nghiệm giống lúa chịu mặn trên 50 ha.",
    )
    ops.apply(screening, "start_screening", manager)
    info = _submitted(
        call,
        "aquasense",
        applicants,
        orgs,
        "Nền tảng truy xuất nguồn gốc tôm sạch",
        "Mã QR theo dõi từ ao nuôi đến bàn ăn.",
    )
    ops.apply(
        info,
        "request_info",
        manager,
        reason="Bổ sung xác nhận đối ứng của doanh nghiệp.",
        reply_due_at=ops.reply_deadline(14),
    )
    bad = _submitted(
        call,
        "dam-pha-xanh",
        applicants,
        orgs,
        "Mở rộng nhà xưởng chế biến",
        "Xây thêm 500 m² nhà xưởng.",
    )
    ops.apply(
        bad,
        "mark_ineligible",
        manager,
        reason="Đầu tư xây dựng cơ bản không thuộc phạm vi tài trợ của Quỹ.",
    )
    review = _submitted(
        call,
        "huaf",
        applicants,
        orgs,
        "Chế phẩm vi sinh xử lý đáy ao nuôi tôm",
        "Chế phẩm Bacillus giảm khí độc đáy ao, thử nghiệm tại Quảng Điền.",
        partners=["dam-pha-xanh"],
    )
    ops.apply(review, "mark_eligible", manager)
    reviews.assign(review, experts[0], manager)  # the demo expert: a declaration waits
    committee = _submitted(
        call,
        "dam-pha-xanh",
        applicants,
        orgs,
        "Hệ thống nuôi tôm tuần hoàn tiết kiệm nước",
        "Lọc sinh học và tái sử dụng 80% nước nuôi.",
        partners=["huaf"],
    )
    ops.apply(committee, "mark_eligible", manager)
    _reviewed(committee, manager, experts, [(5, 4, 5, 4), (4, 4, 4, 3), (2, 3, 2, 3)])
    ops.apply(committee, "to_committee", manager)
    withdrawn = _submitted(
        call,
        "aquasense",
        applicants,
        orgs,
        "Ứng dụng dự báo thời tiết cho ngư dân",
        "Dự báo sóng gió theo vị trí.",
    )
    ops.apply(withdrawn, "withdraw", applicants["aquasense"])
    created = 8
    match = _demo_introduction(orgs["dam-pha-xanh"].id)
    if match is not None:
        introductions.start_from_match(match, call, applicants["dam-pha-xanh"])
        created += 1
    return created


def _demo_introduction(org_id: int) -> Match | None:
    """A proposal of the demo enterprise, accepted by both sides, as a demo introduction."""
    match = db.session.scalars(
        sa.select(Match)
        .where(
            sa.or_(Match.source_org_id == org_id, Match.target_org_id == org_id),
            Match.source_kind.in_(["need", "result"]),
            Match.target_kind.in_(["need", "result"]),
            Match.state == MatchState.proposed,
        )
        .order_by(Match.score.desc())
    ).first()
    if match is None:
        return None
    now = utcnow()
    match.state = MatchState.introduced
    match.source_interested_at = match.target_interested_at = match.introduced_at = now
    db.session.flush()
    return match


def _decided_call(call, applicants, orgs, manager, experts, today) -> int:
    funded = _submitted(
        call,
        "huaf",
        applicants,
        orgs,
        "Quy trình nuôi cá dìa bằng thức ăn công nghiệp",
        "Giảm 30% chi phí thức ăn cho cá dìa đầm phá.",
        partners=["dam-pha-xanh"],
        amount=800_000_000,
    )
    waiting = _submitted(
        call,
        "aquasense",
        applicants,
        orgs,
        "Robot cho ăn tự động cho lồng nuôi",
        "Robot nổi rải thức ăn theo lịch.",
    )
    refused = _submitted(
        call,
        "dam-pha-xanh",
        applicants,
        orgs,
        "Nhãn hiệu tập thể nước mắm Thuận An",
        "Xây dựng nhãn hiệu và bao bì mới.",
    )
    for application, scores in (
        (funded, [(5, 5, 4, 5), (4, 5, 4, 4), (5, 4, 5, 4)]),
        (waiting, [(4, 3, 4, 3), (3, 4, 3, 3), (4, 4, 3, 4)]),
        (refused, [(2, 2, 3, 2), (2, 3, 2, 2), (3, 2, 2, 3)]),
    ):
        ops.apply(application, "mark_eligible", manager)
        _reviewed(application, manager, experts, scores)
        ops.apply(application, "to_committee", manager)
    # The call closed some months ago; its committee met since.
    call.opens_at = utcnow() - dt.timedelta(days=240)
    call.closes_at = utcnow() - dt.timedelta(days=150)
    db.session.flush()
    calls.CALL_WORKFLOW.apply(call, "close", manager)
    ops.apply(
        funded,
        "approve",
        manager,
        reason="Xếp hạng 1/3; hiệu quả kinh tế rõ.",
        amount=800_000_000,
    )
    ops.apply(waiting, "waitlist", manager, reason="Xếp hạng 2/3; chờ nguồn vốn bổ sung.")
    ops.apply(
        refused, "reject", manager, reason="Nội dung thiên về quảng bá, ít hàm lượng công nghệ."
    )
    calls.CALL_WORKFLOW.apply(call, "decide", manager)
    award = awards.sign_contract(
        funded,
        manager,
        number=f"{today.year}/HĐ-QKHCN-01",
        signed_on=today - dt.timedelta(days=120),
        amount=800_000_000,
        cofunding=400_000_000,
        milestones=[
            MilestonePlan(
                "Hoàn thiện quy trình thức ăn",
                200_000_000,
                today - dt.timedelta(days=90),
                "Báo cáo quy trình",
            ),
            MilestonePlan(
                "Nuôi thử nghiệm vụ 1",
                200_000_000,
                today - dt.timedelta(days=30),
                "Biên bản nghiệm thu vụ 1",
            ),
            MilestonePlan(
                "Nuôi thử nghiệm vụ 2",
                150_000_000,
                today + dt.timedelta(days=5),
                "Biên bản nghiệm thu vụ 2",
            ),
            MilestonePlan(
                "Chuyển giao cho 20 hộ nuôi",
                150_000_000,
                today + dt.timedelta(days=60),
                "Danh sách hộ nhận chuyển giao",
            ),
            MilestonePlan(
                "Tổng kết, nghiệm thu",
                100_000_000,
                today + dt.timedelta(days=150),
                "Báo cáo tổng kết",
            ),
        ],
    )
    ops.apply(funded, "start", manager)
    grantee = applicants["huaf"]
    flow = awards.MILESTONE_WORKFLOW
    first, second, third, fourth, _last = award.milestones
    flow.apply(
        first,
        "report",
        grantee,
        report="Đã hoàn thiện quy trình, kèm kết quả phân tích dinh dưỡng.",
    )
    flow.apply(first, "accept", manager, note="Đạt yêu cầu.")
    awards.disburse(
        first, manager, amount=200_000_000, paid=today - dt.timedelta(days=80), reference="UNC-0081"
    )
    flow.apply(second, "report", grantee, report="Vụ 1: tỷ lệ sống 85%, năng suất 2,1 tấn/ha.")
    flow.apply(second, "accept", manager, note="Đạt yêu cầu, giải ngân theo 2 đợt.")
    awards.disburse(
        second,
        manager,
        amount=100_000_000,
        paid=today - dt.timedelta(days=20),
        reference="UNC-0112",
    )
    flow.apply(third, "report", grantee, report="Vụ 2 đang thu hoạch; báo cáo sơ bộ.")
    flow.apply(fourth, "report", grantee, report="Danh sách 12 hộ đã đăng ký.")
    flow.apply(fourth, "ask_changes", manager, note="Cần đủ 20 hộ theo hợp đồng.")
    return 4
