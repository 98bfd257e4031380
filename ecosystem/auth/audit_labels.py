"""The audit log's action codes (``match.dismissed``) as administrators read them.

A code is ``<object>.<what happened>``: the label is the object's name and the event's,
each translated (“Đề xuất kết nối: bỏ qua” / “Match: dismissed”). State changes made by a
workflow are named by the transition's own label. An unknown code is shown as it is.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from ecosystem.core.transitions import audit_labels

OBJECTS: dict[str, Any] = {
    "api": _l("Khóa API"),
    "auth": _l("Tài khoản"),
    "fund": _l("Quỹ KH&CN"),
    "fund_application": _l("Hồ sơ xin tài trợ"),
    "fund_award": _l("Hợp đồng tài trợ"),
    "fund_call": _l("Đợt gọi hồ sơ"),
    "fund_cycle": _l("Chu kỳ quỹ"),
    "fund_disbursement": _l("Giải ngân"),
    "fund_milestone": _l("Mốc giải ngân"),
    "fund_review": _l("Phản biện"),
    "group": _l("Nhóm nghiên cứu"),
    "import": _l("Nhập dữ liệu"),
    "indicator": _l("Chỉ số"),
    "investor": _l("Nhà đầu tư"),
    "job": _l("Công việc chạy nền"),
    "lab_authorisation": _l("Quyền sử dụng thiết bị"),
    "lab_booking": _l("Lượt đặt thiết bị"),
    "lab_downtime": _l("Thời gian ngừng thiết bị"),
    "lab_equipment": _l("Thiết bị"),
    "lab_feed": _l("Lịch iCalendar"),
    "lab_waitlist": _l("Danh sách chờ thiết bị"),
    "match": _l("Đề xuất kết nối"),
    "membership": _l("Thành viên tổ chức"),
    "need": _l("Nhu cầu công nghệ"),
    "organisation": _l("Tổ chức"),
    "person": _l("Chuyên gia"),
    "result": _l("Kết quả nghiên cứu"),
    "startup": _l("Khởi nghiệp"),
    "task": _l("Nhiệm vụ"),
    "task_import": _l("Nhập nhiệm vụ"),
    "term_group": _l("Từ điển thuật ngữ"),
}
EVENTS: dict[str, Any] = {
    "add": _l("thêm"),
    "added": _l("thêm"),
    "applied": _l("đã ghi"),
    "approved": _l("chấp thuận"),
    "archived": _l("lưu trữ"),
    "assigned": _l("phân công"),
    "attachment_added": _l("thêm tệp đính kèm"),
    "attachment_removed": _l("xóa tệp đính kèm"),
    "budget_set": _l("đặt ngân sách"),
    "cancelled": _l("hủy"),
    "checked": _l("kiểm tra tệp"),
    "closed": _l("đóng"),
    "confirmed": _l("xác nhận"),
    "created": _l("tạo mới"),
    "deal_reported": _l("báo cáo đã ký hợp đồng"),
    "disabled": _l("khóa"),
    "disbursed": _l("giải ngân"),
    "digest_unsubscribed": _l("ngừng nhận thư tổng hợp hằng tuần"),
    "dismissed": _l("bỏ qua"),
    "document_added": _l("thêm tài liệu"),
    "edit": _l("sửa"),
    "enabled": _l("mở khóa"),
    "expiry_reminded": _l("nhắc sắp hết hạn"),
    "granted": _l("cấp quyền"),
    "hidden": _l("ẩn"),
    "interest": _l("bày tỏ quan tâm"),
    "introduced": _l("hai bên được kết nối"),
    "joined": _l("tham gia"),
    "merge": _l("gộp"),
    "merged": _l("gộp"),
    "milestone_due": _l("nhắc mốc đến hạn"),
    "milestone_overdue": _l("mốc quá hạn"),
    "oidc_linked": _l("liên kết đăng nhập một lần"),
    "password_changed": _l("đổi mật khẩu"),
    "people_changed": _l("thay đổi thành viên"),
    "profile_updated": _l("cập nhật hồ sơ"),
    "published": _l("đăng"),
    "recorded": _l("ghi nhận"),
    "refused": _l("từ chối"),
    "register": _l("đăng ký"),
    "removed": _l("xóa"),
    "renewed": _l("gia hạn"),
    "reported": _l("báo cáo"),
    "requested": _l("yêu cầu"),
    "reset_requested": _l("yêu cầu đặt lại mật khẩu"),
    "retire": _l("ngừng dùng"),
    "revoked": _l("thu hồi"),
    "role_changed": _l("đổi vai trò"),
    "role_granted": _l("cấp vai trò"),
    "role_revoked": _l("thu hồi vai trò"),
    "saved": _l("lưu"),
    "sign_in": _l("đăng nhập"),
    "sign_in_failed": _l("đăng nhập thất bại"),
    "sign_out": _l("đăng xuất"),
    "signed": _l("ký"),
    "started": _l("bắt đầu"),
    "started_from_match": _l("tạo từ đề xuất kết nối"),
    "target_set": _l("đặt mục tiêu"),
    "token_created": _l("tạo khóa"),
    "token_revoked": _l("thu hồi khóa"),
    "unhidden": _l("bỏ ẩn"),
    "updated": _l("cập nhật"),
    "uploaded": _l("tải tệp lên"),
    "verify_email": _l("xác minh e-mail"),
    "written_off": _l("xóa nợ"),
}


def action_label(code: str) -> str:
    obj, _, event = code.partition(".")
    if obj not in OBJECTS:
        return code
    what = audit_labels().get(code) or EVENTS.get(event)
    if what is None:
        return code
    return f"{OBJECTS[obj]}: {what}"
