"""Settings read from ``config.toml``; an unknown key or a bad value names the key."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from tuireader.config.accounts import parse_accounts
from tuireader.config.filters import parse_ignore, parse_views
from tuireader.domain.accounts import Account
from tuireader.domain.errors import ConfigError
from tuireader.domain.files import os_reason
from tuireader.domain.killfile import IgnoreRule, SavedView

FULL_TEXT_MODES = ("auto", "always", "never")


@dataclass(frozen=True, slots=True)
class GeneralSettings:
    """``[general]``."""

    refresh_on_start: bool = True
    """Refresh every source in the background when the app starts."""
    mark_read_delay: float = 0.0
    """Seconds a story must stay open before it is marked read."""
    theme: str = "textual-dark"
    """The app's colour theme."""
    browser: str = ""
    """Command to open links with (the URL is passed as one argument); empty: the system's."""
    show_sidebar: bool = True
    """Show the sidebar on terminals at least 80 columns wide."""
    full_text: str = "auto"
    """Fetch each story's page: "always", "never", or "auto" (when the feed's text is short)."""
    full_text_words: int = 80
    """In "auto", a feed text shorter than this many words gets its page fetched."""


@dataclass(frozen=True, slots=True)
class NetworkSettings:
    """``[network]``."""

    concurrency: int = 16
    """Requests at once, overall."""
    per_host: int = 4
    """Requests at once to one host."""
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    deadline: float = 45.0
    """Seconds one feed may take in all, counted from the start of the refresh (waiting for
    a free connection to its host included)."""
    refresh_deadline: float = 120.0
    """Seconds a whole refresh may take, full-text pages included; what is not done by
    then is reported as timed out."""
    max_feed_mb: int = 20
    """Largest feed accepted, decompressed."""


@dataclass(frozen=True, slots=True)
class RetentionSettings:
    """``[retention]``: defaults for every source; 0 means no limit."""

    max_stories: int = 0
    max_age_days: int = 0


@dataclass(frozen=True, slots=True)
class DiscoverySettings:
    """``[discovery]``."""

    trending_hours: int = 48
    """How far back "Ranking" (trending) looks."""


# --- acting on stories (issue 13): [actions] and [macros] ---------------------------------
PIPE_SENDS = ("markdown", "url")


@dataclass(frozen=True, slots=True)
class ActionSettings:
    """``[actions]``: playing and downloading enclosures, piping stories, notifications."""

    player: tuple[str, ...] = ()
    """Argument list that plays or opens an enclosure (its URL, or its downloaded file, is
    appended); empty: the system's opener (``xdg-open`` / ``open``)."""
    download_dir: str = "~/Downloads/tuireader"
    """Where enclosures are downloaded (``~`` is the home directory)."""
    download_max_mb: int = 2048
    """Largest enclosure downloaded; a bigger one stops with an error (0: no limit)."""
    pipe_command: tuple[str, ...] = ()
    """Argument list the pipe key offers (the story goes to its stdin)."""
    pipe_sends: str = "markdown"
    """What a pipe sends: "markdown" (the story as Markdown) or "url" (its link)."""
    pipe_timeout: float = 30.0
    """Seconds a piped command may run before it is stopped."""
    notify_command: tuple[str, ...] = ()
    """After a refresh that brought new stories: run this argument list with the count and
    the new stories' titles appended as arguments."""
    notify_bell: bool = False
    """After a refresh that brought new stories: ring the terminal bell (the app only)."""
    notify_desktop: bool = False
    """After a refresh that brought new stories: the terminal's desktop notification
    (OSC 9 or OSC 777) where the terminal has one (the app only)."""


def _macros(value: Any) -> dict[str, tuple[str, ...]]:
    """``[macros]``: key → command ids; the ids are checked where the commands are known."""
    if not isinstance(value, dict):
        raise ConfigError("config: [macros] maps keys to lists of command ids")
    out: dict[str, tuple[str, ...]] = {}
    for key, ids in value.items():
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
            raise ConfigError(f"config: 'macros.{key}' must be a list of command ids, got {ids!r}")
        out[key] = tuple(ids)
    return out


@dataclass(frozen=True, slots=True)
class SourceOverride:
    """``[sources."URL or title"]``: settings for one source."""

    max_stories: int = 0
    max_age_days: int = 0
    full_text: str = ""
    """Empty: as ``general.full_text``."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything in ``config.toml``."""

    general: GeneralSettings = field(default_factory=GeneralSettings)
    network: NetworkSettings = field(default_factory=NetworkSettings)
    retention: RetentionSettings = field(default_factory=RetentionSettings)
    discovery: DiscoverySettings = field(default_factory=DiscoverySettings)
    keys: dict[str, str] = field(default_factory=dict)
    """Command id → keys (comma-separated), overriding the defaults."""
    sources: dict[str, SourceOverride] = field(default_factory=dict)
    accounts: dict[str, Account] = field(default_factory=dict)
    """``[accounts.<name>]``: sync accounts by name, in the file's order."""
    views: dict[str, SavedView] = field(default_factory=dict)
    """``[views.<name>]``: saved views (filter expressions), in the file's order."""
    ignore: tuple[IgnoreRule, ...] = ()
    """``[[ignore]]``: killfile rules, in the file's order."""
    actions: ActionSettings = field(default_factory=ActionSettings)
    macros: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """``[macros]``: a key → the command ids it runs, in order."""


_MIN_ONE = {"concurrency", "per_host", "max_feed_mb", "trending_hours"}
_POSITIVE = {"connect_timeout", "read_timeout", "deadline", "refresh_deadline"}


def _section(cls: type[Any], raw: Any, where: str) -> Any:
    if not isinstance(raw, dict):
        raise ConfigError(f"config: [{where}] must be a table")
    known = {f.name: f for f in fields(cls)}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        name = f"{where}.{key}"
        if key not in known:
            raise ConfigError(f"config: unknown key '{name}'")
        default = getattr(cls(), key)
        values[key] = _check(name, key, value, default)
    return cls(**values)


def _check(name: str, key: str, value: Any, default: Any) -> Any:
    if isinstance(default, tuple):
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise ConfigError(
                f"config: '{name}' must be a list of strings (an argument list), got {value!r}"
            )
        return tuple(value)
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ConfigError(f"config: '{name}' must be true or false, got {value!r}")
    elif isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ConfigError(f"config: '{name}' must be a whole number ≥ 0, got {value!r}")
        if key in _MIN_ONE and value < 1:
            raise ConfigError(f"config: '{name}' must be at least 1, got {value!r}")
    elif isinstance(default, float):
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ConfigError(f"config: '{name}' must be a number ≥ 0, got {value!r}")
        if key in _POSITIVE and value <= 0:
            raise ConfigError(f"config: '{name}' must be more than 0, got {value!r}")
        value = float(value)
    elif isinstance(default, str):
        if not isinstance(value, str):
            raise ConfigError(f"config: '{name}' must be a string, got {value!r}")
        if key == "full_text" and value not in FULL_TEXT_MODES:
            raise ConfigError(f"config: '{name}' must be one of {', '.join(FULL_TEXT_MODES)}")
        if key == "pipe_sends" and value not in PIPE_SENDS:
            raise ConfigError(f"config: '{name}' must be one of {', '.join(PIPE_SENDS)}")
    return value


def parse_settings(text: str) -> Settings:
    """Settings from TOML text; raises :class:`ConfigError` naming the bad key."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config: not valid TOML: {exc}") from None
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if key == "general":
            out[key] = _section(GeneralSettings, value, key)
        elif key == "network":
            out[key] = _section(NetworkSettings, value, key)
        elif key == "retention":
            out[key] = _section(RetentionSettings, value, key)
        elif key == "discovery":
            out[key] = _section(DiscoverySettings, value, key)
        elif key == "keys":
            if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
                raise ConfigError("config: [keys] maps command ids to key strings")
            out[key] = dict(value)
        elif key == "sources":
            if not isinstance(value, dict):
                raise ConfigError("config: [sources] must be a table of tables")
            out[key] = {
                ref: _section(SourceOverride, table, f'sources."{ref}"')
                for ref, table in value.items()
            }
        elif key == "accounts":
            out[key] = parse_accounts(value)
        elif key == "views":
            out[key] = parse_views(value)
        elif key == "ignore":
            out[key] = parse_ignore(value)
        elif key == "actions":
            out[key] = _section(ActionSettings, value, key)
        elif key == "macros":
            out[key] = _macros(value)
        else:
            raise ConfigError(f"config: unknown key '{key}'")
    return Settings(**out)


def load_settings(path: Path) -> Settings | None:
    """Settings from ``path``, or ``None`` when there is no config file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError(f"config: cannot read {path}: {os_reason(exc)}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"config: {path} is not UTF-8 text") from None
    return parse_settings(text)


TEMPLATE = """\
# tuireader configuration. Every key is optional; the values shown are the defaults.

[general]
refresh_on_start = true    # refresh sources in the background when the app opens
mark_read_delay = 0.0      # seconds a story stays open before it counts as read
theme = "textual-dark"
browser = ""               # command to open links with; empty = the system browser
show_sidebar = true
full_text = "auto"         # fetch story pages: auto (short feed text) | always | never
full_text_words = 80       # "short" in auto

[network]
concurrency = 16           # requests at once
per_host = 4               # requests at once to one host
connect_timeout = 10.0
read_timeout = 20.0
deadline = 45.0            # seconds one feed may take in all, waiting for its host included
refresh_deadline = 120.0   # seconds a whole refresh may take, full-text pages included
max_feed_mb = 20           # largest feed accepted, decompressed

[retention]                # 0 = keep everything; unread and starred stories are always kept
max_stories = 0
max_age_days = 0

[discovery]
trending_hours = 48        # how far back "Ranking" (trending) looks

[keys]                     # command id = "key,key"; see the help screen (?) for ids
# next_unread = "n,ctrl+n"

# Per-source settings, by URL, path or title:
# [sources."https://example.org/feed.xml"]
# max_stories = 200
# max_age_days = 30
# full_text = "auto"       # auto | always | never
# (`tuireader source set SOURCE key=value` sets these and more on one source, kept with it:
#  refresh_interval, user_agent, auth_user, password_command, cookies_file)

# Saved views, shown in the sidebar with unread counts (the filter language: see README):
# [views.linux]
# query = 'title =~ "linux" and age < 7'

# Killfile rules, applied as stories arrive and to what is stored; never to starred ones:
# [[ignore]]
# query = 'title =~ "^Sponsored"'
# sources = ["https://example.org/feed.xml"]   # optional: only these sources
# action = "hide"          # hide | mark_read

[actions]
player = []                # e.g. ["mpv", "--no-video"]; the enclosure's URL or file is appended
download_dir = "~/Downloads/tuireader"
download_max_mb = 2048     # larger enclosures are not downloaded (0 = no limit)
pipe_command = []          # e.g. ["wc", "-w"]: the pipe key (|) sends the story to its stdin
pipe_sends = "markdown"    # markdown | url
pipe_timeout = 30.0
notify_command = []        # e.g. ["notify-send", "tuireader"]: count and titles appended
notify_bell = false        # ring the terminal bell after a refresh with new stories
notify_desktop = false     # the terminal's own desktop notification (OSC 9 / OSC 777)

[macros]                   # a key = the command ids it runs, in order
# p = ["open_browser", "toggle_read"]

# Sync accounts (`tuireader account add` writes these); sync itself is coming:
# [accounts.home]
# type = "miniflux"        # greader | fever | ttrss | miniflux | nextcloud | folder
# url = "https://rss.example.org"   # a folder account takes path = "~/Sync/tuireader"
# user = "me"
# password_command = "pass show rss"   # first line of its output; or the system keyring
"""
