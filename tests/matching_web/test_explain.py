"""Explanations worded in the reader's language."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask import current_app
from flask_babel import force_locale

from ecosystem.matching.engine.weights import fit_band
from ecosystem.matching.explanation_text import facet_lines, summary, unrelated_fields
from tests.matching_web.test_flow import open_list, sign_in

EXPLANATION = {
    "terms": [
        {"term": "cảm biến iot", "share": 0.5, "contribution": 0.2},
        {"term": "oxy hòa tan", "share": 0.3, "contribution": 0.12},
    ],
    "facets": [
        {"name": "fields", "ok": True, "query": ["aquaculture"], "doc": ["aquaculture"]},
        {"name": "trl", "ok": True, "query": {"trl_wanted": 5}, "doc": {"trl": 6}},
        {"name": "deadline", "ok": False, "query": "2025-01-31", "doc": None},
        {"name": "stage", "ok": True, "query": {"stage": "seed"}, "doc": {"stages": ["seed"]}},
    ],
}


@pytest.mark.parametrize(
    ("locale", "field_name", "marked"),
    [("vi", "Nuôi trồng thủy sản", False), ("en", "Aquaculture", True)],
)
def test_explanation_in_the_readers_language(fields, marked_english, locale, field_name, marked):
    with current_app.test_request_context(), force_locale(locale):
        lines = facet_lines(EXPLANATION)
        sentence = summary(EXPLANATION)
    texts = [text for _ok, text in lines]
    assert [ok for ok, _text in lines] == [True, True, False, True]
    assert field_name in texts[0]
    assert "6" in texts[1] and "5" in texts[1]
    assert "31/01/2025" in texts[2]
    assert all(text.startswith("EN:") is marked for text in texts)
    assert sentence.startswith("EN:" if marked else "Phù hợp vì:")
    assert "cảm biến iot, oxy hòa tan" in sentence
    assert texts[2] not in sentence  # only the facets that fit are in the summary


def test_an_empty_explanation_says_nothing(db_session):
    with current_app.test_request_context():
        assert summary({}) == ""
        assert facet_lines({"facets": [{"name": "unknown", "ok": True}]}) == []


def test_dates_in_explanations_are_not_in_the_past_when_fitting(db_session):
    future = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    with current_app.test_request_context():
        (line,) = facet_lines({"facets": [{"name": "deadline", "ok": True, "query": future}]})
    assert line[0] is True and "còn hạn" in line[1]


def test_list_and_detail_show_the_same_fit_band_with_the_number_on_hover(
    client, world, world_match
):

    sign_in(client, world.users["enterprise"])
    listing = open_list(client)
    detail = client.get(f"/matches/{world_match.id}").get_data(as_text=True)
    band = fit_band(world_match.score)
    number = round(world_match.score * 100)
    for page in (listing, detail):
        badges = re.findall(r'data-fit="(\w+)" title="([^"]+)"', page)
        assert (band, f"Điểm phù hợp {number}/100") in badges
    assert "Điểm 0" not in detail  # no bare number instead of the band


def test_stored_explanations_show_readable_terms_that_add_up(world, world_match):
    terms = world_match.explanation["terms"]
    assert terms
    total = sum(t["share"] for t in terms) + world_match.explanation["other_share"]
    assert total == pytest.approx(1.0, abs=1e-3)
    for t in terms:
        assert not t["term"].isdigit()
        assert t["term"] not in {"ở", "đây", "ở đây", "và", "các", "của"}


def test_unrelated_fields_are_marked(db_session):

    with current_app.test_request_context():
        assert unrelated_fields({"facets": [{"name": "fields", "ok": False, "fit": 0}]})
        assert not unrelated_fields({"facets": [{"name": "fields", "ok": True, "fit": 0.5}]})
        assert not unrelated_fields({})
        (line,) = facet_lines(
            {"facets": [{"name": "fields", "ok": True, "fit": 0.5, "query": [], "doc": []}]}
        )
        assert "lĩnh vực gần" in line[1]
