"""Publication times with their offset; display in one stated zone; --since bounds."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from config.settings import Settings
from config.sources import Source
from config.timezones import aware_published, day_start, has_offset, show_time


def test_aware_published_keeps_the_page_offset_else_reads_the_source_zone() -> None:
    assert aware_published("2026-11-18T09:30+08:00", "UTC") == "2026-11-18T09:30:00+08:00"
    assert aware_published("2026-11-18T01:30:00Z", "Asia/Shanghai") == \
        "2026-11-18T01:30:00+00:00"
    assert aware_published("2026-11-18T09:30", "Asia/Shanghai") == "2026-11-18T09:30:00+08:00"
    assert aware_published("2026-11-18 09:30:15", "America/New_York") == \
        "2026-11-18T09:30:15-05:00"
    assert aware_published("2026-11-18", "Asia/Shanghai") == "2026-11-18T00:00:00+08:00"
    assert aware_published("2026-02-30", "UTC") is None
    assert aware_published("yesterday", "UTC") is None
    assert has_offset("2026-11-18T09:30+0800") and not has_offset("2026-11-18T09:30")


def test_show_time_in_the_display_zone() -> None:
    stored = "2026-11-18T09:30:00+08:00"
    assert show_time(stored, "Asia/Shanghai") == "2026-11-18 09:30 +08:00"
    assert show_time(stored, "UTC") == "2026-11-18 01:30 +00:00"
    assert show_time(datetime(2026, 11, 18, 1, 30, tzinfo=UTC), "Asia/Shanghai") == \
        "2026-11-18 09:30 +08:00"
    assert show_time(None, "UTC") == "-"


def test_since_dates_are_read_in_the_display_zone() -> None:
    assert day_start("2026-11-18", "Asia/Shanghai") == "2026-11-18T00:00:00+08:00"
    assert day_start("2026-11-18T10:00", "UTC") == "2026-11-18T10:00:00+00:00"
    with pytest.raises(ValueError, match="not a date"):
        day_start("soon", "UTC")


def test_source_and_display_zones_are_validated(monkeypatch: pytest.MonkeyPatch) -> None:
    zh = Source(id="a", name="A", kind="government", list_urls=["https://a.cn/"])
    en = Source(id="b", name="B", kind="regulator", language="en", timezone="Europe/Amsterdam",
                list_urls=["https://b.eu/"])
    assert (zh.zone_name, en.zone_name) == ("Asia/Shanghai", "Europe/Amsterdam")
    with pytest.raises(ValueError, match="unknown time zone"):
        Source(id="c", name="C", kind="regulator", timezone="Mars/Olympus",
               list_urls=["https://c.org/"])
    monkeypatch.setenv("CGTWATCH_DISPLAY__TIMEZONE", "UTC")
    assert Settings().display.timezone == "UTC"
    assert Settings(display={"timezone": "Asia/Shanghai"}).display.timezone == "Asia/Shanghai"
