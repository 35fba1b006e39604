"""Per-source options as the user writes them: ``key=value`` on the command line and in the
app's source settings. Each key is checked here, so both front ends refuse the same input
with the same line."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, fields, replace

from tuireader.domain.errors import UsageError
from tuireader.domain.models import SourceOptions, SourceSettings
from tuireader.domain.text import clean_line

FULL_TEXT_MODES = ("auto", "always", "never")


@dataclass(frozen=True, slots=True)
class OptionInfo:
    """One key: what it means, and an example of a value."""

    key: str
    help: str
    example: str


OPTIONS: tuple[OptionInfo, ...] = (
    OptionInfo("refresh_interval", "fetch at most this often (30m, 2h, 1d)", "2h"),
    OptionInfo("user_agent", "the User-Agent header sent to this source", "Mozilla/5.0"),
    OptionInfo("auth_user", "user name for HTTP basic auth", "me"),
    OptionInfo(
        "password_command", "command printing the basic-auth password", "pass show feeds/me"
    ),
    OptionInfo("cookies_file", "Netscape cookies.txt sent and updated", "~/.cookies.txt"),
    OptionInfo("max_stories", "keep at most N read, unstarred stories (0: all)", "200"),
    OptionInfo("max_age_days", "drop read, unstarred stories older than N days (0: never)", "30"),
    OptionInfo("full_text", "fetch story pages: auto, always or never", "always"),
)
KEYS = tuple(o.key for o in OPTIONS)

_DURATION = re.compile(r"^\s*(\d+)\s*([mhdw]?)\s*$", re.IGNORECASE)
_UNIT_MINUTES = {"": 1, "m": 1, "h": 60, "d": 1440, "w": 10080}


def parse_duration(text: str) -> int:
    """Minutes from ``45``, ``30m``, ``2h``, ``1d`` or ``1w``; :class:`UsageError` otherwise."""
    match = _DURATION.match(text)
    if match is None:
        raise UsageError(f"refresh_interval: {clean_line(text)!r} is not a duration (30m, 2h, 1d)")
    minutes = int(match.group(1)) * _UNIT_MINUTES[match.group(2).lower()]
    if minutes < 1:
        raise UsageError("refresh_interval: at least 1 minute (or empty for every refresh)")
    return minutes


def duration_words(minutes: int) -> str:
    """``90`` is ``1h30m``; ``1440`` is ``1d``."""
    parts = []
    for unit, size in (("d", 1440), ("h", 60), ("m", 1)):
        if minutes >= size:
            parts.append(f"{minutes // size}{unit}")
            minutes %= size
    return "".join(parts) or "0m"


def _count(key: str, value: str) -> int:
    if not value.strip().isdigit():
        raise UsageError(f"{key}: give a whole number ≥ 0, not {clean_line(value)!r}")
    return int(value)


def _text(key: str, value: str) -> str:
    shown = clean_line(value)
    if shown != value.strip():
        raise UsageError(f"{key}: one line of printable text")
    return shown


def normal_key(key: str) -> str:
    """A key as stored (``user-agent`` is ``user_agent``); :class:`UsageError` for an unknown
    one, listing the known ones."""
    name = key.strip().lower().replace("-", "_")
    if name not in KEYS:
        raise UsageError(f"unknown setting {clean_line(key)!r}; known: {', '.join(KEYS)}")
    return name


def with_option(options: SourceOptions, key: str, value: str) -> SourceOptions:
    """``options`` with ``key`` set from the text ``value`` (empty: back to the config's)."""
    name = normal_key(key)
    if not value.strip():
        return replace(options, **{name: None})
    parsed: int | str
    if name == "refresh_interval":
        parsed = parse_duration(value)
    elif name in _COUNTS:
        parsed = _count(name, value)
    elif name == "full_text":
        parsed = value.strip().lower()
        if parsed not in FULL_TEXT_MODES:
            raise UsageError(f"full_text: one of {', '.join(FULL_TEXT_MODES)}")
    elif name == "password_command":
        parsed = _text(name, value)
        try:
            words = shlex.split(str(parsed))
        except ValueError as exc:
            raise UsageError(f"password_command: cannot be split: {exc}") from None
        if not words:
            raise UsageError("password_command: the command is empty")
    else:
        parsed = _text(name, value)
    return replace(options, **{name: parsed})  # type: ignore[arg-type]


def parse_assignments(options: SourceOptions, assignments: list[str]) -> SourceOptions:
    """``options`` with every ``key=value`` applied, in order; :class:`UsageError` for the
    first bad one (nothing is applied then)."""
    if not assignments:
        raise UsageError(f"give key=value (keys: {', '.join(KEYS)})")
    for text in assignments:
        key, eq, value = text.partition("=")
        if not eq:
            raise UsageError(f"{clean_line(text)!r}: write key=value (key= clears it)")
        if key.strip().lower().replace("-", "_") == "password":
            raise UsageError(
                "a password is never stored: set password_command to a command that prints it"
            )
        options = with_option(options, key, value)
    return options


def shown_value(options: SourceOptions, key: str) -> str:
    """A stored option as the user writes it (empty when not set)."""
    value = getattr(options, key)
    if value is None:
        return ""
    if key == "refresh_interval":
        return duration_words(int(value))
    return str(value)


def options_dict(options: SourceOptions) -> dict[str, object]:
    """The options that are set, by key (for storing and for JSON)."""
    return {
        f.name: getattr(options, f.name)
        for f in fields(SourceOptions)
        if getattr(options, f.name) is not None
    }


_COUNTS = ("refresh_interval", "max_stories", "max_age_days")


def _valid(name: str, value: object) -> bool:
    if name in _COUNTS:
        return isinstance(value, int) and not isinstance(value, bool) and value >= 0
    if name == "full_text":
        return value in FULL_TEXT_MODES
    return isinstance(value, str)


def options_from_dict(raw: object) -> SourceOptions:
    """Options from stored JSON; unknown keys and values of the wrong type are dropped (a
    database written by another version stays readable)."""
    if not isinstance(raw, dict):
        return SourceOptions()
    kept = {f.name: raw[f.name] for f in fields(SourceOptions) if _valid(f.name, raw.get(f.name))}
    return SourceOptions(**kept)


def effective_words(settings: SourceSettings, key: str) -> str:
    """A setting in effect, in words (``every refresh``, ``no limit``, ``tuireader's``)."""
    value = getattr(settings, key)
    if key == "refresh_interval":
        return duration_words(int(value)) if value else "every refresh"
    if key in ("max_stories", "max_age_days"):
        return str(value) if value else "no limit"
    if key == "user_agent" and not value:
        return "tuireader's"
    return str(value) if value else "-"


def options_from_texts(texts: dict[str, str]) -> SourceOptions:
    """Options from one text per key (the app's form): an empty text leaves the key to the
    config; :class:`UsageError` for the first bad one."""
    options = SourceOptions()
    for key, text in texts.items():
        options = with_option(options, key, text)
    return options
