"""Account forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from ecosystem.auth.passwords import password_problem
from ecosystem.core.forms import BaseForm

LANGUAGE_CHOICES = [("vi", "Tiếng Việt"), ("en", "English")]


def _password_strength(form: BaseForm, field: PasswordField) -> None:
    problem = password_problem(field.data or "")
    if problem:
        raise ValidationError(problem)


def _new_password(label: object) -> PasswordField:
    return PasswordField(label, validators=[DataRequired(), _password_strength, Length(max=200)])


def _confirm() -> PasswordField:
    return PasswordField(
        _l("Nhập lại mật khẩu"),
        validators=[DataRequired(), EqualTo("password", message=_l("Hai mật khẩu không khớp."))],
    )


class RegisterForm(BaseForm):
    full_name = StringField(_l("Họ và tên"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
    )
    password = _new_password(_l("Mật khẩu"))
    confirm = _confirm()


class LoginForm(BaseForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Mật khẩu"), validators=[DataRequired(), Length(max=200)])
    next = HiddenField()


class ResetRequestForm(BaseForm):
    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
    )


class ResetPasswordForm(BaseForm):
    password = _new_password(_l("Mật khẩu mới"))
    confirm = _confirm()


class ChangePasswordForm(BaseForm):
    current = PasswordField(_l("Mật khẩu hiện tại"), validators=[DataRequired()])
    password = _new_password(_l("Mật khẩu mới"))
    confirm = _confirm()


class ProfileForm(BaseForm):
    full_name = StringField(_l("Họ và tên"), validators=[DataRequired(), Length(max=200)])
    locale = SelectField(_l("Ngôn ngữ"), choices=LANGUAGE_CHOICES)
    digest_opt_out = BooleanField(_l("Không nhận thư tổng hợp gợi ý hằng tuần"))


class JoinOrganisationForm(BaseForm):
    message = TextAreaField(_l("Lời nhắn cho quản trị tổ chức"), validators=[Length(max=500)])


class ResendVerificationForm(BaseForm):
    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
    )
