"""Time zones: publication times stored with their UTC offset, shown in one stated zone.

Input: ISO-like date strings from pages (``2026-11-18``, ``2026-11-18T09:30``,
``2026-11-18 09:30:00+08:00``, ``…Z``) and IANA zone names (a source's ``timezone`` in
``sources.yaml``, the display setting ``CGTWATCH_DISPLAY__TIMEZONE``).  Output: aware ISO
strings ``2026-11-18T09:30:00+08:00`` (a value without an offset is read in the source's
zone; a bare date is the start of that day there), display strings
``2026-11-18 09:30 +08:00`` in the display zone, and ``--since`` bounds with an offset.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

CHINA_ZONE = "Asia/Shanghai"
DEFAULT_DISPLAY_ZONE = CHINA_ZONE
_STAMP = re.compile(
    r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?\s*$", re.I)


def zone(name: str) -> ZoneInfo:
    """The IANA zone ``name``; ValueError naming it when it is unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}: use an IANA name such as "
                         "Asia/Shanghai, America/New_York or UTC") from exc


def default_source_zone(language: str) -> str:
    """Zone of a source that states none: China time for Chinese sources, else UTC."""
    return CHINA_ZONE if language == "zh" else "UTC"


def _offset(text: str) -> timezone:
    if text.upper() == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4])))


def parse_stamp(value: str, default_zone: str) -> datetime | None:
    """An aware datetime for an ISO-like value; its own offset wins over ``default_zone``."""
    m = _STAMP.match(value or "")
    if not m:
        return None
    y, mo, d, h, mi, s, off = m.groups()
    try:
        naive = datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0))
    except ValueError:
        return None
    tz = _offset(off) if off else zone(default_zone)
    return naive.replace(tzinfo=tz)


def has_offset(value: str | None) -> bool:
    """True when an ISO-like value carries its UTC offset."""
    m = _STAMP.match(value or "")
    return bool(m and m.group(7))


def aware_published(value: str | None, default_zone: str) -> str | None:
    """``2026-11-18T09:30:00+08:00`` for a page date; None when it is not a date."""
    found = parse_stamp(value or "", default_zone)
    return found.isoformat(timespec="seconds") if found else None


def show_time(value: str | datetime | None, display_zone: str, missing: str = "-") -> str:
    """``2026-11-18 09:30 +08:00`` in the display zone (naive values are read as UTC)."""
    if value is None or value == "":
        return missing
    when = value if isinstance(value, datetime) else parse_stamp(str(value), "UTC")
    if when is None:
        return str(value)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    local = when.astimezone(zone(display_zone))
    return local.strftime("%Y-%m-%d %H:%M %z")[:-2] + ":" + local.strftime("%z")[-2:]


def day_start(day: str, display_zone: str) -> str:
    """A ``--since`` date or datetime without offset, read in the display zone, as aware ISO."""
    found = parse_stamp(day, display_zone)
    if found is None:
        raise ValueError(f"{day!r} is not a date like 2026-11-18 or 2026-11-18T09:30")
    return found.isoformat(timespec="seconds")


def midnight(when: datetime, display_zone: str) -> datetime:
    """Start of the day of ``when`` in the display zone."""
    local = when.astimezone(zone(display_zone))
    return datetime.combine(local.date(), time(0), tzinfo=local.tzinfo)
