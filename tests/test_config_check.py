"""``[keys]`` and the theme are checked against the commands and Textual, from the CLI too."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from textual.widgets._toast import Toast

from apphelpers import make_app
from test_cli import run
from tuireader.domain.errors import ConfigError
from tuireader.ui.commands import COMMANDS
from tuireader.ui.config_check import check_keys, key_problem
from tuireader.ui.widgets.article_pane import ArticlePane

SIZE = (140, 40)


def config(tmp_path: Path, text: str) -> None:
    (tmp_path / "config").mkdir(exist_ok=True)
    (tmp_path / "config" / "config.toml").write_text(text)


@pytest.mark.parametrize(
    ("toml", "named"),
    [
        ('[keys]\nnext_unred = "x"\n', "[keys] 'next_unred' is not a command id"),
        ('[keys]\nnext_unread = "ctr+n"\n', "[keys] next_unread: 'ctr+n': 'ctr' is not a modifier"),
        ('[keys]\nnext_unread = "Enter"\n', "'Enter' is not a key name (did you mean 'enter'?)"),
        ('[keys]\nnext_unread = "n,"\n', "[keys] next_unread: an empty key name"),
        ('[general]\ntheme = "nord-ish"\n', "'general.theme' is not a theme: 'nord-ish'"),
    ],
)
def test_a_bad_config_is_a_usage_error_naming_the_key(
    isolated_env: dict[str, str], tmp_path: Path, toml: str, named: str
) -> None:
    config(tmp_path, toml)
    result = run(isolated_env, "sources")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and named in lines[0], lines
    assert not (tmp_path / "data" / "tuireader.db").exists()  # refused before anything opened


def test_a_good_config_passes_and_a_taken_key_is_a_warning(
    isolated_env: dict[str, str], tmp_path: Path
) -> None:
    config(
        tmp_path,
        '[general]\ntheme = "nord"\n[keys]\nnext_unread = "x"\nhelp = "?, f1"\n'
        'toggle_star = "asterisk"\n',
    )
    result = run(isolated_env, "sources")
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        "tuireader: warning: config: [keys] next_unread takes 'x' from not_interested"
        " (it has no key now)"
    ]


def test_every_default_key_is_a_textual_key_name() -> None:
    for command in COMMANDS:
        for key in command.keys.split(","):
            assert key_problem(key) is None, (command.id, key)


def test_the_cli_reads_textuals_tables_without_importing_textual() -> None:
    code = (
        "import sys\n"
        "from tuireader.app import build_context\n"
        "from tuireader.ui.config_check import builtin_themes, key_problem\n"
        "assert key_problem('ctrl+question_mark') is None and key_problem('sapce')\n"
        "print(','.join(sorted(builtin_themes())))\n"
        "sys.exit(1 if 'textual' in sys.modules else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    from textual.theme import BUILTIN_THEMES

    assert result.stdout.strip().split(",") == sorted(BUILTIN_THEMES)


def test_two_rebindings_asking_for_one_key_are_named() -> None:
    report = check_keys({"next_unread": "z", "toggle_star": "z"})
    assert report.errors == []
    assert report.warnings == ["config: [keys] next_unread and toggle_star both ask for 'z'"]


async def test_config_messages_show_in_the_app_as_plain_text(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"\[keys\] 'nonsense' is not a command id"):
        make_app(tmp_path, keys={"next_unread": "x", "nonsense": "y"})  # refused, as by the CLI
    app = make_app(tmp_path, keys={"next_unread": "x", "toggle_star": "asterisk"})
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        shown = [str(toast.render()) for toast in app.screen.query(Toast)]
        assert any("[keys] next_unread takes 'x' from not_interested" in t for t in shown), shown
        await pilot.press("x")  # the rebinding works
        await pilot.pause()
        assert app.screen.query_one(ArticlePane).story is not None
