"""Builders for the dashboard: tasks, and the committee's accounts."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from ecosystem.dashboard import tracker
from ecosystem.dashboard.figures import cache, open_data_cache
from ecosystem.dashboard.models import SteeringTask

_codes = itertools.count(1)


@pytest.fixture
def secretariat(make_platform_user):
    return make_platform_user("secretariat", full_name="Tổ giúp việc")


@pytest.fixture
def steering(make_platform_user):
    return make_platform_user("steering", full_name="Thành viên BCĐ")


@pytest.fixture
def make_task(db_session, secretariat):
    def _make(**fields) -> SteeringTask:
        values = {
            "code": f"T-{next(_codes):04d}",
            "title": "Xây dựng cơ sở dữ liệu mở",
            "source": "resolution_57",
            "unit": "Sở Khoa học và Công nghệ",
            "deadline": dt.date(2027, 6, 30),
            "kind": "one_off",
        }
        values.update(fields)
        return tracker.create_task(values, secretariat)

    return _make


@pytest.fixture(autouse=True)
def _fresh_indicators():
    """Each test computes its indicators from its own records, not another test's cache."""

    cache.clear()
    open_data_cache.clear()
    yield
    cache.clear()
    open_data_cache.clear()
