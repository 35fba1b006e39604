"""``[actions]`` and ``[macros]``: argument lists are lists of strings, choices are named."""

from __future__ import annotations

import pytest

from tuireader.config.settings import TEMPLATE, parse_settings
from tuireader.domain.errors import ConfigError


def test_argument_lists_and_macros_are_read() -> None:
    settings = parse_settings(
        '[actions]\nplayer = ["mpv", "--no-video"]\npipe_sends = "url"\n'
        'notify_bell = true\n[macros]\np = ["open_browser", "toggle_read"]\n'
    )
    assert settings.actions.player == ("mpv", "--no-video")
    assert settings.actions.pipe_sends == "url" and settings.actions.notify_bell is True
    assert settings.macros == {"p": ("open_browser", "toggle_read")}


def test_the_template_reads_as_the_defaults() -> None:
    settings = parse_settings(TEMPLATE)
    assert settings.actions == type(settings.actions)() and settings.macros == {}


@pytest.mark.parametrize(
    ("toml", "said"),
    [
        ('[actions]\nplayer = "mpv --no-video"\n', "'actions.player' must be a list of strings"),
        ('[actions]\nnotify_command = ["x", 1]\n', "'actions.notify_command' must be a list"),
        ('[actions]\npipe_sends = "html"\n', "'actions.pipe_sends' must be one of markdown, url"),
        ("[actions]\ndownload_max_mb = -1\n", "'actions.download_max_mb' must be a whole number"),
        ('[actions]\nplayr = ["mpv"]\n', "unknown key 'actions.playr'"),
        ('[macros]\np = "open_browser"\n', "'macros.p' must be a list of command ids"),
        ('macros = ["x"]\n', "[macros] maps keys to lists of command ids"),
    ],
)
def test_a_bad_value_names_its_key(toml: str, said: str) -> None:
    with pytest.raises(ConfigError, match=None) as raised:
        parse_settings(toml)
    assert said in str(raised.value)
