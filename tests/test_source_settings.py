"""A source never exists without the config's settings: every path that yields one applies
them. Proved with ``full_text = "never"`` and a loopback server that counts page requests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from apphelpers import build_library, make_app, workers_done
from feedserver import PAGES, FeedServer
from test_cli import run
from tuireader.ui.modals import AddSourceModal

ARTICLE = (PAGES / "article1.html").read_bytes()


def summary_feed(server: FeedServer, name: str = "short") -> str:
    """A feed whose stories carry one sentence each (so "auto" would fetch every page)."""
    items = ""
    for i in range(3):
        link = server.add(f"/pages/{name}-{i}.html", ARTICLE)
        items += (
            f"<item><title>Short story {i}</title><link>{link}</link><guid>{name}{i}</guid>"
            f"<description>One sentence about story {i}.</description></item>"
        )
    doc = f"<rss version='2.0'><channel><title>Shorts</title>{items}</channel></rss>"
    return server.add(f"/{name}.xml", doc.encode())


def page_hits(server: FeedServer) -> int:
    return sum(n for path, n in server.hits.items() if path.startswith("/pages/"))


def write_config(directory: Path, mode: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "config.toml").write_text(
        f'[general]\nrefresh_on_start = false\nfull_text = "{mode}"\n'
    )


@pytest.mark.parametrize("mode", ["never", "auto"])
def test_add_obeys_full_text(
    isolated_env: dict[str, str], feed_server: FeedServer, tmp_path: Path, mode: str
) -> None:
    write_config(tmp_path / "config", mode)  # TUIREADER_CONFIG_DIR points here
    added = run(isolated_env, "add", summary_feed(feed_server))
    assert added.returncode == 0, added.stderr
    assert "3 new stories" in added.stdout
    if mode == "never":
        assert page_hits(feed_server) == 0, added.stdout
        assert "full text" not in added.stdout
    else:  # the control: the same feed under "auto" fetches its pages
        assert page_hits(feed_server) == 3, added.stdout


def test_add_of_an_opml_file_obeys_full_text(
    isolated_env: dict[str, str], feed_server: FeedServer, tmp_path: Path
) -> None:
    write_config(tmp_path / "config", "never")
    opml = tmp_path / "feeds.opml"
    opml.write_text(
        "<opml version='2.0'><body>"
        f"<outline type='rss' text='Shorts' xmlUrl='{summary_feed(feed_server)}'/>"
        "</body></opml>"
    )
    added = run(isolated_env, "add", str(opml))
    assert added.returncode == 0, added.stderr
    assert "3 new stories" in added.stdout
    assert page_hits(feed_server) == 0, added.stdout


def test_import_then_refresh_obeys_full_text(
    isolated_env: dict[str, str], feed_server: FeedServer, tmp_path: Path
) -> None:
    write_config(tmp_path / "config", "never")
    opml = tmp_path / "feeds.opml"
    opml.write_text(
        "<opml version='2.0'><body>"
        f"<outline type='rss' text='Shorts' xmlUrl='{summary_feed(feed_server)}'/>"
        "</body></opml>"
    )
    imported = run(isolated_env, "import", str(opml))
    assert imported.returncode == 0, imported.stderr
    refreshed = run(isolated_env, "refresh")
    assert refreshed.returncode == 0, refreshed.stderr
    assert "3 new stories" in refreshed.stdout
    assert page_hits(feed_server) == 0, refreshed.stdout


def test_add_no_fetch_then_refresh_obeys_full_text(
    isolated_env: dict[str, str], feed_server: FeedServer, tmp_path: Path
) -> None:
    write_config(tmp_path / "config", "never")
    url = summary_feed(feed_server)
    assert run(isolated_env, "add", "--no-fetch", url).returncode == 0
    refreshed = run(isolated_env, "refresh", url)
    assert refreshed.returncode == 0, refreshed.stderr
    assert page_hits(feed_server) == 0, refreshed.stdout


def test_config_dir_option_obeys_full_text(
    isolated_env: dict[str, str], feed_server: FeedServer, tmp_path: Path
) -> None:
    # the environment's config dir says "auto"; --config-dir names one that says "never"
    write_config(tmp_path / "config", "auto")
    write_config(tmp_path / "other-config", "never")
    added = run(
        isolated_env,
        "--config-dir",
        str(tmp_path / "other-config"),
        "add",
        summary_feed(feed_server),
    )
    assert added.returncode == 0, added.stderr
    assert page_hits(feed_server) == 0, added.stdout


def test_config_dir_variable_obeys_full_text(
    isolated_env: dict[str, str], feed_server: FeedServer, tmp_path: Path
) -> None:
    write_config(tmp_path / "env-config", "never")
    env = {**isolated_env, "TUIREADER_CONFIG_DIR": str(tmp_path / "env-config")}
    added = run(env, "add", summary_feed(feed_server))
    assert added.returncode == 0, added.stderr
    assert page_hits(feed_server) == 0, added.stdout
    assert os.environ.get("TUIREADER_CONFIG_DIR") != env["TUIREADER_CONFIG_DIR"]


async def test_the_apps_add_obeys_full_text(tmp_path: Path, feed_server: FeedServer) -> None:
    home = tmp_path
    app = make_app(home, config={"general": {"full_text": "never"}})
    url = summary_feed(feed_server)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("a")
        assert isinstance(app.screen, AddSourceModal)
        await pilot.press(*url, "enter")
        await pilot.pause()
        await workers_done(app)
        await pilot.pause()
    assert feed_server.hits["/short.xml"] == 1  # the feed was read…
    assert page_hits(feed_server) == 0  # …and no page of it
    titles = {s.title for s in build_library(home).sources()}
    assert "Shorts" in titles
