"""The committee's pages: the overview (task shares, overdue tasks, every indicator against
its target, charts), the one-page printable report, and the secretariat's forms for targets
and the S&T budget figures."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ecosystem.core.errors import UserError
from ecosystem.core.permissions import login_required, require
from ecosystem.core.uow import atomic
from ecosystem.dashboard import figures
from ecosystem.dashboard import permissions as perms
from ecosystem.dashboard.blueprint import bp, show_error
from ecosystem.dashboard.forms import BudgetForm, TargetForm
from ecosystem.dashboard.indicator_views import overview_context, year_arg
from ecosystem.dashboard.indicators import all_indicators
from ecosystem.dashboard.models import BudgetFigure, IndicatorTarget, SteeringTask
from ecosystem.dashboard.shares import overdue_condition, today
from ecosystem.extensions import db


def _overdue_tasks() -> list[SteeringTask]:
    return list(
        db.session.scalars(
            sa.select(SteeringTask).where(*overdue_condition()).order_by(SteeringTask.deadline)
        )
    )


@bp.get("/")
@login_required
def overview():
    require(perms.can_view_dashboard(g.user))
    return render_template(
        "dashboard/overview.html",
        **overview_context(year_arg()),
        overdue=_overdue_tasks(),
        today=today(),
        can_manage=perms.can_manage_tasks(g.user),
    )


@bp.get("/report")
@login_required
def report():
    require(perms.can_view_dashboard(g.user))
    return render_template(
        "dashboard/report.html", **overview_context(year_arg()), overdue=_overdue_tasks()
    )


def _indicator_choices() -> list[tuple[str, str]]:
    return [(i.key, str(i.label)) for i in all_indicators()]


@bp.route("/targets", methods=["GET", "POST"])
@login_required
def targets():
    require(perms.can_set_targets(g.user))
    form = TargetForm()
    form.indicator.choices = _indicator_choices()
    if form.validate_on_submit():
        try:
            with atomic():
                figures.set_target(form.indicator.data, form.year.data, form.value.data, g.user)
        except UserError as error:
            show_error(form, error)
        else:
            flash(_("Đã lưu mục tiêu."), "success")
            return redirect(url_for(".targets"))
    rows = db.session.scalars(
        sa.select(IndicatorTarget).order_by(IndicatorTarget.year.desc(), IndicatorTarget.indicator)
    ).all()
    labels = dict(_indicator_choices())
    status = 422 if request.method == "POST" else 200
    return render_template("dashboard/targets.html", form=form, rows=rows, labels=labels), status


@bp.route("/budget", methods=["GET", "POST"])
@login_required
def budget():
    require(perms.can_set_targets(g.user))
    form = BudgetForm()
    if form.validate_on_submit():
        try:
            with atomic():
                figures.set_budget(form.data, g.user)
        except UserError as error:
            show_error(form, error)
        else:
            flash(_("Đã lưu số liệu ngân sách."), "success")
            return redirect(url_for(".budget"))
    rows = db.session.scalars(sa.select(BudgetFigure).order_by(BudgetFigure.year.desc())).all()
    status = 422 if request.method == "POST" else 200
    return render_template("dashboard/budget.html", form=form, rows=rows), status
