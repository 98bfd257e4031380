"""Admin pages of the term dictionary: list and search, add (or edit), merge, retire."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, Length, Optional

from ecosystem.core.forms import BaseForm
from ecosystem.core.permissions import login_required, require
from ecosystem.core.uow import attempt
from ecosystem.matching import permissions as perms
from ecosystem.matching import term_operations as terms_ops
from ecosystem.matching.views import bp

PAGE = 200


class TermGroupForm(BaseForm):
    group_id = StringField(
        _l("Mã nhóm (để trống: tạo từ thuật ngữ tiếng Anh)"), [Optional(), Length(max=90)]
    )
    field = StringField(_l("Lĩnh vực (mã)"), [Optional(), Length(max=64)])
    vi = StringField(
        _l("Thuật ngữ tiếng Việt (cách nhau bằng |)"), [DataRequired(), Length(max=2000)]
    )
    en = StringField(
        _l("Thuật ngữ tiếng Anh (cách nhau bằng |)"), [DataRequired(), Length(max=2000)]
    )


class MergeForm(BaseForm):
    source = StringField(_l("Gộp nhóm"), [DataRequired(), Length(max=100)])
    target = StringField(_l("vào nhóm"), [DataRequired(), Length(max=100)])


def _matches(group, q: str) -> bool:
    if not q:
        return True
    haystack = " ".join((group.id, group.field, *group.vi, *group.en)).lower()
    return q.lower() in haystack


@bp.get("/admin/matching/terms")
@login_required
def terms():
    require(perms.can_edit_terms(g.user))
    q = (request.args.get("q") or "").strip()
    groups = [gr for gr in terms_ops.platform_groups() if _matches(gr, q)]
    return render_template(
        "matching/terms.html",
        groups=groups[:PAGE],
        total=len(groups),
        q=q,
        form=TermGroupForm(),
        merge_form=MergeForm(),
    )


def _flash_errors(form) -> None:
    for name, messages in form.errors.items():
        label = form[name].label.text if name in form else ""
        flash(f"{label}: {messages[0]}" if label else str(messages[0]), "danger")


@bp.post("/admin/matching/terms")
@login_required
def add_term_group():
    require(perms.can_edit_terms(g.user))
    form = TermGroupForm()
    if not form.validate_on_submit():
        _flash_errors(form)
    else:
        attempt(
            lambda: terms_ops.add_group(form.data, g.user),
            _("Đã lưu nhóm thuật ngữ. Từ điển áp dụng từ lần cập nhật chỉ mục tới."),
        )
    return redirect(url_for("matching.terms", q=form.en.data or ""))


@bp.post("/admin/matching/terms/merge")
@login_required
def merge_term_groups():
    require(perms.can_edit_terms(g.user))
    form = MergeForm()
    if not form.validate_on_submit():
        _flash_errors(form)
    else:
        attempt(
            lambda: terms_ops.merge_group(
                form.source.data.strip(), form.target.data.strip(), g.user
            ),
            _("Đã gộp hai nhóm thuật ngữ."),
        )
    return redirect(url_for("matching.terms", q=form.target.data or ""))


@bp.post("/admin/matching/terms/<group_id>/retire")
@login_required
def retire_term_group(group_id: str):
    require(perms.can_edit_terms(g.user))
    if terms_ops.find_group(group_id) is None:
        abort(404)
    attempt(lambda: terms_ops.retire_group(group_id, g.user), _("Đã ngừng dùng nhóm thuật ngữ."))
    return redirect(url_for("matching.terms"))
