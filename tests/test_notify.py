"""Notifications after a refresh with new stories: the terminal's own (OSC 9 / OSC 777),
decided from the environment, and the bell; the real app in a pty writes their bytes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from feedserver import FeedServer
from ptyterminal import OSC, add_feed, app_env, app_in_pty, screen_text
from tuireader.services.notify import (
    NewStories,
    clean_titles,
    desktop_kind,
    desktop_sequence,
)


@pytest.mark.parametrize(
    ("env", "kind"),
    [
        ({"TERM_PROGRAM": "iTerm.app", "TERM": "xterm-256color"}, "osc9"),
        ({"TERM_PROGRAM": "WezTerm"}, "osc9"),
        ({"TERM": "xterm-kitty"}, "osc9"),
        ({"TERM": "xterm-ghostty"}, "osc9"),
        ({"TERM": "foot"}, "osc777"),
        ({"TERM": "rxvt-unicode-256color"}, "osc777"),
        ({"TERM": "xterm-256color"}, ""),
        ({"TERM": "xterm-256color", "TERM_PROGRAM": "Apple_Terminal"}, ""),
        ({"TERM": "tmux-256color", "TERM_PROGRAM": "tmux", "LC_TERMINAL": "iTerm2"}, "osc9"),
    ],
)
def test_which_terminal_takes_which_notification(env: dict[str, str], kind: str) -> None:
    assert desktop_kind(env) == kind


def test_the_sequences_carry_clean_text() -> None:
    hostile = "a\x1b]52;c;ZXZpbA==\x07b; c"
    assert (
        desktop_sequence("tuireader", hostile, {"TERM_PROGRAM": "WezTerm"})
        == "\x1b]9;tuireader: ab, c\x1b\\"
    )
    assert desktop_sequence("t;x", "body", {"TERM": "foot"}) == "\x1b]777;notify;t,x;body\x1b\\"
    assert desktop_sequence("t", "b", {"TERM": "xterm"}) == ""


def test_inside_tmux_only_with_passthrough() -> None:
    env = {"TERM": "tmux-256color", "TMUX": "/tmp/tmux-0/default,1,0", "WEZTERM_PANE": "0"}
    assert desktop_sequence("t", "b", env, passthrough=lambda: False) == ""
    wrapped = desktop_sequence("t", "b", env, passthrough=lambda: True)
    assert wrapped == "\x1bPtmux;\x1b\x1b]9;t: b\x1b\x1b\\\x1b\\"
    screen = {"TERM": "screen-256color", "STY": "1.pts", "TERM_PROGRAM": "WezTerm"}
    assert desktop_sequence("t", "b", screen, passthrough=lambda: True) == ""


def test_titles_lose_control_characters_and_the_line_is_short() -> None:
    assert clean_titles(["Seals \x1b[31mred\x07", "", "Ferry\nstrike", "--help", "-"]) == (
        "Seals red",
        "Ferry strike",
        "help",
    )
    # no argument may start with "-", however the dashes and spaces are mixed
    assert clean_titles(["- -x", "- - -y", "-\u2003-z", "-"]) == ("x", "y", "z")
    line = NewStories(30, tuple("x" * 50 for _ in range(20))).line(100)
    assert line.startswith("30 new stories: xxx") and len(line) == 100 and line.endswith("…")
    assert NewStories(1, ("One",)).line() == "1 new story: One"


# the real app in a pty ------------------------------------------------------------------
def feed(*titles: str) -> bytes:
    items = "".join(
        f"<item><title>{t}</title><guid>n{n}</guid><link>http://x.example/{n}</link>"
        "<description>Words.</description></item>"
        for n, t in enumerate(titles)
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>'
        f"<link>http://x.example/</link><description>d</description>{items}</channel></rss>"
    ).encode()


def library(tmp_path: Path, server: FeedServer, config: str) -> dict[str, str]:
    env = app_env(tmp_path)
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "config.toml").write_text(config, encoding="utf-8")
    add_feed(env, server.add("/news.xml", feed("First story")))
    server.add("/news.xml", feed("First story", "Seals \x1b[31mreturn"))  # new at the next start
    return env


NOTIFY = "[actions]\nnotify_bell = true\nnotify_desktop = true\n"


def bells(output: bytes) -> int:
    return OSC.sub(b"", output).count(b"\x07")  # a BEL that ends no OSC sequence


def test_a_refresh_with_new_stories_rings_and_notifies_the_terminal(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    env = library(tmp_path, feed_server, NOTIFY)
    env["TERM_PROGRAM"] = "WezTerm"
    with app_in_pty(env, answer=False) as terminal:
        out = terminal.wait_for("the refresh", lambda o: b"\x1b]9;" in o and bells(o) > 0)
        assert b"\x1b]9;tuireader: 1 new story: Seals return\x1b\\" in out
        # the screen, not the bytes: a frame comes in more than one write, and the bytes
        # seen so far can end inside the summary ("1 new stor")
        terminal.wait_for("summary", lambda o: "1 new story" in screen_text(o))


def test_inside_tmux_without_passthrough_only_the_bell(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    env = library(tmp_path, feed_server, NOTIFY)
    env.update(TERM="tmux-256color", TMUX=f"{tmp_path}/no-tmux-here,1,0", WEZTERM_PANE="0")
    with app_in_pty(env, answer=False) as terminal:
        out = terminal.wait_for("the bell", lambda o: bells(o) > 0)
        terminal.wait_for("summary", lambda o: b"1 new story" in o)
        out = terminal.snapshot()
    assert b"\x1b]9;" not in out and b"\x1bPtmux;" not in out


def test_nothing_is_rung_when_not_asked(tmp_path: Path, feed_server: FeedServer) -> None:
    env = library(tmp_path, feed_server, "")
    env["TERM_PROGRAM"] = "WezTerm"
    with app_in_pty(env, answer=False) as terminal:
        out = terminal.wait_for("summary", lambda o: re.search(rb"1 new\s+story", o) is not None)
    assert bells(out) == 0 and b"\x1b]9;" not in out
