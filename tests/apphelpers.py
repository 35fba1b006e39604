"""The real app over a test's own directories, built by the real composition root.

``make_app(home)`` does what ``tuireader`` does: it writes the test's settings into
``home/config/config.toml``, calls :func:`tuireader.app.build_context` (data, config, cache and
log dirs under ``home``; the clock fixed at :data:`NOW`) and hands
:func:`tuireader.app.session_for` to the app. The fixture stories go in through the library that
root built. Nothing here builds a Session or a service by hand (a test in test_rings.py checks
that no test module does either).
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Coroutine, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from textual.app import App
from textual.worker import WorkerCancelled

from tuireader.app import Context, build_context, seed_if_first_run, session_for
from tuireader.content.embedding import WordLlamaEmbedder
from tuireader.domain.models import ContentType, Source, SourceKind, Story
from tuireader.services.library import Library
from tuireader.sources.http import FetchLimits
from tuireader.ui.shell import ReaderApp

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)

SHARED_EMBEDDER = WordLlamaEmbedder()
"""One meaning embedding for every root a test builds: its files are read once per run."""
LIMITS = FetchLimits(connect_timeout=2, read_timeout=2, deadline=4)
"""Fetch limits for tests that build one fetcher by hand (make_app's come from its config)."""
NETWORK = {"connect_timeout": 2.0, "read_timeout": 2.0, "deadline": 4.0}
"""``[network]`` in make_app's config: a loopback server answers at once or not at all."""

HOSTILE = "[bold]x[/] [@click=app.quit]boom[/] [/ \x1b[31mred\x07"

Toml = Mapping[str, Mapping[str, str | bool | int | float]]


def fixture_stories() -> list[tuple[str, list[Story]]]:
    """Two sources with known stories, including hostile and wide titles."""
    harbor = [
        Story(
            key=f"h{i}",
            title=title,
            link=f"http://harbor.example/{i}",
            published=NOW - timedelta(hours=3 * i + 1),
            author="Desk",
            content=f"<p>{body}</p><p><a href='http://harbor.example/more/{i}'>more</a></p>",
        )
        for i, (title, body) in enumerate(
            [
                ("Ferry timetable changes next week", "The ferry will run later on weekdays."),
                ("Library extends opening hours", "Open until nine from December."),
                ("Harbour seals counted in annual survey", "Volunteers counted 212 seals."),
                ("Apples harvest best in a decade", "Orchards report record apples."),
            ]
        )
    ]
    valley = [
        Story(
            key="v1",
            title="Compiler release adds faster builds",
            link="http://valley.example/compiler",
            published=NOW - timedelta(days=2),
            content="Builds are twice as fast.",
            content_type=ContentType.TEXT,
            related=("Ferry timetable changes next week", "A story not in the library"),
            ranking=("Library extends opening hours",),
            popularity=4321,
            categories=("Software",),
        ),
        Story(
            key="v2",
            title=HOSTILE,
            link="javascript:alert(1)",
            published=NOW - timedelta(days=3),
            content="<p>hostile</p>",
        ),
        Story(
            key="v3",
            title="東京の新しい駅が開業 🚆 emoji and CJK",
            link="http://valley.example/cjk",
            published=NOW - timedelta(days=4),
            content="<p>wide</p>",
        ),
    ]
    return [("Harbor Gazette", harbor), ("Valley Tech", valley)]


def database(home: Path) -> Path:
    """The database file the root opens for a test's ``home`` (its data dir is ``home/data``)."""
    path = home / "data" / "tuireader.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def root_at(home: Path) -> Context:
    """The composition root over ``home``: data, config, cache and log dirs under it (as
    the ``isolated_env`` fixture sets them for the installed command), the clock at NOW."""
    return build_context(
        str(home / "data"),
        str(home / "config"),
        env={"TUIREADER_CACHE_DIR": str(home / "cache"), "TUIREADER_LOG_DIR": str(home / "log")},
        clock=lambda: NOW,
        embedder=SHARED_EMBEDDER,
    )


def write_config(home: Path, tables: Toml) -> Path:
    """Write ``tables`` as ``home/config/config.toml``, as a user would; returns the file."""
    lines: list[str] = []
    for table, values in tables.items():
        lines.append(f"[{table}]")
        for key, value in values.items():
            if isinstance(value, bool):
                text = "true" if value else "false"
            elif isinstance(value, str):
                text = json.dumps(value)  # a JSON string is a TOML basic string
            else:
                text = repr(value)
            lines.append(f"{json.dumps(key)} = {text}")
    path = home / "config" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def add_fixtures(context: Context) -> Library:
    """Put the fixture stories in through the root's library (once: not into a library that
    already has sources) and index them, as a refresh does."""
    library = context.library
    if not library.sources():
        for n, (title, stories) in enumerate(fixture_stories()):
            source, _ = library.add_source(
                Source(
                    url=f"http://fixture.example/{n}.xml",
                    kind=SourceKind.FEED,
                    title=title,
                    folder="News" if n == 0 else "",
                )
            )
            counts = library.store(source, [(s, s.title + " " + s.content) for s in stories], 0)
            context.discovery.index(counts.touched)
    return library


def build_library(home: Path) -> Library:
    """The root's library over ``home``, holding the fixture stories unless it had sources."""
    return add_fixtures(root_at(home))


def run_sync(coro: Coroutine[Any, Any, Any]) -> Any:
    """Run a coroutine to the end from sync code, also while a test's event loop runs."""
    result: list[Any] = []
    failed: list[BaseException] = []

    def main() -> None:
        try:
            result.append(asyncio.run(coro))
        except BaseException as exc:  # handed back to the caller
            failed.append(exc)

    thread = threading.Thread(target=main)
    thread.start()
    thread.join()
    if failed:
        raise failed[0]
    return result[0]


def first_run_home(home: Path) -> Context:
    """What ``tuireader`` does on its very first start: no config file, no database; the
    root seeds the bundled sample library (offline) before anything else."""
    context = root_at(home)
    assert context.first_run
    assert run_sync(seed_if_first_run(context))
    return context


def make_app(
    home: Path,
    *,
    refresh_on_start: bool = False,
    first_run: bool = False,
    keys: dict[str, str] | None = None,
    config: Toml | None = None,
) -> ReaderApp:
    """The real app over ``home``, built as ``tuireader`` builds it.

    ``first_run``: no config file, the root seeds the sample library (no fixture stories).
    Otherwise the settings are written into ``home/config/config.toml`` — ``[general]
    refresh_on_start``, the loopback ``[network]`` timeouts, ``[keys]``, and any other
    ``config`` tables (merged over those) — and the fixture stories go in unless the
    library already has sources. Raises ConfigError for a config the CLI would refuse.
    """
    if first_run:
        context = first_run_home(home)
    else:
        tables: dict[str, dict[str, str | bool | int | float]] = {
            "general": {"refresh_on_start": refresh_on_start},
            "network": dict(NETWORK),
        }
        if keys:
            tables["keys"] = dict(keys)
        for table, values in (config or {}).items():
            tables.setdefault(table, {}).update(values)
        write_config(home, tables)
        context = root_at(home)
        add_fixtures(context)
    return ReaderApp(session_for(context))


async def workers_done(app: App[object]) -> None:
    """Wait for every worker, and for those their results start (a stored mark asks for
    the counts again, on another worker); one replaced by a newer one counts as done."""
    for _ in range(40):
        try:
            await app.workers.wait_for_complete()
        except WorkerCancelled:
            continue
        await asyncio.sleep(0.01)  # let the messages a worker's end posted be handled
        if not any(w.is_running or w.state.name == "PENDING" for w in app.workers):
            return


async def settle(pilot: object) -> None:
    """Every worker done, then the screen brought up to date."""
    await workers_done(pilot.app)  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]


def notes_of(app: object) -> list[str]:
    """What the app notifies from now on, in order (instead of showing it)."""
    notes: list[str] = []
    app.notify = lambda message, **kw: notes.append(str(message))  # type: ignore[attr-defined]
    return notes
