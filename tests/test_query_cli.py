"""``tuireader list --query`` and killfile rules end to end: the installed command in a
subprocess, a real data dir, a loopback feed server."""

from __future__ import annotations

import json
from pathlib import Path

from feedserver import FeedServer
from test_cli import run


def rss(items: list[tuple[str, str, str]]) -> bytes:
    """An RSS 2.0 feed of (guid, title, author) items; item gN is dated N Mar 2025."""
    body = "".join(
        f"<item><guid>{guid}</guid><title>{title}</title><author>{author}</author>"
        f"<link>https://example.org/{guid}</link>"
        f"<pubDate>{int(guid[1:]):02d} Mar 2025 10:00:00 +0000</pubDate>"
        f"<description>&lt;p&gt;about {title.lower()}&lt;/p&gt;</description></item>"
        for guid, title, author in items
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Query Test</title>'
        f"<link>https://example.org/</link>{body}</channel></rss>"
    ).encode()


FIRST = [
    ("g1", "Linux kernel released", "Ada"),
    ("g2", "Sponsored: a gadget", "Ad Bot"),
    ("g3", "Gardening notes", "Bea"),
]


def config(tmp_path: Path, extra: str = "") -> None:
    (tmp_path / "config").mkdir(exist_ok=True)
    (tmp_path / "config" / "config.toml").write_text(
        "[general]\nrefresh_on_start = false\n" + extra
    )


def titles(env: dict[str, str], *args: str) -> list[str]:
    result = run(env, "list", "--json", *args)
    assert result.returncode == 0, result.stderr
    return [s["title"] for s in json.loads(result.stdout)]


def test_list_query(isolated_env: dict[str, str], feed_server: FeedServer, tmp_path: Path) -> None:
    config(tmp_path)
    url = feed_server.add("/q.xml", rss(FIRST))
    assert run(isolated_env, "add", url, "--folder", "news").returncode == 0
    assert titles(isolated_env, "--query", 'title =~ "linux"') == ["Linux kernel released"]
    assert titles(isolated_env, "--query", 'folder = "news" and author != "Ad Bot"') == [
        "Gardening notes",
        "Linux kernel released",
    ]  # newest first: g3 is dated after g1
    assert titles(isolated_env, "--query", 'tags # "news" and title # "notes"') == [
        "Gardening notes"
    ]
    first = json.loads(run(isolated_env, "list", "--json").stdout)[-1]["id"]  # g1
    assert run(isolated_env, "mark", str(first), "--read").returncode == 0
    assert titles(isolated_env, "--query", 'unread = "no"') == ["Linux kernel released"]
    plain = run(isolated_env, "list", "--query", 'author = "Bea"')
    assert plain.returncode == 0 and "Gardening notes" in plain.stdout

    bad = run(isolated_env, "list", "--query", 'title =~ "linux" and')
    assert bad.returncode == 2
    assert bad.stderr == "tuireader: --query: column 21: 'and' needs an expression after it\n"
    regex = run(isolated_env, "list", "--query", 'title =~ "(a+)+"')
    assert regex.returncode == 2 and "column 1:" in regex.stderr
    for blank in ("", "   "):  # an expression given empty is said so, not every story
        empty = run(isolated_env, "list", "--query", blank)
        assert (empty.returncode, empty.stdout) == (2, "")
        assert empty.stderr == "tuireader: --query: column 1: the expression is empty\n"


def test_killfile_hides_marks_read_and_spares_starred(
    isolated_env: dict[str, str], feed_server: FeedServer, tmp_path: Path
) -> None:
    config(tmp_path)
    url = feed_server.add("/k.xml", rss(FIRST))
    assert run(isolated_env, "add", url).returncode == 0
    stored = {s["title"]: s["id"] for s in json.loads(run(isolated_env, "list", "--json").stdout)}
    assert run(isolated_env, "mark", str(stored["Gardening notes"]), "--star").returncode == 0

    # rules written after the stories were stored apply to what is stored
    config(
        tmp_path,
        f'[[ignore]]\nquery = \'title =~ "^Sponsored"\'\nsources = ["{url}"]\n'
        '[[ignore]]\nquery = \'author = "Ada"\'\naction = "mark_read"\n'
        "[[ignore]]\nquery = 'title # \"Gardening\"'\n",  # starred: never touched
    )
    assert titles(isolated_env) == ["Gardening notes", "Linux kernel released"]
    assert titles(isolated_env, "--unread") == ["Gardening notes"]
    sources = json.loads(run(isolated_env, "sources", "--json").stdout)
    assert sources[0]["unread"] == 1  # the hidden story is not counted

    # and to stories as they arrive
    more = [("g4", "Sponsored: more", "Ad Bot"), ("g5", "Ada again", "Ada")]
    feed_server.add("/k.xml", rss([*FIRST, *more]))
    assert run(isolated_env, "refresh").returncode == 0
    assert titles(isolated_env) == ["Ada again", "Gardening notes", "Linux kernel released"]
    assert titles(isolated_env, "--unread") == ["Gardening notes"]

    caught = run(isolated_env, "list", "--ignored")
    assert caught.returncode == 0, caught.stderr
    lines = caught.stdout.splitlines()
    assert len(lines) == 4
    assert any(
        "Sponsored: more" in line and '[hide: title =~ "^Sponsored" in' in line for line in lines
    )
    assert any("Ada again" in line and '[mark_read: author = "Ada"]' in line for line in lines)
    assert "Gardening notes" not in caught.stdout
    data = json.loads(run(isolated_env, "list", "--ignored", "--json").stdout)
    assert {d["title"]: d["rule"].split(":")[0] for d in data} == {
        "Sponsored: more": "hide",
        "Sponsored: a gadget": "hide",
        "Ada again": "mark_read",
        "Linux kernel released": "mark_read",
    }

    # a story the rule marked read and the user marked unread again stays unread
    again = stored["Linux kernel released"]
    assert run(isolated_env, "mark", str(again), "--unread").returncode == 0
    assert run(isolated_env, "refresh").returncode == 0
    assert "Linux kernel released" in titles(isolated_env, "--unread")

    # a rule taken out of the config shows what it hid again
    config(tmp_path, '[[ignore]]\nquery = \'author = "Ada"\'\naction = "mark_read"\n')
    assert "Sponsored: a gadget" in titles(isolated_env)
    assert titles(isolated_env, "--query", 'title =~ "sponsored"') == [
        "Sponsored: more",
        "Sponsored: a gadget",
    ]


def test_a_bad_rule_in_the_config_is_one_line(isolated_env: dict[str, str], tmp_path: Path) -> None:
    config(tmp_path, "[[ignore]]\nquery = 'title =~ \"x\" or'\n")
    result = run(isolated_env, "list")
    assert result.returncode == 2
    assert "ignore #1.query': column 16:" in result.stderr and result.stderr.count("\n") == 1
    config(tmp_path, "[views.x]\nquery = 'nosuch = 1'\n")
    result = run(isolated_env, "list")
    assert result.returncode == 2 and "unknown attribute 'nosuch'" in result.stderr
