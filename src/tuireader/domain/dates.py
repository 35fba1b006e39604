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


CLOCK_SKEW = 600
"""Seconds a date may lie ahead of our clock and still count as now (a server's skew)."""


def short_age(when: datetime | None, now: datetime | None = None) -> str:
    """A short age: "now", "5m", "3h", "2d", "7w", "3y"; empty for no date.

    A date ahead of the clock is not "now": it shows as the date itself, "12-25" (month-day)
    this year, else its year.
    """
    if when is None:
        return ""
    now = now or datetime.now(UTC)
    seconds = int((now - when).total_seconds())
    if seconds < -CLOCK_SKEW:
        return f"{when:%m-%d}" if when.year == now.year else str(when.year)
    seconds = max(0, seconds)
    for unit, size in (("y", 365 * 86400), ("w", 7 * 86400), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return "now"


SEEN_MARK = "~"
"""Before an age, marks the time a story was first seen (it gives no date of its own)."""


def story_age(
    dated: datetime | None, first_seen: datetime | None, now: datetime | None = None
) -> str:
    """The short age of a headline: its own date's, or for an undated story the time it was
    first seen, marked ("~3h")."""
    if dated is not None:
        return short_age(dated, now)
    if first_seen is None:
        return ""
    return SEEN_MARK + short_age(first_seen, now)


def age_words(
    dated: datetime | None, first_seen: datetime | None, now: datetime | None = None
) -> str:
    """The age in words, for lines with room: "3h", "first seen 3h ago", or a future date
    as the date ("2027-01-05")."""
    now = now or datetime.now(UTC)
    if dated is not None:
        if (dated - now).total_seconds() > CLOCK_SKEW:
            return f"{dated:%Y-%m-%d}"
        return short_age(dated, now)
    if first_seen is None:
        return ""
    age = short_age(first_seen, now)
    return "first seen now" if age == "now" else f"first seen {age} ago"


def date_line(
    published: datetime | None, updated: datetime | None, first_seen: datetime | None
) -> str:
    """A story's date for a header: published, else updated, else when first seen."""
    if published is not None:
        return f"{published:%Y-%m-%d %H:%M} UTC"
    if updated is not None:
        return f"updated {updated:%Y-%m-%d %H:%M} UTC"
    if first_seen is not None:
        return f"undated, first seen {first_seen:%Y-%m-%d %H:%M} UTC"
    return ""
