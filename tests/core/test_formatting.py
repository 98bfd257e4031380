import datetime as dt
import unicodedata

import pytest

from ecosystem.core.formatting import (
    format_date,
    format_datetime,
    format_details,
    format_vnd,
    parse_vnd,
)
from ecosystem.core.text import fold, normalize


def test_dates_are_day_month_year_in_hue_time():
    # 20:30 UTC on 31 Dec is already 1 Jan in Huế (UTC+7).
    moment = dt.datetime(2025, 12, 31, 20, 30, tzinfo=dt.UTC)
    assert format_date(moment) == "01/01/2026"
    assert format_datetime(moment) == "01/01/2026 03:30"
    assert format_date(dt.date(2026, 3, 9)) == "09/03/2026"


@pytest.mark.parametrize(
    ("amount", "text"), [(1234567, "1.234.567 ₫"), (0, "0 ₫"), (-5000, "-5.000 ₫"), (999, "999 ₫")]
)
def test_money_in_vnd(amount, text):
    assert format_vnd(amount) == text


@pytest.mark.parametrize("typed", ["1.234.567", "1 234 567", "1,234,567 VND", "1234567₫"])
def test_parse_vnd_accepts_common_ways_of_typing(typed):
    assert parse_vnd(typed) == 1234567


@pytest.mark.parametrize("typed", ["", "abc", "12.5e3", "-"])
def test_parse_vnd_rejects_garbage(typed):
    with pytest.raises(ValueError):
        parse_vnd(typed)


def test_folding_removes_diacritics_and_case():
    assert fold("Đại học  HUẾ") == "dai hoc hue"
    assert fold("Nuôi trồng thủy sản") == fold("nuoi trong thuy san")
    # NFD input (as some keyboards produce) folds to the same key as NFC input.
    assert normalize(unicodedata.normalize("NFD", "Huế")) == "huế"


def test_audit_details_read_as_typed():

    text = format_details({"name": "Trường Đại học Huế", "moved": {"người": 2}, "ids": [1, 2]})
    assert text == 'name: Trường Đại học Huế; moved: {"người": 2}; ids: [1, 2]'
    assert "\\u" not in text
    assert format_details(None) == ""
