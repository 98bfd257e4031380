"""Forms of the fund: a call's rules, an application's content, a decision."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ecosystem.core.fields import DateVNField, VNDField
from ecosystem.core.forms import BaseForm
from ecosystem.core.text import strip_diacritics
from ecosystem.registry.enums import OrgKind
from ecosystem.registry.forms import field_choices

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
_SLUG = re.compile(r"[^a-z0-9]+")


def local_to_utc(day: dt.date, time: dt.time) -> dt.datetime:
    """A date and time as Huế reads them, stored in UTC."""
    return dt.datetime.combine(day, time, tzinfo=LOCAL).astimezone(dt.UTC)


def _key(label: str, index: int) -> str:
    slug = _SLUG.sub("-", strip_diacritics(label).lower()).strip("-")[:40]
    return slug or f"item-{index}"


def parse_lines(text: str) -> list[list[str]]:
    """Lines of ``a | b | c`` as lists of trimmed cells; blank lines skipped."""
    return [
        [cell.strip() for cell in line.split("|")] for line in text.splitlines() if line.strip()
    ]


class CallForm(BaseForm):
    title_vi = StringField(
        _l("Tên đợt gọi (tiếng Việt)"), validators=[DataRequired(), Length(max=300)]
    )
    title_en = StringField(_l("Tên đợt gọi (tiếng Anh)"), validators=[Optional(), Length(max=300)])
    description_vi = TextAreaField(
        _l("Mô tả (tiếng Việt)"), validators=[Optional(), Length(max=20000)]
    )
    description_en = TextAreaField(
        _l("Mô tả (tiếng Anh)"), validators=[Optional(), Length(max=20000)]
    )
    budget = VNDField(_l("Tổng kinh phí (₫)"), validators=[InputRequired()])
    min_amount = VNDField(_l("Mức tối thiểu mỗi hồ sơ (₫)"), validators=[Optional()])
    max_amount = VNDField(_l("Mức tối đa mỗi hồ sơ (₫)"), validators=[InputRequired()])
    cofunding_percent = IntegerField(
        _l("Tỷ lệ vốn đối ứng tối thiểu (%)"), default=0, validators=[NumberRange(0, 100)]
    )
    opens_on = DateVNField(_l("Ngày mở"), validators=[InputRequired()])
    closes_on = DateVNField(_l("Hạn nộp (hết ngày, giờ Việt Nam)"), validators=[InputRequired()])
    eligible_kinds = SelectMultipleField(_l("Loại tổ chức được nộp"), choices=[])
    field_codes = SelectMultipleField(_l("Lĩnh vực"), choices=[], validate_choice=False)
    trl_min = IntegerField(_l("TRL từ"), default=1, validators=[NumberRange(1, 9)])
    trl_max = IntegerField(_l("TRL đến"), default=9, validators=[NumberRange(1, 9)])
    three_party = BooleanField(_l("Đợt gọi “3 nhà”: cần doanh nghiệp và tổ chức nghiên cứu"))
    required_documents = TextAreaField(
        _l("Tài liệu bắt buộc (mỗi dòng một tài liệu)"), validators=[Optional(), Length(max=5000)]
    )
    questions = TextAreaField(
        _l(
            "Câu hỏi (mỗi dòng: câu hỏi | text/number/choice/file | lựa chọn cách nhau bởi dấu phẩy | bắt buộc)"
        ),
        validators=[Optional(), Length(max=10000)],
    )
    rubric = TextAreaField(
        _l("Tiêu chí chấm (mỗi dòng: tiêu chí | trọng số)"),
        validators=[DataRequired(), Length(max=5000)],
    )
    score_max = IntegerField(_l("Thang điểm tối đa"), default=5, validators=[NumberRange(2, 100)])
    reviewers_per_application = IntegerField(
        _l("Số chuyên gia mỗi hồ sơ"), default=3, validators=[NumberRange(1, 10)]
    )
    reviewer_load_limit = IntegerField(
        _l("Số hồ sơ tối đa mỗi chuyên gia"), default=10, validators=[NumberRange(1, 500)]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.eligible_kinds.choices = [(k.value, k.value) for k in OrgKind]
        self.field_codes.choices = field_choices()

    def rules(self) -> dict[str, Any]:
        data = {
            name: self[name].data
            for name in [
                "title_vi",
                "title_en",
                "description_vi",
                "description_en",
                "budget",
                "max_amount",
                "cofunding_percent",
                "eligible_kinds",
                "field_codes",
                "trl_min",
                "trl_max",
                "three_party",
                "score_max",
                "reviewers_per_application",
                "reviewer_load_limit",
            ]
        }
        data["min_amount"] = self.min_amount.data or 0
        data["opens_at"] = local_to_utc(self.opens_on.data, dt.time.min)
        # "Until the end of the day": the call closes at the next local midnight.
        data["closes_at"] = local_to_utc(self.closes_on.data + dt.timedelta(days=1), dt.time.min)
        data["required_documents"] = [
            {"key": _key(cells[0], i), "label_vi": cells[0], "label_en": cells[0]}
            for i, cells in enumerate(parse_lines(self.required_documents.data or ""))
        ]
        data["questions"] = [
            {
                "key": _key(cells[0], i),
                "label_vi": cells[0],
                "label_en": cells[0],
                "type": (cells[1] if len(cells) > 1 and cells[1] else "text"),
                "choices": [c.strip() for c in cells[2].split(",") if c.strip()]
                if len(cells) > 2
                else [],
                "required": len(cells) > 3 and cells[3].lower() not in {"", "0", "no", "không"},
            }
            for i, cells in enumerate(parse_lines(self.questions.data or ""))
        ]
        data["rubric"] = [
            {
                "key": _key(cells[0], i),
                "label_vi": cells[0],
                "label_en": cells[0],
                "weight": _weight(cells),
            }
            for i, cells in enumerate(parse_lines(self.rubric.data or ""))
        ]
        return data


def _weight(cells: list[str]) -> float:
    try:
        return float(cells[1].replace(",", ".")) if len(cells) > 1 else 1.0
    except ValueError:
        return 0.0  # refused by the call's rules with a clear message


class StartApplicationForm(BaseForm):
    organisation_id = SelectField(_l("Tổ chức chủ trì"), coerce=int, choices=[])
    title = StringField(_l("Tên dự án"), validators=[DataRequired(), Length(max=300)])


BUDGET_ROWS = 8


class ApplicationForm(BaseForm):
    title = StringField(_l("Tên dự án"), validators=[DataRequired(), Length(max=300)])
    summary = TextAreaField(_l("Tóm tắt"), validators=[Optional(), Length(max=20000)])
    field_code = SelectField(_l("Lĩnh vực"), choices=[], validate_choice=False)
    trl = IntegerField(
        _l("Mức sẵn sàng công nghệ (TRL)"), validators=[Optional(), NumberRange(1, 9)]
    )
    requested_amount = VNDField(_l("Kinh phí đề nghị Quỹ hỗ trợ (₫)"), validators=[Optional()])
    cofunding_amount = VNDField(_l("Vốn đối ứng (₫)"), validators=[Optional()])
    partner_ids = SelectMultipleField(
        _l("Tổ chức phối hợp"), coerce=int, choices=[], validate_choice=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.field_code.choices = [("", "—"), *field_choices()]


class DecisionForm(BaseForm):
    reason = TextAreaField(_l("Lý do"), validators=[DataRequired(), Length(max=5000)])
    amount = VNDField(_l("Kinh phí phê duyệt (₫)"), validators=[Optional()])
    reply_days = IntegerField(
        _l("Hạn trả lời (số ngày)"), default=14, validators=[Optional(), NumberRange(1, 90)]
    )


MILESTONE_ROWS = 6


class ContractForm(BaseForm):
    contract_number = StringField(_l("Số hợp đồng"), validators=[DataRequired(), Length(max=64)])
    signed_on = DateVNField(_l("Ngày ký"), validators=[InputRequired()])
    amount = VNDField(_l("Giá trị hợp đồng (₫)"), validators=[InputRequired()])
    cofunding = VNDField(_l("Vốn đối ứng (₫)"), validators=[Optional()])


class DisbursementForm(BaseForm):
    amount = VNDField(_l("Số tiền (₫)"), validators=[InputRequired()])
    paid_on = DateVNField(_l("Ngày chi"), validators=[InputRequired()])
    reference = StringField(_l("Số chứng từ"), validators=[DataRequired(), Length(max=100)])


class WriteOffForm(BaseForm):
    amount = VNDField(_l("Số tiền tổn thất (₫)"), validators=[InputRequired()])
    on = DateVNField(_l("Ngày ghi nhận"), validators=[InputRequired()])
    reason = TextAreaField(_l("Lý do"), validators=[DataRequired(), Length(max=5000)])
