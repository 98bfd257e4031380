"""Registry forms. Each error is shown next to its field, in the user's language."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import (
    URL,
    DataRequired,
    Email,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from ecosystem.core.fields import DateVNField, ListField, VNDField
from ecosystem.core.forms import BaseForm
from ecosystem.extensions import db
from ecosystem.registry.enums import (
    PROVINCES,
    TRL_DEFINITIONS,
    TRL_RANGE_MESSAGE,
    Confidentiality,
    IPStatus,
    OrgKind,
    StartupStage,
    choices,
    is_trl,
    province_label,
)
from ecosystem.registry.identifiers import normalize_orcid, normalize_ror, normalize_tax_code
from ecosystem.registry.models import ResearchField


def field_choices() -> list[tuple[str, str]]:
    locale = str(get_locale() or "vi")
    fields = db.session.scalars(select(ResearchField).order_by(ResearchField.code)).all()
    return [(f.code, f.name(locale)) for f in fields]


def trl_choices() -> list[tuple[int, str]]:
    return [(level, str(text)) for level, text in TRL_DEFINITIONS.items()]


def _tax_code(form: BaseForm, field: StringField) -> None:
    if field.data:
        normalized = normalize_tax_code(field.data)
        if normalized is None:
            raise ValidationError(
                _l(
                    "Mã số thuế không hợp lệ: cần 10 chữ số (hoặc 10 số + '-' + 3 số chi nhánh) với chữ số kiểm tra đúng."
                )
            )
        field.data = normalized


def _orcid(form: BaseForm, field: StringField) -> None:
    if field.data:
        normalized = normalize_orcid(field.data)
        if normalized is None:
            raise ValidationError(
                _l("ORCID không hợp lệ: dạng 0000-0002-1825-0097 với ký tự kiểm tra đúng.")
            )
        field.data = normalized


def _ror(form: BaseForm, field: StringField) -> None:
    if field.data:
        normalized = normalize_ror(field.data)
        if normalized is None:
            raise ValidationError(_l("Mã ROR không hợp lệ (ví dụ: 05dxps055)."))
        field.data = normalized


def _not_past(form: BaseForm, field: DateVNField) -> None:
    if field.data and field.data < dt.date.today():
        raise ValidationError(_l("Hạn chót không được ở trong quá khứ."))


def _known_field(form: BaseForm, field: SelectField) -> None:
    """Taxonomy codes are checked here (not by the select) to name the problem clearly."""
    valid = {code for code, _ in field.choices}
    values = field.data if isinstance(field.data, list) else [field.data]
    if any(v not in valid for v in values if v):
        raise ValidationError(_l("Lĩnh vực không có trong danh mục."))


def _level(value: Any) -> int:
    """A TRL as typed; anything but a whole number becomes 0, refused as out of range
    (instead of WTForms' vague "not a valid choice")."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _optional_url() -> list[Any]:
    return [
        Optional(),
        URL(require_tld=False, message=_l("Địa chỉ web phải bắt đầu bằng http:// hoặc https://")),
        Length(max=300),
    ]


class OrganisationForm(BaseForm):
    kind = SelectField(_l("Loại tổ chức"), choices=[])
    name_vi = StringField(_l("Tên tiếng Việt"), validators=[DataRequired(), Length(max=300)])
    name_en = StringField(_l("Tên tiếng Anh"), validators=[Optional(), Length(max=300)])
    short_name = StringField(_l("Tên viết tắt"), validators=[Optional(), Length(max=50)])
    tax_code = StringField(_l("Mã số thuế"), validators=[Optional(), _tax_code])
    ror_id = StringField(_l("Mã ROR"), validators=[Optional(), _ror])
    province = SelectField(
        _l("Tỉnh/thành phố"), choices=lambda: [(p, province_label(p)) for p in PROVINCES]
    )
    address = StringField(_l("Địa chỉ"), validators=[Optional(), Length(max=300)])
    website = StringField(_l("Trang web"), validators=_optional_url())
    description = TextAreaField(_l("Giới thiệu"), validators=[Optional(), Length(max=5000)])
    confirm_new = BooleanField(
        _l("Tôi đã kiểm tra: đây là một tổ chức khác, chưa có trên nền tảng")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = choices(OrgKind)


class PersonForm(BaseForm):
    honorific = SelectField(
        _l("Học hàm, học vị"),
        choices=[
            ("", "—"),
            ("GS.TS.", "GS.TS."),
            ("PGS.TS.", "PGS.TS."),
            ("TS.", "TS."),
            ("ThS.", "ThS."),
            ("KS.", "KS."),
            ("BS.", "BS."),
            ("CN.", "CN."),
        ],
    )
    full_name = StringField(_l("Họ và tên"), validators=[DataRequired(), Length(max=200)])
    email = StringField(
        _l("E-mail"), validators=[Optional(), Email(check_deliverability=False), Length(max=254)]
    )
    phone = StringField(_l("Điện thoại"), validators=[Optional(), Length(max=30)])
    orcid = StringField(_l("ORCID"), validators=[Optional(), _orcid])
    expertise = ListField(_l("Chuyên môn (từ khóa, cách nhau bằng dấu phẩy)"))
    bio = TextAreaField(_l("Giới thiệu"), validators=[Optional(), Length(max=5000)])
    organisation_id = SelectField(_l("Đơn vị công tác"), coerce=int, choices=[])
    position = StringField(_l("Chức vụ"), validators=[Optional(), Length(max=200)])
    confirm_new = BooleanField(_l("Tôi đã kiểm tra: đây là một người khác, chưa có trên nền tảng"))


class GroupForm(BaseForm):
    organisation_id = SelectField(_l("Tổ chức"), coerce=int, choices=[])
    name_vi = StringField(_l("Tên nhóm (tiếng Việt)"), validators=[DataRequired(), Length(max=300)])
    name_en = StringField(_l("Tên nhóm (tiếng Anh)"), validators=[Optional(), Length(max=300)])
    description = TextAreaField(_l("Giới thiệu"), validators=[Optional(), Length(max=5000)])
    field_codes = SelectMultipleField(
        _l("Lĩnh vực"), choices=[], validators=[_known_field], validate_choice=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.field_codes.choices = field_choices()


class ListingForm(BaseForm):
    """Fields every listing has: its owning organisation."""

    organisation_id = SelectField(_l("Tổ chức sở hữu"), coerce=int, choices=[])


class ResultForm(ListingForm):
    title = StringField(_l("Tên kết quả / công nghệ"), validators=[DataRequired(), Length(max=300)])
    summary = TextAreaField(_l("Tóm tắt công khai"), validators=[DataRequired(), Length(max=3000)])
    details = TextAreaField(_l("Mô tả chi tiết"), validators=[Optional(), Length(max=20000)])
    field_code = SelectField(
        _l("Lĩnh vực"), choices=[], validators=[DataRequired(), _known_field], validate_choice=False
    )
    keywords = ListField(_l("Từ khóa (cách nhau bằng dấu phẩy)"))
    trl = SelectField(
        _l("Mức sẵn sàng công nghệ (TRL)"),
        coerce=_level,
        choices=[],
        validators=[InputRequired()],
        validate_choice=False,  # validate_trl names the problem
    )
    ip_status = SelectField(_l("Tình trạng sở hữu trí tuệ"), choices=[])
    confidentiality = SelectField(_l("Mức bảo mật"), choices=[])
    group_id = SelectField(_l("Nhóm nghiên cứu"), coerce=int, choices=[])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.field_code.choices = field_choices()
        self.trl.choices = trl_choices()
        self.ip_status.choices = choices(IPStatus)
        self.confidentiality.choices = choices(Confidentiality)

    def validate_trl(self, field: SelectField) -> None:
        _check_trl(field)


def _check_trl(field: SelectField) -> None:
    if not is_trl(field.data):
        raise ValidationError(TRL_RANGE_MESSAGE)


class NeedForm(ListingForm):
    title = StringField(_l("Tên nhu cầu / bài toán"), validators=[DataRequired(), Length(max=300)])
    problem = TextAreaField(_l("Mô tả vấn đề"), validators=[DataRequired(), Length(max=5000)])
    expected_outcome = TextAreaField(
        _l("Kết quả mong muốn"), validators=[Optional(), Length(max=3000)]
    )
    field_code = SelectField(
        _l("Lĩnh vực"), choices=[], validators=[DataRequired(), _known_field], validate_choice=False
    )
    trl_wanted = SelectField(
        _l("TRL tối thiểu mong muốn"),
        coerce=_level,
        choices=[],
        validators=[InputRequired()],
        validate_choice=False,  # validate_trl_wanted names the problem
    )
    budget_min = VNDField(_l("Ngân sách từ (₫)"))
    budget_max = VNDField(_l("Ngân sách đến (₫)"))
    deadline = DateVNField(_l("Hạn chót (dd/mm/yyyy)"), validators=[_not_past])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.field_code.choices = field_choices()
        self.trl_wanted.choices = trl_choices()

    def validate_trl_wanted(self, field: SelectField) -> None:
        _check_trl(field)

    def validate_budget_max(self, field: VNDField) -> None:
        if (
            field.data is not None
            and self.budget_min.data is not None
            and self.budget_min.data > field.data
        ):
            raise ValidationError(_l("Ngân sách tối thiểu không được lớn hơn ngân sách tối đa."))


class StartupForm(ListingForm):
    name = StringField(_l("Tên khởi nghiệp"), validators=[DataRequired(), Length(max=200)])
    stage = SelectField(_l("Giai đoạn"), choices=[])
    sector_codes = SelectMultipleField(
        _l("Lĩnh vực"), choices=[], validators=[_known_field], validate_choice=False
    )
    funding_sought = VNDField(_l("Vốn cần gọi (₫)"))
    pitch = TextAreaField(
        _l("Giới thiệu ngắn (pitch)"), validators=[DataRequired(), Length(max=5000)]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stage.choices = choices(StartupStage)
        self.sector_codes.choices = field_choices()


class InvestorForm(ListingForm):
    name = StringField(_l("Tên nhà đầu tư / quỹ"), validators=[DataRequired(), Length(max=200)])
    thesis = TextAreaField(_l("Chiến lược đầu tư"), validators=[DataRequired(), Length(max=5000)])
    sector_codes = SelectMultipleField(
        _l("Lĩnh vực quan tâm"), choices=[], validators=[_known_field], validate_choice=False
    )
    stages = SelectMultipleField(
        _l("Giai đoạn đầu tư"),
        choices=[],
        # WTForms' own message for a multiple select is English only.
        invalid_choice_message=_l("Lựa chọn không hợp lệ."),
    )
    ticket_min = VNDField(_l("Khoản đầu tư từ (₫)"))
    ticket_max = VNDField(_l("Khoản đầu tư đến (₫)"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sector_codes.choices = field_choices()
        self.stages.choices = choices(StartupStage)

    def validate_ticket_max(self, field: VNDField) -> None:
        if (
            field.data is not None
            and self.ticket_min.data is not None
            and self.ticket_min.data > field.data
        ):
            raise ValidationError(_l("Khoản đầu tư tối thiểu không được lớn hơn tối đa."))


class HideForm(BaseForm):
    reason = TextAreaField(
        _l("Lý do ẩn (gửi cho chủ hồ sơ)"), validators=[DataRequired(), Length(max=500)]
    )
