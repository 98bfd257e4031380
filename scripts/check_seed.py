#!/usr/bin/env python3
"""Check the Huế demo seed data: referential integrity, identifiers and the rules of the data set.

It uses the platform's own identifier checks and enums (so the data is held to exactly
what the forms accept) and runs from the repository root:

    python scripts/check_seed.py [SEED_FOLDER]

SEED_FOLDER defaults to ecosystem/registry/seed. It lives outside the package so that it is
not installed with the application; the test suite runs it too (tests/registry/test_seed_data.py).

Exits 1 with the list of problems, or prints the counts (and a few notes useful to whoever builds
the matching dev set) and exits 0.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED_DIR = ROOT / "ecosystem" / "registry" / "seed"
sys.path.insert(0, str(ROOT))  # the repository root, when run as a script

from ecosystem.core.text import strip_diacritics  # noqa: E402
from ecosystem.registry.enums import Confidentiality, IPStatus, OrgKind, StartupStage  # noqa: E402
from ecosystem.registry.identifiers import normalize_orcid, normalize_tax_code  # noqa: E402
from ecosystem.registry.listing_operations import FIELDS  # noqa: E402
from ecosystem.registry.operations import ORG_FIELDS  # noqa: E402

FILES = [
    "taxonomy",
    "organisations",
    "people",
    "groups",
    "results",
    "needs",
    "startups",
    "investors",
    "intended_matches",
    "labs",
    "fund_calls",
]

KEY_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
EMAIL_RE = re.compile(r"^[a-z0-9._-]+@([a-z0-9-]+(?:\.[a-z0-9-]+)+)$")
ORCID_RE = re.compile(r"^0000-000[0-9]-\d{4}-\d{3}[\dX]$")
TAX_RE = re.compile(r"^\d{10}$")

ORG_KINDS = {kind.value for kind in OrgKind}
RESEARCH_KINDS = {"university", "research_institute"}
HONORIFICS = {"PGS.TS.", "TS.", "ThS.", "GS.TS.", "KS.", ""}
IP_STATUSES = {status.value for status in IPStatus}
CONFIDENTIALITY = {level.value for level in Confidentiality}
RESULT_STATES = {"draft", "published", "archived"}
NEED_STATES = {"draft", "published"}
STAGES = {stage.value for stage in StartupStage}
MATCH_KINDS = {("need", "result"), ("startup", "investor"), ("group", "need")}
HUE = "Thành phố Huế"

REQUIRED_FIELDS = {
    "aquaculture",
    "agriculture",
    "forestry",
    "traditional-medicine",
    "pharmacy",
    "heritage",
    "heritage-digitisation",
    "tourism",
    "health",
    "smart-city-iot",
    "it-ai",
    "materials",
    "environment",
    "food-technology",
    "energy",
    "biotechnology",
    "education",
    "handicrafts",
    "culture-arts",
    "economics-management",
}

# Hard negatives built into the data: a need and a result that share a generic or surface term
# (given here without diacritics) but do not solve each other's problem. They must never appear
# in intended_matches.json, and the shared term must really occur in both texts.
HARD_NEGATIVES = [
    ("thuyet-minh-tu-dong-cho-doan-khach", "theo-doi-huyet-ap-tai-nha", "ung dung"),
    ("thuyet-minh-tu-dong-cho-doan-khach", "tuoi-tu-dong-nha-mang", "tu dong"),
    ("canh-bao-ngap-khu-dan-cu", "xu-ly-nuoc-thai-phan-tan", "he thong"),
    ("theo-doi-nuoc-ao-tom-tu-dong", "canh-bao-ngap-song-huong", "canh bao"),
    ("gia-vi-bun-bo-giu-huong", "tham-quan-ao-hoang-thanh", "hue"),
    ("forecast-room-demand", "salinity-intrusion-model", "forecast"),
    ("so-hoa-gia-pha-han-nom", "so-hoa-3d-di-tich", "so hoa"),
    ("quet-3d-cong-trinh-co", "drone-vien-tham-lua", "drone"),
    ("gach-dung-tro-trau", "than-sinh-hoc-vo-trau", "trau"),
    ("gach-dung-tro-trau", "nhua-tai-che-composite", "trau"),
    ("xu-ly-nhua-tu-cho", "xu-ly-nuoc-thai-phan-tan", "xu ly"),
    ("tro-ly-ao-cham-soc-khach-hang", "phan-tich-danh-gia-du-khach", "tieng viet"),
    ("ban-hoa-giay-tren-mang", "ung-dung-huong-dan-vi-tri", "du lich"),
]

# Column widths of the registry models; longer values would be rejected by PostgreSQL.
MAX_LEN = {
    ("organisations", "name_vi"): 300,
    ("organisations", "name_en"): 300,
    ("organisations", "short_name"): 50,
    ("organisations", "address"): 300,
    ("organisations", "website"): 300,
    ("organisations", "province"): 100,
    ("people", "full_name"): 200,
    ("people", "honorific"): 30,
    ("people", "email"): 254,
    ("people", "position"): 200,
    ("groups", "name_vi"): 300,
    ("groups", "name_en"): 300,
    ("results", "title"): 300,
    ("needs", "title"): 300,
    ("startups", "name"): 200,
    ("investors", "name"): 200,
    ("taxonomy", "name_vi"): 200,
    ("taxonomy", "name_en"): 200,
    ("taxonomy", "code"): 64,
}

MINIMUMS = {
    "research_orgs": 12,
    "enterprises": 30,
    "startup_orgs": 8,
    "investor_orgs": 5,
    "fund_orgs": 1,
    "government_agencies": 1,
    "lab_operators": 2,
    "researchers": 55,
    "other_people": 40,
    "orcids": 25,
    "groups": 18,
    "results": 65,
    "needs": 40,
    "need_enterprises": 30,
    "group_need_pairs": 8,
    "labs": 3,
    "fund_calls": 2,
    "taxonomy_min": 20,
}


def tax_code_ok(code: str) -> bool:
    return TAX_RE.match(code) is not None and normalize_tax_code(code) == code


def orcid_ok(value: str) -> bool:
    return ORCID_RE.match(value) is not None and normalize_orcid(value) == value


def fold(text: str) -> str:
    return strip_diacritics(text).lower()


def has_vietnamese_marks(text: str) -> bool:
    return fold(text) != text.lower()


def strings(obj, path=""):
    """Every string in a JSON value, with where it is."""
    if isinstance(obj, str):
        yield path, obj
    elif isinstance(obj, list):
        for i, item in enumerate(obj):
            yield from strings(item, f"{path}[{i}]")
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from strings(v, f"{path}.{k}" if path else k)


def is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def ordered(low, high, *, strict: bool = False) -> bool:
    """Both integers, ``low`` <= ``high`` (< when strict)."""
    if not (is_int(low) and is_int(high)):
        return False
    return low < high if strict else low <= high


class Checker:
    def __init__(self, data: dict[str, list]):
        self.d = data
        self.problems: list[str] = []
        self.notes: list[str] = []
        self.counts: dict[str, int] = {}

    def fail(self, msg: str) -> None:
        self.problems.append(msg)

    def index(self, name: str, key: str = "key") -> dict:
        out = {}
        for i, row in enumerate(self.d[name]):
            k = row.get(key)
            if not isinstance(k, str) or not KEY_RE.match(k):
                self.fail(f"{name}[{i}]: {key} {k!r} is not kebab-case ASCII")
            if k in out:
                self.fail(f"{name}: duplicate {key} {k!r}")
            out[k] = row
        return out

    def require(self, name: str, row: dict, fields: list[str]) -> None:
        for f in fields:
            if f not in row:
                self.fail(f"{name} {row.get('key', row.get('code', '?'))}: missing field {f!r}")

    def once_each(self, counted: Iterable[tuple[object, int]], what: str) -> None:
        """A problem for every value counted more than once; ``what`` names it ("people: {}")."""
        for value, n in counted:
            if n > 1:
                self.fail(f"{what.format(value)} used {n} times")

    def one_of(self, where: str, row: dict, field: str, allowed) -> None:
        if row.get(field) not in allowed:
            self.fail(f"{where}: {field} {row.get(field)!r}")

    def trl_ok(self, where: str, trl) -> None:
        if not is_int(trl) or not 1 <= trl <= 9:
            self.fail(f"{where}: TRL {trl!r} outside 1-9")

    # ------------------------------------------------------------------ generic
    def check_text(self) -> None:
        for name, rows in self.d.items():
            for path, s in strings(rows):
                if unicodedata.normalize("NFC", s) != s:
                    self.fail(f"{name} {path}: text is not NFC")
                if s != s.strip():
                    self.fail(f"{name} {path}: leading or trailing white space")
        for (name, field), limit in MAX_LEN.items():
            for row in self.d[name]:
                value = row.get(field)
                if isinstance(value, str) and len(value) > limit:
                    self.fail(
                        f"{name} {row.get('key', row.get('code'))}: {field} longer than {limit}"
                    )

    # ------------------------------------------------------------------ taxonomy
    def check_taxonomy(self) -> None:
        self.fields = self.index("taxonomy", "code")
        for code, row in self.fields.items():
            self.require("taxonomy", row, ["code", "name_vi", "name_en", "parent"])
            parent = row.get("parent")
            if parent is not None:
                if parent not in self.fields:
                    self.fail(f"taxonomy {code}: unknown parent {parent!r}")
                elif self.fields[parent].get("parent") is not None:
                    self.fail(f"taxonomy {code}: more than two levels")
        for code in sorted(REQUIRED_FIELDS - set(self.fields)):
            self.fail(f"taxonomy: required field code {code!r} missing")
        if not MINIMUMS["taxonomy_min"] <= len(self.fields) <= 30:
            self.fail(f"taxonomy: {len(self.fields)} codes, expected 20-30")

    def field_ok(self, where: str, code) -> None:
        if code not in self.fields:
            self.fail(f"{where}: unknown field code {code!r}")

    def fields_ok(self, where: str, codes) -> None:
        for code in codes or []:
            self.field_ok(where, code)

    # ------------------------------------------------------------------ organisations
    def check_organisations(self) -> None:
        self.orgs = self.index("organisations")
        taxes = Counter()
        for key, o in self.orgs.items():
            self.require("organisations", o, ["kind", *ORG_FIELDS])
            kind = o.get("kind")
            if kind not in ORG_KINDS:
                self.fail(f"organisation {key}: unknown kind {kind!r}")
            self.check_tax_code(key, o, taxes)
            if o.get("ror_id") is not None:
                self.fail(f"organisation {key}: ror_id should be null in the demo data")
            web = o.get("website")
            if web is not None and not re.match(r"^https://[a-z0-9.-]+\.[a-z]{2,}(/.*)?$", web):
                self.fail(f"organisation {key}: website {web!r} is not an https:// address")
            if not o.get("province"):
                self.fail(f"organisation {key}: empty province")
        self.once_each(taxes.items(), "organisations: tax code {}")
        kinds = Counter(o.get("kind") for o in self.orgs.values())
        self.counts.update(
            {
                "research_orgs": kinds["university"] + kinds["research_institute"],
                "enterprises": kinds["enterprise"],
                "startup_orgs": kinds["startup"],
                "investor_orgs": kinds["investor"],
                "fund_orgs": kinds["fund"],
                "government_agencies": kinds["government_agency"],
                "lab_operators": kinds["lab_operator"],
            }
        )
        outside = [
            k
            for k, o in self.orgs.items()
            if o.get("kind") == "investor" and o.get("province") != HUE
        ]
        if len(outside) < 2:
            self.fail("organisations: expected at least two investors based outside Huế")

    def check_tax_code(self, key: str, o: dict, taxes: Counter) -> None:
        kind, tax = o.get("kind"), o.get("tax_code")
        if tax is None:
            if kind in ("enterprise", "startup", "investor"):
                self.fail(f"organisation {key}: {kind} without a tax code")
            return
        taxes[tax] += 1
        if not tax_code_ok(tax):
            self.fail(f"organisation {key}: invalid tax code {tax!r}")
        if (
            kind in ("enterprise", "startup")
            and o.get("province") == HUE
            and not tax.startswith("33")
        ):
            self.fail(f"organisation {key}: Huế {kind} tax code should start with 33")

    def domain(self, org_key: str) -> str | None:
        web = self.orgs[org_key].get("website")
        if not web:
            return None
        host = web.split("//", 1)[1].split("/", 1)[0]
        return host[4:] if host.startswith("www.") else host

    # ------------------------------------------------------------------ people
    def check_people(self) -> None:
        self.people = self.index("people")
        emails, orcids, roles = Counter(), Counter(), Counter()
        for key, p in self.people.items():
            self.require(
                "people",
                p,
                ["full_name", "honorific", "email", "orcid", "expertise", "org_key", "position"],
            )
            org = p.get("org_key")
            if org not in self.orgs:
                self.fail(f"person {key}: unknown org_key {org!r}")
                continue
            research = self.orgs[org]["kind"] in RESEARCH_KINDS
            roles["researchers" if research else "other_people"] += 1
            self.check_person(key, p, org, emails, orcids)
        self.once_each([*emails.items(), *orcids.items()], "people: {}")
        staffed = {p.get("org_key") for p in self.people.values()}
        for key, o in self.orgs.items():
            if (
                o.get("kind") in ("enterprise", "startup", "investor", "fund")
                and key not in staffed
            ):
                self.fail(f"organisation {key}: no contact person")
        self.counts.update(
            {
                "researchers": roles["researchers"],
                "other_people": roles["other_people"],
                "orcids": orcids.total(),
            }
        )

    def check_person(self, key: str, p: dict, org: str, emails: Counter, orcids: Counter) -> None:
        """One person of a known organisation; counts their e-mail address and ORCID iD."""
        if p.get("honorific") not in HONORIFICS:
            self.fail(f"person {key}: honorific {p.get('honorific')!r} not allowed")
        email = p.get("email") or ""
        m = EMAIL_RE.match(email)
        if not m:
            self.fail(f"person {key}: email {email!r} is not a lowercase ASCII address")
        else:
            dom = self.domain(org)
            if dom is not None and m.group(1) != dom:
                self.fail(
                    f"person {key}: email domain {m.group(1)} is not the domain of {org} ({dom})"
                )
        emails[email] += 1
        orcid = p.get("orcid")
        if orcid is not None:
            orcids[orcid] += 1
            if not orcid_ok(orcid):
                self.fail(f"person {key}: invalid ORCID {orcid!r}")
        exp = p.get("expertise")
        if not isinstance(exp, list) or not exp or not all(isinstance(x, str) and x for x in exp):
            self.fail(f"person {key}: expertise must be a non-empty list of keywords")

    # ------------------------------------------------------------------ groups and results
    def check_groups(self) -> None:
        self.groups = self.index("groups")
        for key, g in self.groups.items():
            self.require(
                "groups",
                g,
                [
                    "org_key",
                    "name_vi",
                    "name_en",
                    "leader_key",
                    "member_keys",
                    "field_codes",
                    "description",
                ],
            )
            org = g.get("org_key")
            if org not in self.orgs:
                self.fail(f"group {key}: unknown org_key {org!r}")
            elif self.orgs[org]["kind"] not in RESEARCH_KINDS:
                self.fail(f"group {key}: organisation {org} is not a research organisation")
            members = g.get("member_keys") or []
            for m in members:
                if m not in self.people:
                    self.fail(f"group {key}: unknown member {m!r}")
            if len(set(members)) != len(members):
                self.fail(f"group {key}: repeated member")
            leader = g.get("leader_key")
            if leader not in self.people:
                self.fail(f"group {key}: unknown leader {leader!r}")
            elif leader not in members:
                self.fail(f"group {key}: leader is not among the members")
            elif self.people[leader]["org_key"] != org:
                self.fail(f"group {key}: leader does not belong to {org}")
            if not g.get("field_codes"):
                self.fail(f"group {key}: no field codes")
            for code in g.get("field_codes") or []:
                self.field_ok(f"group {key}", code)
        self.counts["groups"] = len(self.groups)

    def check_results(self) -> None:
        self.results = self.index("results")
        for key, r in self.results.items():
            self.require(
                "results",
                r,
                # the seed names its group by key where the platform stores group_id
                ["group_key", "state", *(f for f in FIELDS["result"] if f != "group_id")],
            )
            where = f"result {key}"
            if r.get("group_key") not in self.groups:
                self.fail(f"{where}: unknown group {r.get('group_key')!r}")
            self.field_ok(where, r.get("field_code"))
            self.trl_ok(where, r.get("trl"))
            self.one_of(where, r, "ip_status", IP_STATUSES)
            self.one_of(where, r, "confidentiality", CONFIDENTIALITY)
            self.one_of(where, r, "state", RESULT_STATES)
            self.one_of(where, r, "language", ("vi", "en"))
            if not r.get("keywords"):
                self.fail(f"{where}: no keywords")
            text = " ".join([r.get("title", ""), r.get("summary", ""), r.get("details", "")])
            if r.get("language") == "vi" and not has_vietnamese_marks(text):
                self.fail(f"{where}: marked vi but written without diacritics")
        states = Counter(r.get("state") for r in self.results.values())
        langs = Counter(r.get("language") for r in self.results.values())
        self.counts["results"] = len(self.results)
        if states["archived"] != 2:
            self.fail(f"results: {states['archived']} archived, expected 2")
        if not 1 <= states["draft"] <= 6:
            self.fail(f"results: {states['draft']} drafts, expected a few")
        if not 3 <= langs["en"] <= 5:
            self.fail(f"results: {langs['en']} in English, expected 3-5")

    # ------------------------------------------------------------------ needs
    def check_needs(self) -> None:
        self.needs = self.index("needs")
        self.expired = []
        for key, n in self.needs.items():
            self.require(
                "needs",
                n,
                [
                    "org_key",
                    "title",
                    "problem",
                    "expected_outcome",
                    "field_code",
                    "trl_wanted",
                    "budget_min",
                    "budget_max",
                    "deadline_days",
                    "state",
                ],
            )
            where = f"need {key}"
            org = n.get("org_key")
            if org not in self.orgs:
                self.fail(f"{where}: unknown org_key {org!r}")
            elif self.orgs[org]["kind"] != "enterprise":
                self.fail(f"{where}: {org} is not an enterprise")
            self.field_ok(where, n.get("field_code"))
            self.trl_ok(where, n.get("trl_wanted"))
            self.check_budget(where, n.get("budget_min"), n.get("budget_max"))
            self.check_deadline(key, n.get("deadline_days"))
            self.one_of(where, n, "state", NEED_STATES)
        if len(self.expired) != 2:
            self.fail(f"needs: {len(self.expired)} with a negative deadline, expected 2")
        self.counts["needs"] = len(self.needs)
        self.counts["need_enterprises"] = len({n.get("org_key") for n in self.needs.values()})

    def check_budget(self, where: str, lo, hi) -> None:
        if not (is_int(lo) and is_int(hi)):
            self.fail(f"{where}: budgets must be integers (VND)")
            return
        if lo > hi:
            self.fail(f"{where}: budget_min > budget_max")
        if lo < 50_000_000 or hi > 5_000_000_000:
            self.fail(f"{where}: budget outside 50.000.000-5.000.000.000 VND")

    def check_deadline(self, key: str, days) -> None:
        """Days from today to a need's deadline; a negative one marks a need past its deadline."""
        if not is_int(days):
            self.fail(f"need {key}: deadline_days must be an integer")
        elif days < 0:
            self.expired.append(key)
        elif not 30 <= days <= 365:
            self.fail(f"need {key}: deadline_days {days} outside 30-365")

    # ------------------------------------------------------------------ startups, investors
    def check_startups_investors(self) -> None:
        self.check_startups()
        self.check_investors()

    def check_startups(self) -> None:
        self.startups = self.index("startups")
        for key, s in self.startups.items():
            self.require(
                "startups",
                s,
                ["org_key", "name", "stage", "sector_codes", "funding_sought", "pitch"],
            )
            where = f"startup {key}"
            org = s.get("org_key")
            if not self.org_is(org, ("startup",)):
                self.fail(f"{where}: org_key {org!r} is not a startup organisation")
            self.one_of(where, s, "stage", STAGES)
            self.fields_ok(where, s.get("sector_codes"))
            if not is_int(s.get("funding_sought")) or s["funding_sought"] <= 0:
                self.fail(f"{where}: funding_sought must be a positive integer (VND)")
        self.every_org_listed(
            ("startup",),
            self.startups,
            "organisation {key}: startup without a startups.json entry",
        )

    def check_investors(self) -> None:
        self.investors = self.index("investors")
        for key, i in self.investors.items():
            self.require(
                "investors",
                i,
                ["org_key", "name", "thesis", "sector_codes", "stages", "ticket_min", "ticket_max"],
            )
            where = f"investor {key}"
            org = i.get("org_key")
            if not self.org_is(org, ("investor", "fund")):
                self.fail(f"{where}: org_key {org!r} is not an investor or fund")
            self.fields_ok(where, i.get("sector_codes"))
            for stage in i.get("stages") or []:
                if stage not in STAGES:
                    self.fail(f"{where}: stage {stage!r}")
            if not ordered(i.get("ticket_min"), i.get("ticket_max")):
                self.fail(f"{where}: ticket_min must be an integer <= ticket_max")
        self.every_org_listed(
            ("investor", "fund"),
            self.investors,
            "organisation {key}: {kind} without an investors.json entry",
        )

    def org_is(self, org, kinds: tuple[str, ...]) -> bool:
        return org in self.orgs and self.orgs[org]["kind"] in kinds

    def every_org_listed(self, kinds: tuple[str, ...], rows: dict, message: str) -> None:
        """Each organisation of these kinds has a row (of ``rows``) naming it."""
        listed = {row.get("org_key") for row in rows.values()}
        for key, o in self.orgs.items():
            if o["kind"] in kinds and key not in listed:
                self.fail(message.format(key=key, kind=o["kind"]))

    # ------------------------------------------------------------------ intended matches
    def check_matches(self) -> None:
        self.by_kind = {
            "need": self.needs,
            "result": self.results,
            "startup": self.startups,
            "investor": self.investors,
            "group": self.groups,
        }
        seen: set[tuple[str, str]] = set()
        well_matched: set[str] = set()  # needs with a relevance-2 result
        pairs: list[tuple[str, str, str, str]] = []  # (source kind, key, target kind, key)
        for i, m in enumerate(self.d["intended_matches"]):
            pair = self.check_intended(i, m, seen, well_matched)
            if pair is not None:
                pairs.append(pair)
        for key, n in self.needs.items():
            if n.get("state") == "published" and key not in well_matched:
                self.fail(f"need {key}: published without a relevance-2 intended result")
        with_investor = {s_key for s_kind, s_key, _, _ in pairs if s_kind == "startup"}
        for key in self.startups:
            if key not in with_investor:
                self.fail(f"startup {key}: no intended investor")
        self.check_hard_negatives(seen)
        self.counts["group_need_pairs"] = sum(1 for s_kind, *_ in pairs if s_kind == "group")
        self.counts["intended_matches"] = len(self.d["intended_matches"])
        self.check_unmatched_results({t_key for _, _, t_kind, t_key in pairs if t_kind == "result"})

    def check_intended(
        self, i: int, m: dict, seen: set, well_matched: set
    ) -> tuple[str, str, str, str] | None:
        """One intended match; its kinds and keys when both ends exist."""
        src, tgt, rel = m.get("source", ""), m.get("target", ""), m.get("relevance")
        s_kind, _, s_key = src.partition(":")
        t_kind, _, t_key = tgt.partition(":")
        where = f"intended_matches[{i}] {src} -> {tgt}"
        problem = self.pair_problem(s_kind, s_key, t_kind, t_key)
        if problem:
            self.fail(f"{where}: {problem}")
            return None
        if rel not in (1, 2):
            self.fail(f"{where}: relevance must be 1 or 2")
        if (src, tgt) in seen:
            self.fail(f"{where}: duplicate pair")
        seen.add((src, tgt))
        if t_kind == "result":
            self.check_intended_result(where, s_key, t_key, rel, well_matched)
        return s_kind, s_key, t_kind, t_key

    def pair_problem(self, s_kind: str, s_key: str, t_kind: str, t_key: str) -> str | None:
        if (s_kind, t_kind) not in MATCH_KINDS:
            return "pair of kinds not allowed"
        if s_key not in self.by_kind[s_kind]:
            return "unknown source"
        if t_key not in self.by_kind[t_kind]:
            return "unknown target"
        return None

    def check_intended_result(
        self, where: str, need_key: str, result_key: str, rel, well_matched: set
    ) -> None:
        """A need -> result match: the result is published; a best match's TRL fits the need."""
        result = self.results[result_key]
        if result.get("state") != "published":
            self.fail(f"{where}: target result is {result.get('state')}, not published")
        if rel != 2:
            return
        well_matched.add(need_key)
        wanted = self.needs[need_key]["trl_wanted"]
        if not -2 <= wanted - result["trl"] <= 2:
            self.fail(f"{where}: TRL wanted {wanted} vs offered {result['trl']}")

    def check_hard_negatives(self, intended: set[tuple[str, str]]) -> None:
        for need, result, term in HARD_NEGATIVES:
            if need not in self.needs or result not in self.results:
                self.fail(f"hard negative {need} / {result}: unknown need or result")
                continue
            if (f"need:{need}", f"result:{result}") in intended:
                self.fail(f"hard negative {need} / {result} is listed as an intended match")
            n, r = self.needs[need], self.results[result]
            n_text = fold(" ".join([n["title"], n["problem"], n["expected_outcome"]]))
            r_text = fold(" ".join([r["title"], r["summary"], r["details"], *r["keywords"]]))
            if term not in n_text or term not in r_text:
                self.fail(f"hard negative {need} / {result}: term {term!r} not in both texts")

    def check_unmatched_results(self, targeted: set[str]) -> None:
        unmatched = sorted(
            k
            for k, r in self.results.items()
            if r.get("state") == "published" and k not in targeted
        )
        self.notes.append(
            f"published results no need points to ({len(unmatched)}): {', '.join(unmatched)}"
        )
        if not 3 <= len(unmatched) <= 8:
            self.fail(
                f"results: {len(unmatched)} published results match no need, expected about 5"
            )

    # ------------------------------------------------------------------ labs and fund calls
    def check_labs_calls(self) -> None:
        labs = self.index("labs")
        equipment = Counter()
        for key, lab in labs.items():
            if lab.get("org_key") not in self.orgs:
                self.fail(f"lab {key}: unknown org_key {lab.get('org_key')!r}")
            if not lab.get("equipment"):
                self.fail(f"lab {key}: no equipment")
            for e in lab.get("equipment") or []:
                equipment[e.get("key")] += 1
                self.check_equipment(key, e)
        self.once_each(equipment.items(), "labs: equipment key {!r}")
        calls = self.index("fund_calls")
        for key, c in calls.items():
            self.fields_ok(f"fund call {key}", c.get("field_codes"))
            if not ordered(c.get("max_per_project"), c.get("budget_total")):
                self.fail(f"fund call {key}: max_per_project must be an integer <= budget_total")
            if not ordered(c.get("opens_days"), c.get("closes_days"), strict=True):
                self.fail(f"fund call {key}: opens_days must come before closes_days")
        self.counts["labs"] = len(labs)
        self.counts["equipment"] = sum(equipment.values())
        self.counts["fund_calls"] = len(calls)

    def check_equipment(self, lab_key: str, e: dict) -> None:
        if not isinstance(e.get("key"), str) or not KEY_RE.match(e["key"]):
            self.fail(f"lab {lab_key}: equipment key {e.get('key')!r} is not kebab-case ASCII")
        where = f"lab {lab_key} / {e.get('key')}"
        if not is_int(e.get("fee_per_hour")) or e["fee_per_hour"] < 0:
            self.fail(f"{where}: fee_per_hour must be a non-negative integer")
        if not isinstance(e.get("training_required"), bool):
            self.fail(f"{where}: training_required must be true or false")
        if not e.get("name_vi") or not e.get("name_en"):
            self.fail(f"{where}: names missing")

    # ------------------------------------------------------------------ notes for the dev-set builder
    def describe_needs(self) -> None:
        plain = [
            k
            for k, n in self.needs.items()
            if not has_vietnamese_marks(n["title"] + n["problem"])
            and re.search(r"\b(cua|va|cho|khong)\b", n["problem"].lower())
        ]
        english = [
            k
            for k, n in self.needs.items()
            if not has_vietnamese_marks(n["title"] + n["problem"]) and k not in plain
        ]
        drafts = [k for k, n in self.needs.items() if n["state"] == "draft"]
        self.notes.append(f"needs typed without diacritics: {', '.join(plain)}")
        self.notes.append(f"needs written in English: {', '.join(english)}")
        self.notes.append(f"needs past their deadline: {', '.join(self.expired)}")
        self.notes.append(f"draft needs: {', '.join(drafts)}")
        if not 3 <= len(plain) <= 4:
            self.fail(f"needs: {len(plain)} written without diacritics, expected 3-4")
        if not 2 <= len(english) <= 3:
            self.fail(f"needs: {len(english)} written in English, expected 2-3")

    def run(self) -> None:
        self.check_text()
        self.check_taxonomy()
        self.check_organisations()
        self.check_people()
        self.check_groups()
        self.check_results()
        self.check_needs()
        self.check_startups_investors()
        self.check_matches()
        self.check_labs_calls()
        self.describe_needs()
        for name, minimum in MINIMUMS.items():
            if name in self.counts and self.counts[name] < minimum:
                self.fail(f"count {name} = {self.counts[name]}, expected at least {minimum}")
        if self.counts.get("startup_orgs") != 8:
            self.fail(f"count startup_orgs = {self.counts.get('startup_orgs')}, expected 8")


def load(folder: Path) -> tuple[dict[str, list], list[str]]:
    data, problems = {}, []
    for name in FILES:
        path = folder / f"{name}.json"
        try:
            value = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            problems.append(f"{path.name}: missing")
            continue
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            problems.append(f"{path.name}: not UTF-8 JSON ({exc})")
            continue
        if not isinstance(value, list) or not all(isinstance(row, dict) for row in value):
            problems.append(f"{path.name}: must be a JSON array of objects")
            continue
        data[name] = value
    return data, problems


def main(argv: list[str]) -> int:
    folder = Path(argv[1]) if len(argv) > 1 else SEED_DIR
    data, problems = load(folder)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    checker = Checker(data)
    try:
        checker.run()
    except (KeyError, TypeError, AttributeError) as exc:  # a malformed row stops the later checks
        checker.fail(f"malformed data stopped the check: {exc!r}")
    if checker.problems:
        print(f"{len(checker.problems)} problem(s) in the seed data:", file=sys.stderr)
        for p in checker.problems:
            print(f"  - {p}", file=sys.stderr)
        return 1
    print("Seed data OK")
    for name in FILES:
        print(f"  {name + '.json':24} {len(data[name]):4d}")
    for name, value in checker.counts.items():
        print(f"  {name:24} {value:4d}")
    for note in checker.notes:
        print(f"  * {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
