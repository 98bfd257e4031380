"""The API documentation page in the reader's language.

The OpenAPI document itself stays in English, the lingua franca of client generators; the
page people read (``/api/v1/docs``) words each operation through the catalogue. An operation
without a wording here shows the document's English summary.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from ecosystem.api.schemas import COLLECTIONS
from ecosystem.registry.template_helpers import kind_label

_BY_VERB = {
    "list": _l("Danh sách %(kind)s bạn được xem"),
    "create": _l("Tạo %(kind)s"),
    "get": _l("Xem một %(kind)s"),
    "update": _l("Sửa một số trường của %(kind)s"),
    "archive": _l("Lưu trữ %(kind)s"),
}
_NAMED = {
    "list_fields": _l("Lĩnh vực nghiên cứu và ngành"),
    "me": _l("Chủ sở hữu khóa truy cập"),
    "list_calls": _l("Các đợt kêu gọi của Quỹ: đợt đang mở trước, rồi các đợt đã qua"),
    "get_call": _l("Xem một đợt kêu gọi"),
    "list_applications": _l("Hồ sơ của tổ chức bạn và các hồ sơ bạn được xem"),
    "get_application": _l("Xem một hồ sơ xin tài trợ"),
    "submit_application": _l("Nộp bản nháp hồ sơ của tổ chức bạn trước khi đợt kêu gọi đóng"),
    "list_reviews": _l(
        "Việc đánh giá được giao cho bạn (tên và tóm tắt sau khi bạn khai không xung đột lợi ích)"
    ),
    "get_review": _l("Xem một việc đánh giá của bạn"),
}
_KIND_OF_COLLECTION = dict(COLLECTIONS)
_KINDS = set(COLLECTIONS.values())


def operation_label(operation: dict[str, Any]) -> str:
    op_id = operation.get("operationId", "")
    if op_id in _NAMED:
        return str(_NAMED[op_id])
    verb, _sep, rest = op_id.partition("_")
    kind = _KIND_OF_COLLECTION.get(rest, rest)
    if verb in _BY_VERB and kind in _KINDS:
        return str(_BY_VERB[verb]) % {"kind": kind_label(kind).lower()}
    return operation.get("summary", "")
