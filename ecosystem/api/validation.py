"""Request bodies: JSON types first, then the same form rules as the pages.

Reusing the page forms means the API can never accept what a page would refuse
(checksums, TRL, budgets, deadlines, taxonomy codes).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from ecosystem.api.schemas import RESOURCES, Field, Problems
from ecosystem.core.forms import INVALID_TEXT
from ecosystem.core.text import has_invalid_characters

LIST_AS_TEXT = {"keywords", "expertise"}  # comma-separated text fields in the forms


def check_types(kind: str, body: Any, *, partial: bool) -> tuple[dict[str, Any], Problems]:
    problems = Problems()
    if not isinstance(body, dict):
        problems.add("body", _("Nội dung phải là một đối tượng JSON."))
        return {}, problems
    # Anywhere in the body, known member or not: nothing of it may reach the database.
    for name, value in body.items():
        if _holds_invalid_text(value):
            problems.add(name, str(INVALID_TEXT))
        elif _holds_invalid_text(name):
            problems.add("body", str(INVALID_TEXT))
    if problems.fields:
        return {}, problems
    values: dict[str, Any] = {}
    for spec in RESOURCES[kind]:
        if spec.read_only:
            continue
        if spec.name not in body:
            if spec.required and not partial:
                problems.add(spec.name, _("Trường này là bắt buộc."))
            continue
        message = _type_problem(spec, body[spec.name])
        if message:
            problems.add(spec.name, message)
        else:
            values[spec.name] = body[spec.name]
    return values, problems


def _type_problem(spec: Field, value: Any) -> str | None:
    if value is None:
        return None if spec.nullable else _("Không được để trống (null).")
    checker = _TYPE_CHECKERS.get(spec.type)
    return checker(spec, value) if checker else None


def _string_problem(spec: Field, value: Any) -> str | None:
    if not isinstance(value, str):
        return _("Phải là chuỗi ký tự.")
    if spec.max_length and len(value) > spec.max_length:
        return _("Dài quá %(n)d ký tự.", n=spec.max_length)
    if spec.enum is not None and value not in spec.enum:
        return _("Giá trị không thuộc danh sách cho phép.")
    return None


def _integer_problem(spec: Field, value: Any) -> str | None:
    if not _is_integer(value):
        return _("Phải là số nguyên.")
    if (spec.minimum is not None and value < spec.minimum) or (
        spec.maximum is not None and value > spec.maximum
    ):
        return _("Giá trị ngoài khoảng cho phép.")
    return None


def _is_integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)  # JSON true is no number


def _date_problem(spec: Field, value: Any) -> str | None:
    if not isinstance(value, str):
        return _("Phải là ngày dạng YYYY-MM-DD.")
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return _("Phải là ngày dạng YYYY-MM-DD.")
    return None


def _array_problem(spec: Field, value: Any) -> str | None:
    if not isinstance(value, list) or len(value) > 50:
        return _("Phải là một danh sách (tối đa 50 phần tử).")
    for item in value:
        if spec.items == "integer" and not _is_integer(item):
            return _("Mỗi phần tử phải là số nguyên.")
        if spec.items == "string":
            if not isinstance(item, str) or (spec.max_length and len(item) > spec.max_length):
                return _("Mỗi phần tử phải là chuỗi ký tự ngắn.")
            if spec.items_enum is not None and item not in spec.items_enum:
                return _("Giá trị không thuộc danh sách cho phép.")
    return None


_TYPE_CHECKERS = {
    "string": _string_problem,
    "integer": _integer_problem,
    "date": _date_problem,
    "array": _array_problem,
}


def _holds_invalid_text(value: Any) -> bool:
    if isinstance(value, str):
        return has_invalid_characters(value)
    if isinstance(value, dict):
        return any(_holds_invalid_text(k) or _holds_invalid_text(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_invalid_text(item) for item in value)
    return False


def to_formdata(values: dict[str, Any]) -> MultiDict:
    """Form input as a browser would send it."""
    data: MultiDict = MultiDict()
    for name, value in values.items():
        if value is None:
            continue
        if isinstance(value, list):
            if name in LIST_AS_TEXT:
                data.add(name, ", ".join(str(v) for v in value))
            else:
                for item in value:
                    data.add(name, str(item))
        else:
            data.add(name, str(value))
    return data
