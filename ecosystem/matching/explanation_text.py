"""Explanations in the reader's language: "Phù hợp vì: nuôi trồng thủy sản, cảm biến IoT;
TRL 6 ≥ yêu cầu 5".

The terms are the ones stored with the proposal — the features that really produced its
score, with their share of it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ecosystem.core.formatting import format_date, format_vnd
from ecosystem.extensions import db
from ecosystem.matching.engine import fit_band
from ecosystem.registry.models import ResearchField
from ecosystem.registry.template_helpers import stage_label


def _fields_text(fit: dict[str, Any]) -> str:

    shared = [code for code in (fit.get("doc") or []) if code in (fit.get("query") or [])]
    codes = shared or list(fit.get("doc") or [])
    locale = str(get_locale() or "vi")
    names = []
    for code in codes:
        field = db.session.get(ResearchField, code)
        names.append(field.name(locale) if field else code)
    if fit["ok"] and fit.get("fit", 1.0) < 1.0 - 1e-9:
        return _("lĩnh vực gần (%(names)s)", names=", ".join(names))
    if fit["ok"]:
        return _("cùng lĩnh vực %(names)s", names=", ".join(names))
    return _("khác lĩnh vực (%(names)s)", names=", ".join(names))


def unrelated_fields(explanation: dict[str, Any] | None) -> bool:
    """The two records belong to unrelated fields (the list and detail pages mark it)."""
    return any(
        f.get("name") == "fields" and not f.get("ok") for f in (explanation or {}).get("facets", [])
    )


def _trl_text(fit: dict[str, Any]) -> str:
    query, doc = fit.get("query") or {}, fit.get("doc") or {}
    have = doc.get("trl") or query.get("trl")
    wanted = query.get("trl_wanted") or doc.get("trl_wanted")
    if fit["ok"]:
        return _("TRL %(have)s ≥ yêu cầu %(wanted)s", have=have, wanted=wanted)
    return _("TRL %(have)s < yêu cầu %(wanted)s", have=have, wanted=wanted)


def _stage_text(fit: dict[str, Any]) -> str:
    query, doc = fit.get("query") or {}, fit.get("doc") or {}
    stage = query.get("stage") or doc.get("stage")
    if fit["ok"]:
        return _("giai đoạn %(stage)s nằm trong khẩu vị đầu tư", stage=stage_label(stage))
    return _("giai đoạn %(stage)s ngoài khẩu vị đầu tư", stage=stage_label(stage))


def _ticket_text(fit: dict[str, Any]) -> str:
    query, doc = fit.get("query") or {}, fit.get("doc") or {}
    both = {**doc, **{k: v for k, v in query.items() if v is not None}}
    values = {
        "sought": format_vnd(both.get("funding_sought")),
        "low": format_vnd(both.get("ticket_min")),
        "high": format_vnd(both.get("ticket_max")),
    }
    if fit["ok"]:
        return _("vốn cần %(sought)s trong khoảng %(low)s – %(high)s", **values)
    return _("vốn cần %(sought)s ngoài khoảng %(low)s – %(high)s", **values)


def _deadline_text(fit: dict[str, Any]) -> str:

    value = fit.get("doc") or fit.get("query")
    shown = (
        format_date(date.fromisoformat(value))
        if isinstance(value, str) and value
        else str(value or "")
    )
    return (
        _("còn hạn đến %(date)s", date=shown) if fit["ok"] else _("đã quá hạn %(date)s", date=shown)
    )


def _province_text(fit: dict[str, Any]) -> str:
    return _("cùng địa phương (%(p)s)", p=fit.get("doc")) if fit["ok"] else _("khác địa phương")


_FACETS = {
    "fields": _fields_text,
    "trl": _trl_text,
    "stage": _stage_text,
    "ticket": _ticket_text,
    "deadline": _deadline_text,
    "province": _province_text,
}


def facet_lines(explanation: dict[str, Any]) -> list[tuple[bool, str]]:
    lines = []
    for fit in explanation.get("facets", []):
        render = _FACETS.get(fit.get("name"))
        if render is not None:
            lines.append((bool(fit.get("ok")), render(fit)))
    return lines


FIT_LABELS = {
    "strong": (_l("Rất phù hợp"), "text-bg-success"),
    "good": (_l("Khá phù hợp"), "text-bg-primary"),
    "weak": (_l("Ít phù hợp"), "text-bg-secondary"),
}


def fit(score: float | None) -> dict[str, str]:
    """The band of a score for people: label, badge class and the number (for the hover)."""

    band = fit_band(float(score or 0.0))
    text, css = FIT_LABELS[band]
    return {"band": band, "label": str(text), "css": css, "number": str(round((score or 0) * 100))}


def summary(explanation: dict[str, Any]) -> str:
    """One sentence: the shared terms, then the facets that fit."""
    terms = ", ".join(t["term"] for t in explanation.get("terms", [])[:4])
    fitting = [text for ok, text in facet_lines(explanation) if ok]
    parts = [p for p in (terms, "; ".join(fitting)) if p]
    return _("Phù hợp vì: %(why)s", why="; ".join(parts)) if parts else ""
