"""Facet fit: how well the structured side of a document suits a query, beyond its words.

Facets (all optional, in ``Document.facets``):

========================  ===================================================================
``fields``                list of taxonomy codes (both sides)
``field_roots``           the top-level taxonomy codes of those fields (optional): a field of
                          the same branch ("crop-production" for "aquaculture", both under
                          "agriculture") is *related* and fits ``related_field_fit``
``trl``                   1-9, technology readiness of a result
``trl_wanted``            1-9, readiness a need asks for: a result fits when trl >= trl_wanted
``stage``                 a startup's stage (e.g. "seed")
``stages``                stages an investor invests in: fits when stage is among them
``funding_sought``        VND a startup looks for
``ticket_min/ticket_max`` an investor's ticket range in VND: fits when funding is within it
``deadline``              ISO date of a need: past it, the need should not be proposed
``province``              same province is a light boost
========================  ===================================================================

Each facet that *both* sides carry gives a fit in [0, 1]; the multiplier of the text score is
``(base + sum(w * fit)) / (base + sum(w))`` (weights in weights.py), times the deadline factor.
The store keeps one numpy array per facet so a query computes the fit of thousands of
candidates at once.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ecosystem.matching.engine.weights import (
    FACET_DEADLINE,
    FACET_FIELDS,
    FACET_PROVINCE,
    FACET_STAGE,
    FACET_TICKET,
    FACET_TRL,
    Weights,
)


@dataclass(frozen=True)
class FacetFit:
    """One facet of one match, as data (the web layer words it in the user's language)."""

    name: str
    ok: bool
    fit: float  # 0..1
    weight: float  # its weight in the multiplier (0 for the deadline, which is a factor)
    query_value: Any
    doc_value: Any


def field_roots(codes, parent_of: Mapping[str, str | None]) -> list[str]:
    """The top-level taxonomy codes of these fields (a field without parent is its own root)."""
    roots = []
    for code in codes or ():
        seen = set()
        while parent_of.get(code) and code not in seen:
            seen.add(code)
            code = parent_of[code]
        if code not in roots:
            roots.append(code)
    return roots


def _as_list(value) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def _as_int(value) -> int:
    try:
        return int(value) if value not in (None, "") else 0
    except (TypeError, ValueError):
        return 0


def _as_float(value) -> float:
    try:
        return float(value) if value not in (None, "") else math.nan
    except (TypeError, ValueError):
        return math.nan


def _as_date(value) -> int:
    """Ordinal of an ISO date (or date), 0 when absent or unreadable."""
    if not value:
        return 0
    if isinstance(value, dt.datetime):
        return value.date().toordinal()
    if isinstance(value, dt.date):
        return value.toordinal()
    try:
        return dt.date.fromisoformat(str(value)[:10]).toordinal()
    except ValueError:
        return 0


@dataclass(frozen=True)
class QueryFacets:
    fields: frozenset[str] = frozenset()
    field_roots: frozenset[str] = frozenset()
    trl: int = 0
    trl_wanted: int = 0
    stage: str = ""
    stages: frozenset[str] = frozenset()
    funding: float = math.nan
    ticket_min: float = math.nan
    ticket_max: float = math.nan
    province: str = ""

    @classmethod
    def from_mappings(cls, mappings: list[Mapping]) -> QueryFacets:
        """Facets of a document, or of a profile: fields and stages united, the rest the first
        value given (TRL: the highest)."""
        fields: set[str] = set()
        roots: set[str] = set()
        stages: set[str] = set()
        values: dict[str, Any] = {}
        trl = trl_wanted = 0
        for m in mappings:
            if not m:
                continue
            fields.update(_as_list(m.get("fields")))
            roots.update(_as_list(m.get("field_roots")))
            stages.update(_as_list(m.get("stages")))
            trl = max(trl, _as_int(m.get("trl")))
            trl_wanted = max(trl_wanted, _as_int(m.get("trl_wanted")))
            for key in ("stage", "funding_sought", "ticket_min", "ticket_max", "province"):
                if m.get(key) not in (None, "") and key not in values:
                    values[key] = m.get(key)
        return cls(
            fields=frozenset(fields),
            field_roots=frozenset(roots),
            trl=trl,
            trl_wanted=trl_wanted,
            stage=str(values.get("stage", "")),
            stages=frozenset(stages),
            funding=_as_float(values.get("funding_sought")),
            ticket_min=_as_float(values.get("ticket_min")),
            ticket_max=_as_float(values.get("ticket_max")),
            province=str(values.get("province", "")),
        )

    @property
    def empty(self) -> bool:
        return not (
            self.fields
            or self.trl
            or self.trl_wanted
            or self.stage
            or self.stages
            or not math.isnan(self.funding)
            or not math.isnan(self.ticket_min)
            or not math.isnan(self.ticket_max)
            or self.province
        )


class FacetStore:
    """Per-slot facet arrays, grown with the index."""

    def __init__(self, capacity: int = 1024):
        self.capacity = 0
        self.trl = np.zeros(0, np.int8)
        self.trl_wanted = np.zeros(0, np.int8)
        self.stage = np.zeros(0, np.int32)  # code + 1, 0 = none
        self.funding = np.zeros(0, np.float64)
        self.ticket_min = np.zeros(0, np.float64)
        self.ticket_max = np.zeros(0, np.float64)
        self.deadline = np.zeros(0, np.int32)
        self.province = np.zeros(0, np.int32)  # code + 1, 0 = none
        self.n_fields = np.zeros(0, np.int16)
        self.n_stages = np.zeros(0, np.int16)
        self.field_sets: dict[str, np.ndarray] = {}  # code -> bool per slot
        self.root_sets: dict[str, np.ndarray] = {}  # top-level field code -> bool per slot
        self.stage_sets: dict[str, np.ndarray] = {}
        self.codes: dict[str, int] = {}  # stage and province names -> code
        self.any_facets = False
        self.any_deadline = False
        self._grow(capacity)

    def _grow(self, capacity: int) -> None:
        if capacity <= self.capacity:
            return
        new = max(capacity, 2 * self.capacity)
        for name in ("trl", "trl_wanted", "stage", "deadline", "province", "n_fields", "n_stages"):
            old = getattr(self, name)
            arr = np.zeros(new, old.dtype)
            arr[: len(old)] = old
            setattr(self, name, arr)
        for name in ("funding", "ticket_min", "ticket_max"):
            old = getattr(self, name)
            arr = np.full(new, np.nan)
            arr[: len(old)] = old
            setattr(self, name, arr)
        for sets in (self.field_sets, self.root_sets, self.stage_sets):
            for key, old in sets.items():
                arr = np.zeros(new, bool)
                arr[: len(old)] = old
                sets[key] = arr
        self.capacity = new

    def _code(self, name: str) -> int:
        code = self.codes.get(name)
        if code is None:
            code = self.codes[name] = len(self.codes) + 1
        return code

    def _set_member(self, sets: dict[str, np.ndarray], key: str, slot: int) -> None:
        arr = sets.get(key)
        if arr is None:
            arr = sets[key] = np.zeros(self.capacity, bool)
        arr[slot] = True

    def set(self, slot: int, facets: Mapping | None) -> None:
        self._grow(slot + 1)
        if not facets:
            return
        self.any_facets = True
        fields = set(_as_list(facets.get("fields")))
        for f in fields:
            self._set_member(self.field_sets, f, slot)
        self.n_fields[slot] = len(fields)
        for r in set(_as_list(facets.get("field_roots"))):
            self._set_member(self.root_sets, r, slot)
        stages = set(_as_list(facets.get("stages")))
        for s in stages:
            self._set_member(self.stage_sets, s, slot)
        self.n_stages[slot] = len(stages)
        self.trl[slot] = min(max(_as_int(facets.get("trl")), 0), 9)
        self.trl_wanted[slot] = min(max(_as_int(facets.get("trl_wanted")), 0), 9)
        stage = facets.get("stage")
        self.stage[slot] = self._code("stage:" + str(stage)) if stage else 0
        self.funding[slot] = _as_float(facets.get("funding_sought"))
        self.ticket_min[slot] = _as_float(facets.get("ticket_min"))
        self.ticket_max[slot] = _as_float(facets.get("ticket_max"))
        self.deadline[slot] = _as_date(facets.get("deadline"))
        self.any_deadline = self.any_deadline or bool(self.deadline[slot])
        province = facets.get("province")
        self.province[slot] = self._code("province:" + str(province)) if province else 0

    def clear(self, slot: int) -> None:
        """Forget a slot's facets (the slot is dead; keeps arrays consistent for reuse)."""
        for sets in (self.field_sets, self.root_sets, self.stage_sets):
            for arr in sets.values():
                arr[slot] = False
        for name in ("trl", "trl_wanted", "stage", "deadline", "province", "n_fields", "n_stages"):
            getattr(self, name)[slot] = 0
        for name in ("funding", "ticket_min", "ticket_max"):
            getattr(self, name)[slot] = np.nan

    # ----------------------------------------------------------------------------------
    def applies(self, q: QueryFacets) -> bool:
        """Whether facets can change any score for this query (deadlines always can)."""
        return self.any_facets and (not q.empty or self.any_deadline)

    def multiplier(
        self, q: QueryFacets, slots: np.ndarray, weights: Weights, today: int
    ) -> np.ndarray:
        """Multiplier of the text score for each slot in ``slots`` (vectorised)."""
        n = len(slots)
        one = np.ones(n)
        if not self.any_facets:
            return one
        num = np.full(n, weights.facet_base)
        den = np.full(n, weights.facet_base)
        for w, applies, fit in self._fits(q, slots, weights):
            num += np.where(applies, w * fit, 0.0)
            den += np.where(applies, w, 0.0)
        mult = num / den
        deadline = self.deadline[slots]
        passed = (deadline > 0) & (deadline < today)
        return np.where(passed, mult * weights.deadline_passed_factor, mult)

    def _fits(self, q: QueryFacets, slots: np.ndarray, w: Weights):
        """(weight, applies mask, fit array) per weighted facet the query states."""
        for _name, stated, fit in FACET_RULES:
            if stated(q):
                yield fit(self, q, slots, w)

    def _field_fit(self, q: QueryFacets, slots: np.ndarray, w: Weights):
        overlap = np.zeros(len(slots))
        for f in q.fields:
            arr = self.field_sets.get(f)
            if arr is not None:
                overlap += arr[slots]
        nf = self.n_fields[slots].astype(float)
        fit = np.minimum(overlap / np.maximum(np.minimum(nf, len(q.fields)), 1), 1.0)
        if q.field_roots and w.related_field_fit > 0:
            related = self._related(q.field_roots, slots)
            fit = np.maximum(fit, np.where(related, w.related_field_fit, 0.0))
        return w.field_weight, nf > 0, fit

    def _related(self, roots, slots: np.ndarray) -> np.ndarray:
        """Whether each slot shares a top-level field with ``roots``."""
        related = np.zeros(len(slots), bool)
        for r in roots:
            arr = self.root_sets.get(r)
            if arr is not None:
                related |= arr[slots]
        return related

    def _trl_wanted_fit(self, q: QueryFacets, slots: np.ndarray, w: Weights):
        trl = self.trl[slots]
        return w.trl_weight, trl > 0, (trl >= q.trl_wanted).astype(float)

    def _trl_fit(self, q: QueryFacets, slots: np.ndarray, w: Weights):
        wanted = self.trl_wanted[slots]
        return w.trl_weight, wanted > 0, (q.trl >= wanted).astype(float)

    def _stage_fit(self, q: QueryFacets, slots: np.ndarray, w: Weights):
        arr = self.stage_sets.get(q.stage)
        fit = arr[slots].astype(float) if arr is not None else np.zeros(len(slots))
        return w.stage_weight, self.n_stages[slots] > 0, fit

    def _stages_fit(self, q: QueryFacets, slots: np.ndarray, w: Weights):
        codes = {self.codes.get("stage:" + s, -1) for s in q.stages}
        st = self.stage[slots]
        return w.stage_weight, st > 0, np.isin(st, list(codes)).astype(float)

    def _funding_fit(self, q: QueryFacets, slots: np.ndarray, w: Weights):
        lo, hi = self.ticket_min[slots], self.ticket_max[slots]
        applies = ~(np.isnan(lo) & np.isnan(hi))
        fit = (np.isnan(lo) | (q.funding >= lo)) & (np.isnan(hi) | (q.funding <= hi))
        return w.ticket_weight, applies, fit.astype(float)

    def _ticket_fit(self, q: QueryFacets, slots: np.ndarray, w: Weights):
        funding = self.funding[slots]
        applies = ~np.isnan(funding)
        lo = -np.inf if math.isnan(q.ticket_min) else q.ticket_min
        hi = np.inf if math.isnan(q.ticket_max) else q.ticket_max
        with np.errstate(invalid="ignore"):
            fit = (funding >= lo) & (funding <= hi)
        return w.ticket_weight, applies, fit.astype(float)

    def _province_fit(self, q: QueryFacets, slots: np.ndarray, w: Weights):
        code = self.codes.get("province:" + q.province, -1)
        prov = self.province[slots]
        return w.province_weight, prov > 0, (prov == code).astype(float)


# The weighted facets in the order they apply: (name, whether the query states it, the fit).
# A query may state a facet from either side (TRL wanted or offered; one stage or several;
# funding sought or a ticket range); each side is its own entry.
FACET_RULES = (
    (FACET_FIELDS, lambda q: bool(q.fields), FacetStore._field_fit),
    (FACET_TRL, lambda q: bool(q.trl_wanted), FacetStore._trl_wanted_fit),
    (FACET_TRL, lambda q: bool(q.trl), FacetStore._trl_fit),
    (FACET_STAGE, lambda q: bool(q.stage), FacetStore._stage_fit),
    (FACET_STAGE, lambda q: bool(q.stages), FacetStore._stages_fit),
    (FACET_TICKET, lambda q: not math.isnan(q.funding), FacetStore._funding_fit),
    (
        FACET_TICKET,
        lambda q: not (math.isnan(q.ticket_min) and math.isnan(q.ticket_max)),
        FacetStore._ticket_fit,
    ),
    (FACET_PROVINCE, lambda q: bool(q.province), FacetStore._province_fit),
)


def explain_facets(
    q: QueryFacets, doc_facets: Mapping | None, weights: Weights, today: int
) -> list[FacetFit]:
    """The facets of one match, one FacetFit each, computed like FacetStore.multiplier."""
    store = FacetStore(capacity=1)
    store.set(0, doc_facets or {})
    slots = np.zeros(1, np.int64)
    names = _fit_names(q)
    out: list[FacetFit] = []
    for name, (weight, applies, fit) in zip(names, store._fits(q, slots, weights), strict=True):
        if not applies[0]:
            continue
        out.append(
            FacetFit(
                name=name,
                ok=bool(fit[0] >= 1.0 - 1e-9) if name != FACET_FIELDS else bool(fit[0] > 0),
                fit=float(fit[0]),
                weight=float(weight),
                query_value=_query_value(q, name, doc_facets or {}),
                doc_value=_doc_value(doc_facets or {}, name, q),
            )
        )
    deadline = store.deadline[0]
    if deadline > 0:
        passed = bool(deadline < today)
        out.append(
            FacetFit(
                name=FACET_DEADLINE,
                ok=not passed,
                fit=0.0 if passed else 1.0,
                weight=0.0,
                query_value=dt.date.fromordinal(today).isoformat(),
                doc_value=dt.date.fromordinal(int(deadline)).isoformat(),
            )
        )
    return out


def _fit_names(q: QueryFacets) -> list[str]:
    """The facet names, in the order FacetStore._fits yields them for this query."""
    return [name for name, stated, _fit in FACET_RULES if stated(q)]


def _query_value(q: QueryFacets, name: str, doc: Mapping):
    if name == FACET_FIELDS:
        return sorted(q.fields)
    if name == FACET_TRL:
        return {"trl": q.trl or None, "trl_wanted": q.trl_wanted or None}
    if name == FACET_STAGE:
        return {"stage": q.stage or None, "stages": sorted(q.stages) or None}
    if name == FACET_TICKET:
        return {
            "funding_sought": None if math.isnan(q.funding) else q.funding,
            "ticket_min": None if math.isnan(q.ticket_min) else q.ticket_min,
            "ticket_max": None if math.isnan(q.ticket_max) else q.ticket_max,
        }
    return q.province


def _doc_value(doc: Mapping, name: str, q: QueryFacets):
    if name == FACET_FIELDS:
        return sorted(_as_list(doc.get("fields")))
    if name == FACET_TRL:
        return {"trl": doc.get("trl"), "trl_wanted": doc.get("trl_wanted")}
    if name == FACET_STAGE:
        return {"stage": doc.get("stage"), "stages": sorted(_as_list(doc.get("stages"))) or None}
    if name == FACET_TICKET:
        return {k: doc.get(k) for k in ("funding_sought", "ticket_min", "ticket_max")}
    return doc.get("province")
