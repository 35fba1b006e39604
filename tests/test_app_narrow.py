"""Under 80 columns every view stays reachable, help wraps, and the footer is not cut."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from textual.geometry import Region
from textual.widgets import OptionList, Static
from textual.widgets._footer import FooterKey

from apphelpers import make_app, settle
from tuireader.ui.commands import COMMANDS
from tuireader.ui.main_screen import MainScreen
from tuireader.ui.modals import HelpScreen
from tuireader.ui.view_picker_modal import ViewPickerModal
from tuireader.ui.widgets.fitted_footer import FittedFooter
from tuireader.ui.widgets.sidebar import Sidebar

NARROW = (80, 24)  # the classic terminal: the headlines take the whole width


async def test_b_shows_the_sidebar_over_the_list_when_narrow(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        sidebar = screen.query_one(Sidebar)
        assert not sidebar.display
        await pilot.press("b")
        await pilot.pause()
        assert sidebar.display and app.focused is sidebar
        headlines = screen.headlines
        assert sidebar.region.x == 0 and sidebar.region.width > 0
        assert headlines.region.width == NARROW[0]  # the list keeps its width: over it
        await pilot.press("j", "j")  # Unread, Starred
        await pilot.press("enter")
        await pilot.pause()
        assert screen.view_label == "Starred" and not sidebar.display
        assert app.focused is headlines
        await pilot.press("b")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert not sidebar.display and app.focused is headlines


async def test_go_to_view_from_the_palette_and_its_key(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        commands = {c.title: c for c in app.get_system_commands(screen)}
        views = [v.label for v in screen.views()]
        assert {"All", "Unread", "Starred", "Saved", "Today", "News", "Harbor Gazette"} <= set(
            views
        )
        for label in views:
            assert f"Go to view: {label}" in commands
        commands["Go to view: Harbor Gazette"].callback()
        await pilot.pause()
        assert screen.view_label == "Harbor Gazette" and screen.headlines.total == 4
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert isinstance(app.screen, ViewPickerModal)
        assert app.screen.query_one(OptionList).highlighted == 0  # All
        await pilot.press("j", "j", "k")  # as in the lists: Unread
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen and screen.view_label == "Unread"


async def test_help_wraps_and_shows_every_command_id(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        dialog = app.screen.query_one(".dialog")
        assert dialog.region.right <= NARROW[0]  # the dialog fits the terminal
        intro = app.screen.query_one("#help-intro", Static)
        assert intro.region.right <= dialog.content_region.right  # wrapped, not cut
        said = " ".join(s.text.strip() for s in intro.render_lines(Region(0, 0, *intro.size)))
        assert said.endswith('under [keys] in config.toml, e.g. next_unread = "n,J".')
        shown = app.screen.query_one("#help-table", Static)
        assert shown.region.right <= dialog.region.right
        lines = [s.text for s in shown.render_lines(Region(0, 0, *shown.size))]
        assert len(lines) > len(COMMANDS)
        text = "\n".join(lines)
        for command in COMMANDS:
            assert command.id in text, command.id
        flat = " ".join(text.split())  # help text wraps onto more lines, whole
        assert "Sidebar — Show or hide the sidebar (under 100 columns: over the headlines)" in flat


def test_config_template_points_to_the_help_screen_for_ids(tmp_path: Path) -> None:
    tuireader = Path(sys.executable).parent / "tuireader"
    out = subprocess.run(
        [str(tuireader), "--config-dir", str(tmp_path), "config"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    keys_line = next(line for line in out.splitlines() if line.startswith("[keys]"))
    assert "help screen (?)" in keys_line and "id" in keys_line


async def test_footer_shows_whole_keys_only(tmp_path: Path) -> None:
    for width in (50, 70, 100, 160):
        app = make_app(tmp_path / f"w{width}")
        async with app.run_test(size=(width, 24)) as pilot:
            await settle(pilot)
            footer = app.screen.query_one(FittedFooter)
            keys = list(footer.query_children(FooterKey))
            palette = next(k for k in keys if k.has_class("-command-palette"))
            shown = [k for k in keys if k.display and k is not palette]
            assert shown, width
            for key in shown:  # each description ends before the palette key begins
                assert key.region.right <= palette.region.x, (width, key.description)
                assert key.region.width >= len(key.description), (width, key.description)
            if width == 160:
                assert all(k.display for k in keys)  # room for all: nothing left out


async def test_footer_follows_the_view(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(140, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)

        def footer_actions() -> set[str]:
            footer = screen.query_one(FittedFooter)
            return {k.action for k in footer.query_children(FooterKey) if k.display}

        assert "toggle_star" in footer_actions()

        async def footer_shows_star(expected: bool) -> bool:
            for _ in range(10):  # the footer is rebuilt a few refreshes later
                if ("toggle_star" in footer_actions()) == expected:
                    return True
                await pilot.pause()
            return False

        screen.action_go_to_view("starred")  # empty: nothing to star
        assert await footer_shows_star(False)
        screen.action_go_to_view("all")
        assert await footer_shows_star(True)
