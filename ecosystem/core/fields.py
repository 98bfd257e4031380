"""Form fields for Vietnamese input: money in VND, dates dd/mm/yyyy, keyword lists."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import StringField

from ecosystem.core.formatting import MAX_VND, format_date, format_number, parse_date, parse_vnd


class VNDField(StringField):
    """Accepts 1.234.567, 1 234 567, 1,234,567 or 1234567 (₫/VND optional)."""

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return format_number(self.data) if self.data is not None else ""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        if valuelist and str(valuelist[0]).strip():
            try:
                self.data = parse_vnd(str(valuelist[0]))
            except ValueError:
                raise ValueError(_l("Số tiền không hợp lệ. Ví dụ: 150.000.000")) from None
            if self.data > MAX_VND:
                self.data = None
                raise ValueError(_l("Số tiền quá lớn."))


class DateVNField(StringField):
    """A date typed as dd/mm/yyyy (also accepts yyyy-mm-dd from date pickers)."""

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return format_date(self.data) if self.data else ""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        text = str(valuelist[0]).strip() if valuelist else ""
        if not text:
            return
        try:
            self.data = parse_date(text)
        except ValueError:
            raise ValueError(_l("Ngày không hợp lệ. Hãy nhập theo dạng dd/mm/yyyy.")) from None


class ListField(StringField):
    """Comma- or semicolon-separated words, kept in order without duplicates."""

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return ", ".join(self.data or [])

    def process_formdata(self, valuelist: list[Any]) -> None:
        text = str(valuelist[0]) if valuelist else ""
        seen: dict[str, None] = {}
        for part in text.replace(";", ",").split(","):
            part = " ".join(part.split())
            if part and part.casefold() not in {k.casefold() for k in seen}:
                seen[part[:80]] = None
        self.data = list(seen)[:30]
