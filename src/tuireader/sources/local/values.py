"""Loose values from front matter and JSON: dates and lists of strings."""

from __future__ import annotations

from datetime import date, datetime, time

from tuireader.domain.dates import from_timestamp, parse_date, to_utc
from tuireader.domain.text import clean_line


def to_datetime(value: object) -> datetime | None:
    """A front-matter or JSON date value (datetime, date, string, epoch number) as UTC."""
    if isinstance(value, datetime):
        return to_utc(value)
    if isinstance(value, date):
        return to_utc(datetime.combine(value, time()))
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            return from_timestamp(value)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str):
        return parse_date(value)
    return None


def to_strings(value: object) -> tuple[str, ...]:
    """A list, or a comma-separated string, as clean, non-empty strings."""
    if isinstance(value, str):
        parts: list[object] = list(value.split(","))
    elif isinstance(value, list | tuple):
        parts = list(value)
    else:
        return ()
    cleaned = (clean_line(str(p)) for p in parts if isinstance(p, str | int | float))
    return tuple(dict.fromkeys(p for p in cleaned if p))
