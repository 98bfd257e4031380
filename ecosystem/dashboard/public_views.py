"""The public indicator page: the headline indicators and the task shares, for everyone."""

from __future__ import annotations

from flask import render_template

from ecosystem.dashboard.blueprint import public_bp
from ecosystem.dashboard.shares import compute_shares


@public_bp.get("/")
def index():
    return render_template("dashboard/public.html", shares=compute_shares())
