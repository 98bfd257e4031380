"""Home page, health check, language choice and the job progress page."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
)
from sqlalchemy import text

from ecosystem.core.jobs import Job, find_job
from ecosystem.core.permissions import can_view_job, require
from ecosystem.core.urls import safe_next_url
from ecosystem.extensions import db
from ecosystem.site.stats import home_counts

bp = Blueprint("site", __name__)


@bp.get("/")
def home():
    return render_template("site/home.html", counts=home_counts())


@bp.post("/language")
def set_language():
    lang = request.form.get("lang", "")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
        user = g.get("user")
        if user is not None and user.locale != lang:
            user.locale = lang
    return redirect(safe_next_url(request.form.get("next")))


@bp.get("/healthz")
def healthz():
    checks = {"database": _check_database(), "broker": _check_broker()}
    healthy = all(check["ok"] for check in checks.values())
    body = {"status": "ok" if healthy else "unavailable", **checks}
    return jsonify(body), 200 if healthy else 503


def _check_database() -> dict[str, Any]:
    try:
        db.session.execute(text("SELECT 1"))
        return {"ok": True, "backend": db.engine.dialect.name}
    except Exception as exc:  # report, do not raise: this is what the check is for
        db.session.rollback()
        return {"ok": False, "backend": db.engine.dialect.name, "error": type(exc).__name__}


def _check_broker() -> dict[str, Any]:
    celery = current_app.extensions["celery"]
    if celery.conf.task_always_eager:
        return {"ok": True, "mode": "in-process"}
    try:
        with celery.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=2)
        return {"ok": True, "mode": connection.transport_cls}
    except Exception as exc:  # an unreachable broker is a failing check, not a 500
        return {"ok": False, "mode": "broker", "error": type(exc).__name__}


def _visible_job(job_id: int) -> Job:
    job = find_job(job_id)
    if job is None:
        abort(404)
    require(can_view_job(g.get("user"), job))
    return job


@bp.get("/jobs/<int:job_id>")
def job_page(job_id: int):
    return render_template("site/job.html", job=_visible_job(job_id))


@bp.get("/jobs/<int:job_id>/status")
def job_status(job_id: int):
    job = _visible_job(job_id)
    if request.headers.get("HX-Request"):
        return render_template("site/_job_status.html", job=job)
    return jsonify(
        id=job.id,
        kind=job.kind,
        state=job.state.value,
        progress=job.progress,
        message=job.message,
        error=job.error,
        result=job.result,
    )
