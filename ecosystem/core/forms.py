"""Form base class: WTForms' built-in messages in the user's language.

WTForms ships no Vietnamese catalogue, so its English messages are mapped to our own
translated strings here, and every form gets them through ``Meta.get_translations``.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from flask_wtf import FlaskForm

from ecosystem.core.messages import SourcedText
from ecosystem.core.text import has_invalid_characters

_MESSAGES: dict[str, Any] = {
    "This field is required.": _l("Vui lòng điền thông tin này."),
    "Invalid input.": _l("Giá trị không hợp lệ."),
    "Invalid email address.": _l("Địa chỉ e-mail không hợp lệ."),
    "Invalid URL.": _l("Địa chỉ web không hợp lệ."),
    "Not a valid choice.": _l("Lựa chọn không hợp lệ."),
    "Invalid Choice: could not coerce.": _l("Lựa chọn không hợp lệ."),
    "Invalid choice(s): one or more data inputs could not be coerced.": _l(
        "Có lựa chọn không hợp lệ."
    ),
    "Not a valid date value.": _l("Ngày không hợp lệ (dd/mm/yyyy)."),
    "Not a valid datetime value.": _l("Thời điểm không hợp lệ."),
    "Not a valid time value.": _l("Giờ không hợp lệ."),
    "Not a valid integer value.": _l("Vui lòng nhập một số nguyên."),
    "Not a valid decimal value.": _l("Vui lòng nhập một số."),
    "Not a valid float value.": _l("Vui lòng nhập một số."),
    "Number must be at least %(min)s.": _l("Giá trị phải từ %(min)s trở lên."),
    "Number must be at most %(max)s.": _l("Giá trị tối đa là %(max)s."),
    "Number must be between %(min)s and %(max)s.": _l(
        "Giá trị phải trong khoảng %(min)s đến %(max)s."
    ),
    "Field must be between %(min)d and %(max)d characters long.": _l(
        "Độ dài phải từ %(min)d đến %(max)d ký tự."
    ),
    "Field must be equal to %(other_name)s.": _l("Giá trị phải khớp với trường %(other_name)s."),
    "Invalid CSRF Token.": _l("Phiên biểu mẫu không hợp lệ. Hãy tải lại trang."),
    "CSRF token missing.": _l("Phiên biểu mẫu không hợp lệ. Hãy tải lại trang."),
    "CSRF failed.": _l("Phiên biểu mẫu không hợp lệ. Hãy tải lại trang."),
    "CSRF token expired.": _l("Phiên biểu mẫu đã hết hạn. Hãy tải lại trang."),
    "File type not allowed.": _l("Loại tệp không được phép."),
}
_PLURALS: dict[str, Any] = {
    "Field must be at least %(min)d character long.": lambda n: lazy_ngettext(
        "Cần ít nhất %(num)d ký tự.", "Cần ít nhất %(num)d ký tự.", n
    ),
    "Field cannot be longer than %(max)d character.": lambda n: lazy_ngettext(
        "Không được dài quá %(num)d ký tự.", "Không được dài quá %(num)d ký tự.", n
    ),
    "Field must be exactly %(max)d character long.": lambda n: lazy_ngettext(
        "Phải đúng %(num)d ký tự.", "Phải đúng %(num)d ký tự.", n
    ),
}


class _Translations:
    """The translated text remembers its msgid (``SourcedText``): an import stores its
    rejected rows' reasons as data and words them in the reader's language later."""

    def gettext(self, string: str) -> str:
        message = _MESSAGES.get(string)
        return string if message is None else SourcedText(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        make = _PLURALS.get(singular)
        if make is None:
            return singular if n == 1 else plural
        # WTForms formats the result with %(min)d/%(max)d afterwards; ours already has the
        # number and no placeholder of theirs, which SourcedText's formatting leaves alone.
        return SourcedText(make(n))


_TRANSLATIONS = _Translations()
INVALID_TEXT = _l("Chứa ký tự không hợp lệ (ký tự NUL hoặc mã Unicode lỗi). Hãy nhập lại.")


def _submitted_text(value: Any) -> str:
    """The text a browser or a caller sent for one value (an upload: its file name)."""
    if isinstance(value, str):
        return value
    return getattr(value, "filename", None) or ""


class BaseForm(FlaskForm):
    """Every form of the platform: translated messages, and text that cannot be stored
    refused on the field it came in (pages, the API and imports all validate with forms)."""

    class Meta(FlaskForm.Meta):
        def get_translations(self, form: Any) -> _Translations:
            return _TRANSLATIONS

    def process(self, formdata: Any = None, obj: Any = None, data: Any = None, **kwargs: Any):
        super().process(formdata, obj, data=data, **kwargs)
        # A processing error fails validation and comes first among the field's messages,
        # before the field's own validators run on the value (a length, a checksum…).
        for field in self:
            if any(
                has_invalid_characters(_submitted_text(v))
                for v in getattr(field, "raw_data", None) or ()
            ):
                field.process_errors.append(INVALID_TEXT)


def first_errors(form: FlaskForm) -> dict[str, str]:
    """One message per field, for JSON answers and tests."""
    return {name: str(errors[0]) for name, errors in form.errors.items() if errors}
