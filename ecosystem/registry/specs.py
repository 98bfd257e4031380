"""What differs between the four kinds of listing; the views are shared."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from ecosystem.registry import forms
from ecosystem.registry.enums import OrgKind, RecordKind
from ecosystem.registry.models import LISTING_MODELS


@dataclass(frozen=True)
class ListingSpec:
    kind: str
    form: type
    label: Any
    label_plural: Any
    new_label: Any
    owner_kinds: tuple[OrgKind, ...]

    @property
    def model(self) -> type:
        return LISTING_MODELS[self.kind]

    @property
    def blueprint(self) -> str:
        return f"{self.kind}s"

    @property
    def url_prefix(self) -> str:
        return f"/{self.kind}s"


RESEARCH_ORGS = (
    OrgKind.university,
    OrgKind.research_institute,
    OrgKind.lab_operator,
    OrgKind.enterprise,
    OrgKind.startup,
)
SPECS: dict[str, ListingSpec] = {
    RecordKind.result: ListingSpec(
        RecordKind.result,
        forms.ResultForm,
        _l("Kết quả nghiên cứu"),
        _l("Kết quả nghiên cứu và công nghệ"),
        _l("Đăng kết quả nghiên cứu"),
        RESEARCH_ORGS,
    ),
    RecordKind.need: ListingSpec(
        RecordKind.need,
        forms.NeedForm,
        _l("Nhu cầu công nghệ"),
        _l("Nhu cầu công nghệ (chợ bài toán)"),
        _l("Đăng nhu cầu công nghệ"),
        tuple(OrgKind),
    ),
    RecordKind.startup: ListingSpec(
        RecordKind.startup,
        forms.StartupForm,
        _l("Khởi nghiệp"),
        _l("Doanh nghiệp khởi nghiệp"),
        _l("Đăng hồ sơ khởi nghiệp"),
        (OrgKind.startup, OrgKind.enterprise),
    ),
    RecordKind.investor: ListingSpec(
        RecordKind.investor,
        forms.InvestorForm,
        _l("Nhà đầu tư"),
        _l("Nhà đầu tư"),
        _l("Đăng hồ sơ nhà đầu tư"),
        (OrgKind.investor, OrgKind.fund, OrgKind.enterprise),
    ),
}
