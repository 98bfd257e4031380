"""Identifier validation and name keys for duplicate detection.

Vietnamese tax codes (mã số thuế) carry a check digit; ORCID iDs use ISO 7064 MOD 11-2;
ROR ids end in a two-digit ISO 7064 MOD 97-10 checksum over their base-32 number.
"""

from __future__ import annotations

import re

from ecosystem.core.text import fold

_TAX_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
_TAX_RE = re.compile(r"^(\d{10})(?:-(\d{3}))?$")
_ORCID_RE = re.compile(r"^(?:https?://orcid\.org/)?(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dX])$", re.I)
_ROR_RE = re.compile(r"^(?:https?://ror\.org/)?(0[0-9a-hj-km-np-tv-z]{6}\d{2})$", re.I)
_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"


def tax_check_digit(first_nine: str) -> int | None:
    """The 10th digit for the first nine; None when the formula gives 10 (never issued)."""
    total = sum(int(d) * w for d, w in zip(first_nine, _TAX_WEIGHTS, strict=True))
    digit = 10 - total % 11
    return None if digit == 10 else digit


def normalize_tax_code(value: str) -> str | None:
    """'3301234567' or '3301234567-001' with a valid check digit, else None."""
    cleaned = re.sub(r"[\s.]", "", value or "")
    match = _TAX_RE.match(cleaned)
    if not match:
        return None
    main = match.group(1)
    if tax_check_digit(main[:9]) != int(main[9]):
        return None
    return cleaned


def orcid_check_char(first_fifteen: str) -> str:
    total = 0
    for ch in first_fifteen:
        total = (total + int(ch)) * 2
    result = (12 - total % 11) % 11
    return "X" if result == 10 else str(result)


def normalize_orcid(value: str) -> str | None:
    """'0000-0002-1825-0097' (also accepts the URL form and missing dashes), else None."""
    match = _ORCID_RE.match((value or "").strip())
    if not match:
        return None
    digits = "".join(match.groups()).upper()
    if orcid_check_char(digits[:15]) != digits[15]:
        return None
    return "-".join(digits[i : i + 4] for i in range(0, 16, 4))


def normalize_ror(value: str) -> str | None:
    match = _ROR_RE.match((value or "").strip())
    if not match:
        return None
    ror = match.group(1).lower()
    number = 0
    for ch in ror[1:7]:
        number = number * 32 + _CROCKFORD.index(ch)
    expected = 98 - (number * 100 % 97)
    return ror if int(ror[7:]) == expected else None


# Legal forms and generic words that do not tell two organisations apart.
_ORG_PREFIXES = [
    "cong ty co phan",
    "cong ty trach nhiem huu han",
    "cong ty tnhh mot thanh vien",
    "cong ty tnhh mtv",
    "cong ty tnhh",
    "mot thanh vien",
    "mtv",
    "cong ty cp",
    "cong ty",
    "ctcp",
    "cty cp",
    "cty tnhh",
    "tnhh mtv",
    "tnhh",
    "cty",
    "doanh nghiep tu nhan",
    "dntn",
    "truong dai hoc",
    "dai hoc",
    "truong dh",
    "dh",
    "vien nghien cuu",
    "hop tac xa",
    "htx",
    "jsc",
    "co ltd",
    "co., ltd",
    "company limited",
    "joint stock company",
    "university of",
    "university",
]
_ORG_PREFIX_RE = re.compile(
    r"^(?:"
    + "|".join(re.escape(p) for p in sorted(_ORG_PREFIXES, key=len, reverse=True))
    + r")\b\s*"
)
# Abbreviations written out, so "ĐH Khoa học - ĐH Huế" meets "Trường Đại học Khoa học,
# Đại học Huế" (the prefix goes, the "đại học" inside the name stays in both).
_ABBREVIATIONS = {"dh": "dai hoc", "truong dh": "truong dai hoc", "cty": "cong ty"}
_ABBREVIATION_RE = re.compile(
    r"\b(?:" + "|".join(sorted(_ABBREVIATIONS, key=len, reverse=True)) + r")\b"
)
_PUNCT = re.compile(r"[^\w\s]", re.UNICODE)
# A title is followed by a dot or a space: "Ksor H'Bia" and "Tsang Minh" keep their names.
_HONORIFICS = re.compile(
    r"^(?:(?:gs|pgs|ts|ths|ks|bs|cn|ds|tskh|nghien cuu sinh)(?:\s*\.\s*|\s+))+", re.I
)


def organisation_name_key(name: str) -> str:
    """Folded, without punctuation and legal-form prefixes: 'CTCP Thủy sản Huế' -> 'thuy san hue'."""
    text = _PUNCT.sub(" ", fold(name))
    text = re.sub(r"\s+", " ", text).strip()
    text = _ABBREVIATION_RE.sub(lambda m: _ABBREVIATIONS[m.group(0)], text)
    previous = None
    while previous != text:  # "Công ty TNHH MTV ..." strips in several steps
        previous = text
        text = _ORG_PREFIX_RE.sub("", text).strip()
    return text


def person_name_key(name: str) -> str:
    """Folded, honorifics and punctuation removed: 'PGS.TS. Nguyễn Văn An' -> 'nguyen van an'."""
    text = fold(name)
    text = _HONORIFICS.sub("", re.sub(r"\.(?=\S)", ". ", text))
    text = _PUNCT.sub(" ", text)
    text = _HONORIFICS.sub("", re.sub(r"\s+", " ", text).strip() + " ")
    return re.sub(r"\s+", " ", text).strip()
