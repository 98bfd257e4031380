"""Open data: datasets of public records, each as CSV and JSON with stable ids, and a
machine-readable catalogue (DCAT-AP style JSON-LD).

Every dataset is built from an explicit list of public fields of public records: published,
not hidden, not expired; never a draft, a confidential detail, a person's e-mail or phone,
or a reviewer's identity. Datasets are pluggable like the indicators: a later feature (labs
and equipment) adds its own with ``register_dataset``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from ecosystem.core.models import utcnow
from ecosystem.dashboard import figures
from ecosystem.dashboard.indicators import all_indicators
from ecosystem.dashboard.shares import today
from ecosystem.extensions import db
from ecosystem.labs.models import UserKind
from ecosystem.labs.queries import published_equipment
from ecosystem.registry.models import Organisation, ResearchResult, Startup, TechnologyNeed
from ecosystem.workflow.models import Award, CallState, FundApplication, FundCall

LICENCE = "https://creativecommons.org/licenses/by/4.0/"
Rows = tuple[list[str], list[dict[str, Any]]]


@dataclass(frozen=True)
class Dataset:
    key: str
    title: Any
    description: Any
    build: Callable[[], Rows]  # (columns, records); every record has a stable "id"
    keywords: tuple[str, ...] = ()


_DATASETS: dict[str, Dataset] = {}


def register_dataset(dataset: Dataset) -> None:
    """Add (or replace) a dataset of a later feature, e.g. the labs' equipment."""
    _DATASETS[dataset.key] = dataset


def unregister_dataset(key: str) -> None:
    _DATASETS.pop(key, None)


def datasets() -> dict[str, Dataset]:
    return {**{d.key: d for d in _builtin()}, **_DATASETS}


def _iso(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    return getattr(value, "value", value)


def _public(model: Any) -> list[Any]:
    return [model.is_public, model.published_at.is_not(None)]


def _records(prefix: str, columns: list[str], rows: Any) -> Rows:
    """Records as dicts of the listed columns only, with a stable id ``prefix-<id>``."""
    records = []
    for row in rows:
        record = {"id": f"{prefix}-{row['id']}"}
        record.update({c: _iso(row[c]) for c in columns if c != "id"})
        records.append(record)
    return ["id", *[c for c in columns if c != "id"]], records


def _select(*columns: Any, where: list[Any], order: Any) -> list[Any]:
    return list(db.session.execute(sa.select(*columns).where(*where).order_by(order)).mappings())


def organisations() -> Rows:
    o = Organisation
    columns = [
        "id",
        "kind",
        "name_vi",
        "name_en",
        "short_name",
        "province",
        "website",
        "ror_id",
        "updated_at",
    ]
    rows = _select(
        *(getattr(o, c) for c in columns), where=[o.merged_into_id.is_(None)], order=o.id
    )
    return _records("org", columns, rows)


def results() -> Rows:
    r = ResearchResult
    # The public summary only: details are for members or after an introduction.
    columns = [
        "id",
        "organisation_id",
        "title",
        "summary",
        "field_code",
        "keywords",
        "trl",
        "ip_status",
        "published_at",
        "updated_at",
    ]
    rows = _select(*(getattr(r, c) for c in columns), where=_public(r), order=r.id)
    return _records("result", columns, rows)


def needs() -> Rows:
    n = TechnologyNeed
    columns = [
        "id",
        "organisation_id",
        "title",
        "problem",
        "field_code",
        "trl_wanted",
        "deadline",
        "published_at",
        "updated_at",
    ]
    rows = _select(*(getattr(n, c) for c in columns), where=_public(n), order=n.id)
    return _records("need", columns, rows)


def startups() -> Rows:
    s = Startup
    columns = ["id", "organisation_id", "name", "stage", "pitch", "published_at", "updated_at"]
    rows = _select(*(getattr(s, c) for c in columns), where=_public(s), order=s.id)
    return _records("startup", columns, rows)


def fund_calls() -> Rows:
    c = FundCall
    columns = [
        "id",
        "title_vi",
        "title_en",
        "description_vi",
        "budget",
        "min_amount",
        "max_amount",
        "cofunding_percent",
        "opens_at",
        "closes_at",
        "state",
        "updated_at",
    ]
    rows = _select(
        *(getattr(c, col) for col in columns), where=[c.state != CallState.draft], order=c.id
    )
    return _records("call", columns, rows)


def fund_awards() -> Rows:
    """Signed funding contracts: the project, the grantee organisation, the amount and date."""
    rows = _select(
        Award.id,
        FundApplication.call_id,
        FundApplication.organisation_id,
        FundApplication.title.label("project_title"),
        Award.contract_number,
        Award.amount,
        Award.signed_on,
        Award.updated_at,
        where=[Award.application_id == FundApplication.id],
        order=Award.id,
    )
    columns = [
        "id",
        "call_id",
        "organisation_id",
        "project_title",
        "contract_number",
        "amount",
        "signed_on",
        "updated_at",
    ]
    return _records("award", columns, rows)


def indicator_values() -> Rows:

    year = today().year
    records = []
    for indicator in all_indicators():
        if not indicator.public:
            continue
        points, _at = figures.series(indicator, "year", year)
        for p in points:
            records.append(
                {
                    "id": f"indicator-{indicator.key}-{p.bucket.key}",
                    "indicator": indicator.key,
                    "label_vi": _vi(indicator.label),
                    "unit": indicator.unit,
                    "period": p.bucket.key,
                    "value": None if p.value.value is None else round(p.value.value, 4),
                    "numerator": p.value.numerator,
                    "denominator": p.value.denominator,
                    "target": p.target,
                }
            )
    columns = [
        "id",
        "indicator",
        "label_vi",
        "unit",
        "period",
        "value",
        "numerator",
        "denominator",
        "target",
    ]
    return columns, records


def _vi(text: Any) -> str:

    with force_locale("vi"):
        return str(text)


def equipment() -> Rows:
    """The shared labs' published equipment with its fee basis (the 2025 Law's disclosure)."""

    columns = [
        "id", "lab_id", "lab", "operator_organisation_id", "name_vi", "name_en", "category",
        "model", "fee_unit", "cost_maintenance", "cost_repair", "cost_operation",
        "cost_depreciation", "unit_cost", "research_rate", "enterprise_rate",
        "training_required", "updated_at",
    ]  # fmt: skip
    rows = [
        {
            "id": e.id,
            "lab_id": e.lab_id,
            "lab": e.lab.name_vi,
            "operator_organisation_id": e.lab.organisation_id,
            "name_vi": e.name_vi,
            "name_en": e.name_en,
            "category": e.category,
            "model": e.model,
            "fee_unit": e.fee_unit,
            "cost_maintenance": e.cost_maintenance,
            "cost_repair": e.cost_repair,
            "cost_operation": e.cost_operation,
            "cost_depreciation": e.cost_depreciation,
            "unit_cost": e.unit_cost,
            "research_rate": e.rate_for(UserKind.research),
            "enterprise_rate": e.rate_for(UserKind.enterprise),
            "training_required": e.training_required,
            "updated_at": e.updated_at,
        }
        for e in published_equipment()
    ]
    return _records("equipment", columns, rows)


def _builtin() -> list[Dataset]:
    return [
        Dataset(
            "organisations",
            _l("Tổ chức"),
            _l(
                "Các tổ chức trong hệ sinh thái: trường, viện, doanh nghiệp, khởi nghiệp, quỹ, cơ quan nhà nước (thông tin công khai)."
            ),
            organisations,
            ("tổ chức", "organisations"),
        ),
        Dataset(
            "results",
            _l("Kết quả nghiên cứu (tóm tắt công khai)"),
            _l(
                "Kết quả nghiên cứu và công nghệ chào bán đã đăng: tên, tóm tắt, lĩnh vực, TRL, tình trạng sở hữu trí tuệ; không gồm phần chi tiết."
            ),
            results,
            ("kết quả nghiên cứu", "research results"),
        ),
        Dataset(
            "needs",
            _l("Nhu cầu công nghệ (tóm tắt công khai)"),
            _l(
                "Nhu cầu công nghệ, bài toán của doanh nghiệp đã đăng: tên, vấn đề, lĩnh vực, TRL mong muốn, hạn chót."
            ),
            needs,
            ("nhu cầu công nghệ", "technology needs"),
        ),
        Dataset(
            "startups",
            _l("Khởi nghiệp"),
            _l("Hồ sơ khởi nghiệp đổi mới sáng tạo đã đăng: tên, giai đoạn, giới thiệu."),
            startups,
            ("khởi nghiệp", "startups"),
        ),
        Dataset(
            "equipment",
            _l("Thiết bị dùng chung và phí sử dụng"),
            _l(
                "Thiết bị của các phòng thí nghiệm dùng chung đã công bố: đơn vị vận hành, loại, model, cơ sở tính phí (bảo trì, sửa chữa, vận hành, khấu hao) và đơn giá theo đối tượng."
            ),
            equipment,
            ("thiết bị dùng chung", "shared equipment"),
        ),
        Dataset(
            "fund-calls",
            _l("Đợt gọi hồ sơ của Quỹ"),
            _l("Các đợt gọi hồ sơ của Quỹ phát triển KH&CN (không gồm bản nháp)."),
            fund_calls,
            ("quỹ", "fund"),
        ),
        Dataset(
            "fund-awards",
            _l("Hợp đồng tài trợ của Quỹ"),
            _l(
                "Các hợp đồng tài trợ đã ký: tên dự án, tổ chức chủ trì, số hợp đồng, số tiền, ngày ký."
            ),
            fund_awards,
            ("quỹ", "awards"),
        ),
        Dataset(
            "indicators",
            _l("Chỉ số đổi mới sáng tạo"),
            _l("Giá trị hằng năm của các chỉ số công khai, kèm tử số, mẫu số và mục tiêu."),
            indicator_values,
            ("chỉ số", "indicators"),
        ),
    ]


def modified(records: list[dict[str, Any]]) -> str:
    """The newest record's change; without change dates (computed indicators), today's date,
    so the document (and its ETag) stays the same through the day."""
    stamps = [r["updated_at"] for r in records if r.get("updated_at")]
    return max(stamps) if stamps else utcnow().date().isoformat()
