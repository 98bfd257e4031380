"""Forms of the task tracker, targets and budget figures (also used by the task import)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, MultipleFileField
from wtforms import FloatField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from ecosystem.core.fields import DateVNField, VNDField
from ecosystem.core.forms import BaseForm
from ecosystem.dashboard.labels import choices
from ecosystem.dashboard.models import TaskKind, TaskSource, TaskStatus


class TaskForm(BaseForm):
    code = StringField(_l("Mã nhiệm vụ"), validators=[DataRequired(), Length(max=32)])
    title = TextAreaField(_l("Nội dung nhiệm vụ"), validators=[DataRequired(), Length(max=500)])
    source = SelectField(_l("Văn bản giao"), validators=[DataRequired()])
    source_ref = StringField(_l("Số, ký hiệu văn bản"), validators=[Optional(), Length(max=200)])
    unit = StringField(_l("Đơn vị chủ trì"), validators=[DataRequired(), Length(max=200)])
    deadline = DateVNField(_l("Thời hạn"))
    kind = SelectField(_l("Loại nhiệm vụ"), validators=[DataRequired()])
    status = SelectField(_l("Tình trạng"), validators=[DataRequired()])
    note = TextAreaField(_l("Ghi chú"), validators=[Optional(), Length(max=5000)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.source.choices = choices(TaskSource)
        self.kind.choices = choices(TaskKind)
        self.status.choices = choices(TaskStatus)

    def validate_deadline(self, field: Any) -> None:
        if field.data is None and not field.errors and self.kind.data == TaskKind.one_off.value:
            raise ValidationError(_("Nhiệm vụ có thời hạn cần ghi thời hạn (dd/mm/yyyy)."))


class TaskEditForm(TaskForm):
    """Editing keeps the status out: it changes only with a progress report (history)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.status


class ReportForm(BaseForm):
    reported_on = DateVNField(_l("Ngày báo cáo"), validators=[InputRequired()])
    status = SelectField(_l("Tình trạng sau báo cáo"), validators=[DataRequired()])
    text = TextAreaField(_l("Nội dung báo cáo"), validators=[DataRequired(), Length(max=5000)])
    evidence_ref = StringField(
        _l("Văn bản minh chứng (số, ký hiệu hoặc địa chỉ)"),
        validators=[Optional(), Length(max=300)],
    )
    files = MultipleFileField(_l("Tệp minh chứng"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.status.choices = choices(TaskStatus)


class TargetForm(BaseForm):
    indicator = SelectField(_l("Chỉ số"), validators=[DataRequired()])
    year = IntegerField(_l("Năm"), validators=[InputRequired(), NumberRange(min=2000, max=2100)])
    value = FloatField(
        _l("Mục tiêu"),
        validators=[
            InputRequired(),
            NumberRange(min=0, message=_l("Mục tiêu không được là số âm.")),
        ],
    )


class BudgetForm(BaseForm):
    year = IntegerField(_l("Năm"), validators=[InputRequired(), NumberRange(min=2000, max=2100)])
    st_spending = VNDField(
        _l("Chi cho KH&CN, ĐMST và chuyển đổi số (₫)"), validators=[InputRequired()]
    )
    total_spending = VNDField(_l("Tổng chi ngân sách thành phố (₫)"), validators=[InputRequired()])
    source = StringField(_l("Nguồn số liệu"), validators=[DataRequired(), Length(max=500)])


class ImportForm(BaseForm):
    file = FileField(_l("Tệp .xlsx hoặc .csv"))
