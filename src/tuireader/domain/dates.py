"""Dates as aware UTC datetimes."""

from __future__ import annotations

import email.utils
import re
from datetime import UTC, datetime

_ISO_SPACE = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(.*)$")


def to_utc(value: datetime | None) -> datetime | None:
    """An aware UTC datetime; naive values are taken as UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def parse_date(text: str | None) -> datetime | None:
    """Parse ISO 8601 / RFC 3339 or RFC 822 dates; ``None`` when it is not a date."""
    if not text:
        return None
    text = text.strip()
    if not text:
        return None
    candidate = text.replace("Z", "+00:00").replace("z", "+00:00")
    match = _ISO_SPACE.match(candidate)
    if match:
        candidate = f"{match.group(1)}T{match.group(2)}{match.group(3).strip()}"
    try:
        return to_utc(datetime.fromisoformat(candidate))
    except ValueError:
        pass
    try:
        return to_utc(email.utils.parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError):
        pass
    try:
        return to_utc(datetime.strptime(text[:10], "%Y-%m-%d"))
    except ValueError:
        return None


def from_timestamp(value: float | int | None) -> datetime | None:
    """A UTC datetime from a Unix timestamp."""
    if value is None:
        return None
    return datetime.fromtimestamp(value, UTC)


def to_timestamp(value: datetime | None) -> int | None:
    """Unix seconds for a datetime."""
    return None if value is None else int(to_utc(value).timestamp())  # type: ignore[union-attr]


def short_age(when: datetime | None, now: datetime | None = None) -> str:
    """A short age: "now", "5m", "3h", "2d", "7w", "3y"; empty for no date."""
    if when is None:
        return ""
    seconds = max(0, int(((now or datetime.now(UTC)) - when).total_seconds()))
    for unit, size in (("y", 365 * 86400), ("w", 7 * 86400), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return "now"
