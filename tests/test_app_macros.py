"""Macros: a key runs a sequence of commands, listed in the palette and help like any
command; an unknown id is a config error naming it. The pipe key sends the story to a
real command."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from textual.geometry import Region
from textual.widgets import Static

from apphelpers import make_app, notes_of, settle
from test_cli import run
from tuireader.domain.errors import ConfigError
from tuireader.domain.query import StoryQuery
from tuireader.ui.main_screen import MainScreen
from tuireader.ui.modals import HelpScreen

SIZE = (140, 40)
RECORDER = str(Path(__file__).with_name("recorder.py"))
FERRY = "Ferry timetable changes next week"


async def highlight(pilot: object, title: str) -> MainScreen:
    screen = pilot.app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, MainScreen)
    hl = screen.headlines
    hl.move_to(next(i for i in range(hl.total) if hl.story_at(i).title == title))  # type: ignore[union-attr]
    await settle(pilot)
    return screen


def stored(app: object, title: str) -> tuple[bool, bool]:
    library = app.session.library  # type: ignore[attr-defined]
    story = library.story(library.ids(StoryQuery(search=title))[0])
    return story.read, story.starred


async def test_a_macro_key_runs_its_commands_in_order(tmp_path: Path) -> None:
    app = make_app(
        tmp_path,
        config={"macros": {"p": ["toggle_star", "toggle_read", "next_unread"]}},  # type: ignore[dict-item]
    )
    async with app.run_test(size=SIZE) as pilot:
        screen = await highlight(pilot, FERRY)
        assert stored(app, FERRY) == (False, False)
        await pilot.press("p")
        await settle(pilot)
        # starred and read, then on to the next unread story: in any other order, the
        # cursor would have left this story before the toggles
        assert stored(app, FERRY) == (True, True)
        moved = screen.headlines.current
        assert moved is not None and moved.title != FERRY


async def test_a_macro_is_in_the_palette_and_on_the_help_screen(tmp_path: Path) -> None:
    app = make_app(
        tmp_path,
        config={"macros": {"ctrl+x": ["toggle_star", "next_unread"]}},  # type: ignore[dict-item]
    )
    async with app.run_test(size=SIZE) as pilot:
        await highlight(pilot, FERRY)
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        title = "Macro: Star, then Next unread"
        assert title in commands
        assert commands[title].help == "Runs toggle_star, then next_unread"
        app.call_later(commands[title].callback)  # as the palette runs its choice
        await settle(pilot)
        assert stored(app, FERRY)[1] is True
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        shown = app.screen.query_one("#help-table", Static)
        lines = [s.text for s in shown.render_lines(Region(0, 0, *shown.size))]
        row = next(line for line in lines if "macro_ctrl+x" in line)
        assert row.split()[0] == "^x" and "Macro: Star, then Next unread" in row


@pytest.mark.parametrize(
    ("macros", "named"),
    [
        ('p = ["open_browser", "toggle_red"]', "[macros] p: 'toggle_red' is not a command id"),
        ('j = ["toggle_read"]', "[macros] j: the key belongs to cursor_down"),
        ('"ctr+p" = ["toggle_read"]', "[macros] ctr+p: 'ctr+p': 'ctr' is not a modifier"),
        ("p = []", "'macros.p' must be a list of command ids"),
    ],
)
def test_a_bad_macro_is_a_config_error_naming_it(
    isolated_env: dict[str, str], tmp_path: Path, macros: str, named: str
) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "config.toml").write_text(f"[macros]\n{macros}\n")
    result = run(isolated_env, "sources")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and named in lines[0], lines


def test_the_app_refuses_an_unknown_macro_id_as_it_refuses_a_bad_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="'open_browsr' is not a command id"):
        make_app(tmp_path, config={"macros": {"p": ["open_browsr"]}})  # type: ignore[dict-item]


def test_a_macro_can_take_a_key_given_up_under_keys(tmp_path: Path) -> None:
    app = make_app(
        tmp_path,
        keys={"cursor_down": "down"},
        config={"macros": {"j": ["toggle_read"]}},  # type: ignore[dict-item]
    )
    assert app.session.settings.macros == {"j": ("toggle_read",)}


# the pipe -----------------------------------------------------------------------------
async def test_the_pipe_key_sends_the_story_to_a_command(tmp_path: Path) -> None:
    out = tmp_path / "piped.jsonl"
    os.environ.pop("RECORDER_SAY", None)
    app = make_app(
        tmp_path,
        config={"actions": {"pipe_command": [sys.executable, RECORDER, str(out), "x y"]}},  # type: ignore[dict-item]
    )
    async with app.run_test(size=SIZE) as pilot:
        await highlight(pilot, FERRY)
        notes = notes_of(app)
        await pilot.press("vertical_line")
        await pilot.pause()
        await pilot.press("enter")  # the configured command, as offered
        await settle(pilot)
    [record] = [json.loads(line) for line in out.read_text().splitlines()]
    assert record["argv"] == ["x y"]  # one argument: quoted, never split by a shell
    assert record["stdin"].startswith(f"# {FERRY}\n")
    assert notes == [f"Piped to {sys.executable}"]


async def test_a_failing_pipe_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECORDER_EXIT", "3")
    out = tmp_path / "piped.jsonl"
    app = make_app(
        tmp_path,
        config={"actions": {"pipe_command": [sys.executable, RECORDER, str(out)]}},  # type: ignore[dict-item]
    )
    async with app.run_test(size=SIZE) as pilot:
        await highlight(pilot, FERRY)
        notes = notes_of(app)
        await pilot.press("vertical_line")
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
    assert notes == [f"pipe: '{sys.executable}' exited with 3: recorder failed on purpose"]
