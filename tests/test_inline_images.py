"""Inline images: the installed ``tuireader`` in a pty, the test playing the terminal.

No graphics terminal is needed: :mod:`ptyterminal` answers the Kitty graphics, device
attributes and cell-size queries as kitty does (or answers nothing, as tmux does), and the
graphics commands the app sends are read back from the pty.
"""

from __future__ import annotations

import io
import os
import re
import sys
from pathlib import Path

import pytest
from PIL import Image

from feedserver import FeedServer
from ptyterminal import (
    ANSWERS,
    CELL_HEIGHT,
    PtyTerminal,
    add_feed,
    app_env,
    app_in_pty,
    graphics_commands,
    installed_command,
    screen_text,
    transmitted_images,
)
from tuireader.app import graphics_terminal

pytestmark = [
    pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pty"),
    pytest.mark.timeout(90),
]

TITLE = "A story with a picture"
ALT = "a red square"
PLACEHOLDER = "\U0010eeee"
"""The cell character a Kitty graphics virtual placement is drawn with."""


def red_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (255, 0, 0)).save(buffer, "PNG")
    return buffer.getvalue()


def red_pngs(sent: dict[str, bytes]) -> list[Image.Image]:
    """The pictures sent (by image id), each checked to be a PNG of the red square; at
    least one must have been sent."""
    assert sent
    pictures = [Image.open(io.BytesIO(data)) for data in sent.values()]
    for picture in pictures:
        assert picture.format == "PNG"
        middle = (picture.width // 2, picture.height // 2)
        assert picture.convert("RGB").getpixel(middle) == (255, 0, 0)
    return pictures


def picture_feed(server: FeedServer, pictures: list[tuple[str, bytes, str]]) -> str:
    """A feed with one story showing ``pictures`` (path, bytes, alt) from the server."""
    images = "".join(
        f'<p><img src="{server.add(path, data)}" alt="{alt}"></p>' for path, data, alt in pictures
    )
    item = (
        f"<item><title>{TITLE}</title><guid>pic-1</guid>"
        f"<link>{server.url('/404')}</link>"
        "<description><![CDATA[<p>Words before the picture, enough of them to read.</p>"
        f"{images}<p>Words after it.</p>]]></description>"
        "</item>"
    )
    feed = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Pictures</title>'
        f"<link>{server.url('/')}</link><description>d</description>{item}</channel></rss>"
    )
    return server.add("/pictures.xml", feed.encode())


def make_library(
    tmp_path: Path, server: FeedServer, pictures: list[tuple[str, bytes, str]]
) -> dict[str, str]:
    """The environment of a data dir holding one feed with one story with ``pictures``."""
    env = app_env(tmp_path)
    add_feed(env, picture_feed(server, pictures))
    return env


@pytest.fixture
def library_env(tmp_path: Path, feed_server: FeedServer) -> dict[str, str]:
    """A data dir holding one feed with one story with one image on the loopback server."""
    return make_library(tmp_path, feed_server, [("/pic.png", red_png(), ALT)])


def open_the_story(terminal: PtyTerminal) -> bytes:
    """Wait for the headline, open it, wait for its body to be drawn."""
    terminal.wait_for("headline", lambda out: TITLE in screen_text(out))
    terminal.send("\r")
    return terminal.wait_for("article", lambda out: "Words after it." in screen_text(out))


def test_opening_a_story_transmits_its_image_to_a_kitty_terminal(
    library_env: dict[str, str], feed_server: FeedServer
) -> None:
    """kitty's answers: the image is downloaded, sent with the Kitty graphics protocol (PNG
    chunks, then a virtual placement) and drawn as placeholder cells."""
    library_env["KITTY_WINDOW_ID"] = "1"
    with app_in_pty(library_env, answer=True) as terminal:
        open_the_story(terminal)
        output = terminal.wait_for(
            "image transmitted", lambda out: bool(transmitted_images(out)), deadline=20
        )
        drawn = PLACEHOLDER.encode()
        output = terminal.wait_for("image drawn", lambda out: drawn in out)
        asked = b"".join(terminal.answered)
        assert b"a=q" in asked and b"\x1b[16t" in asked  # it asked the terminal, we answered

    assert feed_server.hits["/pic.png"] == 1
    # textual-image sends the picture again when the widget is drawn again (a later repaint,
    # which timing decides): every copy must be the same right picture, and each placement
    # must name a picture that was sent
    sent = transmitted_images(output)
    for picture in red_pngs(sent):
        # scaled to the cells it fills, with the cell size we reported: 16 rows of CELL_HEIGHT px
        assert picture.height == 16 * CELL_HEIGHT
    placements = [c.keys for c in graphics_commands(output) if c.keys.get("a") == "p"]
    assert placements and {p["i"] for p in placements} <= set(sent)
    assert all(p["U"] == "1" for p in placements)


def test_a_terminal_that_does_not_answer_gets_placeholders_and_no_noise(
    library_env: dict[str, str], feed_server: FeedServer
) -> None:
    """Inline images asked for, the terminal silent (tmux, ssh): nothing but the app on the
    screen (no warning, no traceback), the [image N] placeholder stays, nothing is sent,
    and the app says why once."""
    library_env["TUIREADER_INLINE_IMAGES"] = "1"
    with app_in_pty(library_env, answer=False) as terminal:
        output = open_the_story(terminal)
        assert f"[image 1: {ALT}]" in screen_text(output)
        output = terminal.wait_for("notice", lambda out: "placeholders" in screen_text(out))
        assert terminal.running()
    text = screen_text(output)
    for noise in ("Traceback", "TimeoutError", "Warning", "Failed to get cell size", "VT340"):
        assert noise not in text
    assert not transmitted_images(output)
    assert feed_server.hits["/pic.png"] == 0


def test_inside_tmux_an_inherited_kitty_hint_asks_nothing(library_env: dict[str, str]) -> None:
    """tmux in kitty inherits KITTY_WINDOW_ID; tmux does not pass Kitty graphics on, so the
    terminal is not asked at all (no 0.3 s of timeouts) and images stay placeholders."""
    library_env.update(KITTY_WINDOW_ID="1", TMUX="/tmp/tmux-0/s,1,0")
    with app_in_pty(library_env, answer=True) as terminal:
        output = open_the_story(terminal)
    assert f"[image 1: {ALT}]" in screen_text(output)
    assert b"\x1b_G" not in output and b"\x1b[16t" not in output
    assert terminal.answered == [b"\x1b[?2026$p", b"\x1b[?2048$p"]  # Textual's own queries


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"KITTY_WINDOW_ID": "1", "TERM": "xterm-kitty"}, True),
        ({"TERM_PROGRAM": "WezTerm"}, True),
        ({"TERM": "xterm-256color"}, False),
        # tmux inside kitty inherits KITTY_WINDOW_ID but does not pass Kitty graphics on
        ({"KITTY_WINDOW_ID": "1", "TMUX": "/tmp/tmux-0/s,1,0", "TERM": "tmux-256color"}, False),
        ({"KITTY_WINDOW_ID": "1", "TERM": "screen-256color"}, False),
        # asked for explicitly: asked, inside tmux too (tmux with Sixel answers for itself)
        ({"TUIREADER_INLINE_IMAGES": "1", "TMUX": "/tmp/tmux-0/default,1,0"}, True),
        ({"TUIREADER_INLINE_IMAGES": "0", "KITTY_WINDOW_ID": "1"}, False),
    ],
)
def test_which_terminals_are_asked(env: dict[str, str], expected: bool) -> None:
    assert graphics_terminal(env) is expected


def test_a_garbled_cell_size_answer_is_logged_not_shown(
    library_env: dict[str, str], feed_server: FeedServer
) -> None:
    """A terminal whose cell-size answer is not numbers makes textual-image raise on import:
    the app starts anyway, with placeholders, and says why."""
    garbled = [(pattern, reply) for pattern, reply in ANSWERS if pattern.pattern != rb"\x1b\[16t"]
    garbled.append((re.compile(rb"\x1b\[16t"), lambda _: b"\x1b[6;;t"))
    library_env["KITTY_WINDOW_ID"] = "1"
    terminal = PtyTerminal([installed_command()], library_env, answer=True, answers=garbled)
    terminal.start()
    try:
        output = open_the_story(terminal)
        assert f"[image 1: {ALT}]" in screen_text(output)
        output = terminal.wait_for("notice", lambda out: "garbled" in screen_text(out))
    finally:
        terminal.stop()
    assert b"\x1b[16t" in b"".join(terminal.answered)
    text = screen_text(output)
    assert "Traceback" not in text and "ValueError" not in text
    assert not transmitted_images(output)
    assert feed_server.hits["/pic.png"] == 0


PROBE = """
import logging, sys
logging.basicConfig(filename=sys.argv[1], level=logging.INFO)
from tuireader.ui.graphics import probe_graphics
print("probe said", probe_graphics().inline)
"""


def test_what_textual_image_says_goes_to_the_log(tmp_path: Path) -> None:
    """The cell-size timeout's warning and traceback land in the log, not in the terminal."""
    log = tmp_path / "tuireader.log"
    terminal = PtyTerminal([sys.executable, "-c", PROBE, str(log)], dict(os.environ), answer=False)
    terminal.start()
    try:
        output = terminal.wait_for("probe", lambda out: b"probe said" in out)
    finally:
        terminal.stop()
    text = screen_text(output)
    assert "probe said False" in text
    assert "Traceback" not in text and "cell size" not in text
    logged = log.read_text()
    assert "textual-image: Failed to get cell size via escape sequence" in logged
    assert "TimeoutError" in logged
    assert "inline images off: the terminal did not answer" in logged


def test_a_broken_image_keeps_its_placeholder_and_the_next_one_is_drawn(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """An "image/png" that is not one (garbage; a PNG cut short) is skipped with its
    placeholder; the app stays up and the story's next image is still drawn."""
    good = red_png()
    env = make_library(
        tmp_path,
        feed_server,
        [
            ("/garbage.png", b"not a picture at all" * 50, "garbage"),
            ("/cut.png", good[: len(good) // 2], "cut short"),
            ("/pic.png", good, ALT),
        ],
    )
    env["KITTY_WINDOW_ID"] = "1"
    with app_in_pty(env, answer=True) as terminal:
        open_the_story(terminal)
        output = terminal.wait_for(
            "image transmitted", lambda out: bool(transmitted_images(out)), deadline=20
        )
        assert terminal.running()
    assert feed_server.hits["/garbage.png"] == feed_server.hits["/cut.png"] == 1
    # textual-image sends the picture again, under a new id, when the widget is drawn again
    # (a repaint that timing decides): every copy sent must be the good picture, none the broken
    red_pngs(transmitted_images(output))
    text = screen_text(output)
    assert "[image 1: garbage]" in text and "[image 2: cut short]" in text
    assert "Traceback" not in text
