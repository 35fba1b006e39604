"""Discovery through the installed command: every loop ends, every figure is true."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from test_cli import run

EMPTY_ITEM_FEED = """<?xml version="1.0"?>
<rss version="2.0"><channel><title>Empty items</title><link>http://example.invalid/</link>
<item><title></title><guid>e1</guid><description></description></item>
</channel></rss>
"""


def _quiet_config(tmp_path: Path, extra: str = "") -> None:
    (tmp_path / "config").mkdir(exist_ok=True)
    (tmp_path / "config" / "config.toml").write_text(
        "[general]\nrefresh_on_start = false\n" + extra
    )


@pytest.mark.parametrize(
    "command", [["trending"], ["related", "{id}"], ["recommend"], ["clusters"]]
)
def test_a_story_with_no_words_does_not_hang_discovery(
    isolated_env: dict[str, str], tmp_path: Path, command: list[str]
) -> None:
    _quiet_config(tmp_path)
    feed = tmp_path / "empty.xml"
    feed.write_text(EMPTY_ITEM_FEED)
    added = run(isolated_env, "add", str(feed), timeout=30)
    assert added.returncode == 0, added.stderr
    listed = json.loads(run(isolated_env, "list", "--json", "--source", str(feed)).stdout)
    assert len(listed) == 1
    story_id = str(listed[0]["id"])
    args = [a.replace("{id}", story_id) for a in command]
    result = run(isolated_env, *args, timeout=20)  # before the fix: 100 % CPU, forever
    assert result.returncode == 0, result.stderr
    # and the story is not picked up again: a second run is as quick
    again = run(isolated_env, *args, timeout=20)
    assert again.returncode == 0, again.stderr


def test_an_empty_recommendation_says_why(isolated_env: dict[str, str], tmp_path: Path) -> None:
    note = tmp_path / "only.md"
    note.write_text("# The only story about harbour seals\n\nSeals were counted.\n")
    assert run(isolated_env, "add", str(note)).returncode == 0
    before = run(isolated_env, "recommend")
    assert "star stories or read them to the end" in before.stdout
    story = json.loads(run(isolated_env, "list", "--json").stdout)[0]["id"]
    assert run(isolated_env, "mark", str(story), "--star").returncode == 0
    after = run(isolated_env, "recommend")  # starred, but nothing unread is left to offer
    assert "star stories" not in after.stdout
    assert "no unread story of the library's last 14 days is like" in after.stdout


def test_a_story_a_killfile_rule_hides_is_in_no_discovery_list(
    isolated_env: dict[str, str], tmp_path: Path
) -> None:
    """The hidden story is the closest match for every list, and none of them shows it."""
    from datetime import UTC, datetime, timedelta

    when = (datetime.now(UTC) - timedelta(hours=2)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    event = "Ferry crews strike and the harbour is closed to all traffic until Friday."
    outlets = {
        "coast": [
            ("c1", "Ferry strike closes the harbour", event),
            ("c2", "Sponsored: ferry strike closes the harbour", event),
            ("c3", "Apple harvest is the best in a decade", "Orchards report record apples."),
            (
                "c4",
                "Ferry company orders two electric ferries for the harbour",
                "The ferry crews will train on the new electric ferries at the harbour.",
            ),
        ],
        "bay": [("b1", "Harbour shut as ferry crews strike", event)],
        "port": [("p1", "Ferry strike shuts the harbour", event)],
    }
    for name, items in outlets.items():
        body = "".join(
            f"<item><title>{t}</title><guid>{g}</guid><description>{d}</description>"
            f"<pubDate>{when}</pubDate></item>"
            for g, t, d in items
        )
        path = tmp_path / f"{name}.xml"
        path.write_text(f"<rss version='2.0'><channel><title>{name}</title>{body}</channel></rss>")
        assert run(isolated_env, "add", str(path)).returncode == 0
    _quiet_config(tmp_path, "[[ignore]]\nquery = 'title =~ \"^Sponsored\"'\n")
    assert "Sponsored" not in run(isolated_env, "list").stdout  # the rule is in force
    stories = {s["title"]: s["id"] for s in json.loads(run(isolated_env, "list", "--json").stdout)}
    electric = stories["Ferry company orders two electric ferries for the harbour"]
    starred = run(isolated_env, "mark", str(stories["Ferry strike closes the harbour"]), "--star")
    assert starred.returncode == 0, starred.stderr
    outputs = {
        "related": run(isolated_env, "related", str(electric), "--json"),
        "also in": run(isolated_env, "related", str(stories["Harbour shut as ferry crews strike"])),
        "trending": run(isolated_env, "trending", "--json"),
        "recommend": run(isolated_env, "recommend", "--json"),
    }
    for name, result in outputs.items():
        assert result.returncode == 0, (name, result.stderr)
        assert "Sponsored" not in result.stdout, (name, result.stdout)
    # and the lists are not empty for another reason
    assert json.loads(outputs["related"].stdout)["related"], outputs["related"].stdout
    assert json.loads(outputs["recommend"].stdout), outputs["recommend"].stdout
    assert "Ferry strike shuts the harbour" in outputs["trending"].stdout
    assert "Ferry strike shuts the harbour" in outputs["also in"].stdout
