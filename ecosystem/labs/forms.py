"""Forms of the labs: booking times typed in Huế time, labs, equipment and fees, downtime."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ecosystem.core.fields import DateVNField, VNDField
from ecosystem.core.formatting import LOCAL_TZ
from ecosystem.core.forms import BaseForm

_TIME = re.compile(r"^\s*(\d{1,2})[:hH](\d{2})\s*$")
WEEKDAYS = (
    _l("Thứ Hai"),
    _l("Thứ Ba"),
    _l("Thứ Tư"),
    _l("Thứ Năm"),
    _l("Thứ Sáu"),
    _l("Thứ Bảy"),
    _l("Chủ nhật"),
)


def parse_minutes(text: str) -> int:
    """ "08:30" → 510; "24:00" is the end of the day (1440)."""
    found = _TIME.match(text or "")
    if not found:
        raise ValueError(text)
    hours, minutes = int(found.group(1)), int(found.group(2))
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        raise ValueError(text)
    return hours * 60 + minutes


def local_moment(day: dt.date, minutes: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=LOCAL_TZ) + dt.timedelta(minutes=minutes)


class TimeField(StringField):
    """A time of day typed as HH:MM (24:00 allowed for "midnight, at the end of the day")."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        text = str(valuelist[0]).strip() if valuelist else ""
        if not text:
            return
        try:
            self.data = parse_minutes(text)
        except ValueError:
            raise ValueError(
                _l("Giờ không hợp lệ. Hãy nhập theo dạng HH:MM, ví dụ 08:30.")
            ) from None

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        return f"{self.data // 60:02d}:{self.data % 60:02d}"


class BookingForm(BaseForm):
    start_date = DateVNField(_l("Ngày bắt đầu"), validators=[DataRequired()])
    start_time = TimeField(_l("Giờ bắt đầu"), validators=[InputRequired()])
    end_date = DateVNField(_l("Ngày kết thúc (nếu khác ngày bắt đầu)"), validators=[Optional()])
    end_time = TimeField(_l("Giờ kết thúc"), validators=[InputRequired()])
    samples = IntegerField(_l("Số mẫu"), validators=[Optional(), NumberRange(min=0, max=100000)])
    organisation_id = SelectField(
        _l("Tổ chức trả phí"), coerce=int, validate_choice=True, validators=[Optional()]
    )
    purpose = TextAreaField(_l("Mục đích sử dụng"), validators=[Optional(), Length(max=500)])
    award_id = SelectField(
        _l("Phục vụ dự án được Quỹ tài trợ (nếu có)"),
        coerce=int,
        validate_choice=True,
        validators=[Optional()],
    )
    result_id = SelectField(
        _l("Phục vụ kết quả nghiên cứu (nếu có)"),
        coerce=int,
        validate_choice=True,
        validators=[Optional()],
    )

    def moments(self) -> tuple[dt.datetime, dt.datetime]:
        start = local_moment(self.start_date.data, self.start_time.data)
        end = local_moment(self.end_date.data or self.start_date.data, self.end_time.data)
        return start, end


class ReasonForm(BaseForm):
    reason = TextAreaField(_l("Lý do"), validators=[Optional(), Length(max=500)])
    samples = IntegerField(_l("Số mẫu"), validators=[Optional(), NumberRange(min=0, max=100000)])


class DowntimeForm(BaseForm):
    kind = SelectField(
        _l("Loại"),
        choices=[("maintenance", _l("Bảo trì")), ("breakdown", _l("Sự cố, hỏng hóc"))],
    )
    start_date = DateVNField(_l("Từ ngày"), validators=[DataRequired()])
    start_time = TimeField(_l("Từ giờ"), validators=[InputRequired()])
    end_date = DateVNField(_l("Đến ngày"), validators=[DataRequired()])
    end_time = TimeField(_l("Đến giờ"), validators=[InputRequired()])
    note = StringField(_l("Ghi chú"), validators=[Optional(), Length(max=500)])

    def moments(self) -> tuple[dt.datetime, dt.datetime]:
        return (
            local_moment(self.start_date.data, self.start_time.data),
            local_moment(self.end_date.data, self.end_time.data),
        )


class AuthorisationForm(BaseForm):
    email = StringField(
        _l("E-mail người được cấp quyền"), validators=[DataRequired(), Length(max=254)]
    )
    expires_on = DateVNField(_l("Hiệu lực đến ngày"), validators=[DataRequired()])
    note = StringField(_l("Ghi chú (buổi đào tạo)"), validators=[Optional(), Length(max=300)])


class LabForm(BaseForm):
    organisation_id = SelectField(_l("Đơn vị vận hành"), coerce=int, validate_choice=True)
    name_vi = StringField(_l("Tên (tiếng Việt)"), validators=[DataRequired(), Length(max=300)])
    name_en = StringField(_l("Tên (tiếng Anh)"), validators=[Optional(), Length(max=300)])
    address = StringField(_l("Địa chỉ"), validators=[Optional(), Length(max=300)])
    contact_email = StringField(_l("E-mail liên hệ"), validators=[Optional(), Length(max=254)])
    manager_email = StringField(
        _l("E-mail người quản lý phòng thí nghiệm"), validators=[Optional(), Length(max=254)]
    )
    rules_vi = TextAreaField(_l("Nội quy (tiếng Việt)"), validators=[Optional(), Length(max=5000)])
    rules_en = TextAreaField(_l("Nội quy (tiếng Anh)"), validators=[Optional(), Length(max=5000)])
    is_published = BooleanField(_l("Công khai trên danh mục"), default=True)


def hours_from(form_data: Any) -> dict[str, Any]:
    """Opening hours from the seven "HH:MM-HH:MM" inputs (empty: closed)."""
    hours: dict[str, Any] = {}
    for day in range(7):
        text = (form_data.get(f"hours_{day}") or "").strip()
        if not text:
            hours[str(day)] = None
            continue
        parts = text.replace("–", "-").split("-")
        if len(parts) != 2:
            raise ValueError(day)
        opens, closes = parse_minutes(parts[0]), parse_minutes(parts[1])
        if opens >= closes:
            raise ValueError(day)
        hours[str(day)] = [opens, closes]
    return hours


def hours_text(hours: list[int] | None) -> str:
    if not hours:
        return ""
    return "-".join(f"{m // 60:02d}:{m % 60:02d}" for m in hours)


class EquipmentForm(BaseForm):
    name_vi = StringField(
        _l("Tên thiết bị (tiếng Việt)"), validators=[DataRequired(), Length(max=300)]
    )
    name_en = StringField(_l("Tên thiết bị (tiếng Anh)"), validators=[Optional(), Length(max=300)])
    category = StringField(_l("Loại thiết bị"), validators=[Optional(), Length(max=100)])
    field_code = SelectField(_l("Lĩnh vực"), validators=[Optional()])
    model = StringField(_l("Model, hãng sản xuất"), validators=[Optional(), Length(max=200)])
    specifications = TextAreaField(
        _l("Thông số kỹ thuật"), validators=[Optional(), Length(max=5000)]
    )
    photo_url = StringField(_l("Ảnh (đường dẫn)"), validators=[Optional(), Length(max=300)])
    location = StringField(_l("Vị trí đặt thiết bị"), validators=[Optional(), Length(max=200)])
    fee_unit = SelectField(
        _l("Đơn vị tính phí"), choices=[("hour", _l("Theo giờ")), ("sample", _l("Theo mẫu"))]
    )
    cost_maintenance = VNDField(_l("Chi phí bảo trì / đơn vị"))
    cost_repair = VNDField(_l("Chi phí sửa chữa / đơn vị"))
    cost_operation = VNDField(_l("Chi phí vận hành / đơn vị"))
    cost_depreciation = VNDField(_l("Khấu hao / đơn vị"))
    research_rate = VNDField(_l("Đơn giá cho đơn vị nghiên cứu (để trống: theo chi phí)"))
    enterprise_rate = VNDField(_l("Đơn giá cho doanh nghiệp (để trống: theo chi phí)"))
    training_required = BooleanField(_l("Cần đào tạo và cấp quyền trước khi sử dụng"))
    approval_required = BooleanField(_l("Lượt đặt cần người quản lý phê duyệt"), default=True)
    min_minutes = IntegerField(
        _l("Thời lượng tối thiểu (phút)"),
        default=30,
        validators=[DataRequired(), NumberRange(min=1, max=100000)],
    )
    max_minutes = IntegerField(
        _l("Thời lượng tối đa (phút)"),
        default=480,
        validators=[DataRequired(), NumberRange(min=1, max=100000)],
    )
    lead_hours = IntegerField(
        _l("Đặt trước ít nhất (giờ)"),
        default=0,
        validators=[Optional(), NumberRange(min=0, max=10000)],
    )
    is_active = BooleanField(_l("Đang nhận đặt lịch"), default=True)

    def values(self) -> dict[str, Any]:
        data = {
            name: self[name].data
            for name in (
                "name_vi",
                "name_en",
                "category",
                "model",
                "specifications",
                "photo_url",
                "location",
                "fee_unit",
                "research_rate",
                "enterprise_rate",
                "training_required",
                "approval_required",
                "min_minutes",
                "max_minutes",
                "is_active",
            )
        }
        for name in ("cost_maintenance", "cost_repair", "cost_operation", "cost_depreciation"):
            data[name] = self[name].data or 0
        data["lead_hours"] = self.lead_hours.data or 0
        data["field_code"] = self.field_code.data or None
        for name in ("name_en", "category", "model", "specifications", "photo_url", "location"):
            data[name] = data[name] or ""
        return data
