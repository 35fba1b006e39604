"""The CLI's acting commands, run as the installed ``tuireader``: ``enclosures``,
``download``, ``show --pipe`` and the notify command after ``refresh``."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from feedserver import FeedServer
from fileserver import serving
from test_cli import run

RECORDER = str(Path(__file__).with_name("recorder.py"))
AUDIO = os.urandom(150_000)


def podcast_feed(audio_url: str, *titles: str) -> bytes:
    enclosure = f'<enclosure url="{audio_url}" type="audio/mpeg" length="{len(AUDIO)}"/>'
    items = "".join(
        f"<item><title>{t}</title><guid>g{n}</guid><link>http://pod.example/{n}</link>"
        f"<description>Episode {n} of the show.</description>"
        + (enclosure if n == 0 else "")
        + "</item>"
        for n, t in enumerate(titles)
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Pod</title>'
        f"<link>http://pod.example/</link><description>d</description>{items}</channel></rss>"
    ).encode()


def config(env: dict[str, str], text: str) -> None:
    folder = Path(env["TUIREADER_CONFIG_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.toml").write_text(text, encoding="utf-8")


def first_id(env: dict[str, str]) -> str:
    listed = run(env, "list", "--json")
    return str(json.loads(listed.stdout)[-1]["id"])


def test_enclosures_and_download(
    isolated_env: dict[str, str], feed_server: FeedServer, tmp_path: Path
) -> None:
    with serving({"/ep.mp3": AUDIO}) as files:
        feed = feed_server.add("/pod.xml", podcast_feed(files.url("/ep.mp3"), "Episode zero"))
        config(isolated_env, f'[actions]\ndownload_dir = "{tmp_path / "dl"}"\n')
        assert run(isolated_env, "add", feed).returncode == 0
        story = first_id(isolated_env)
        listed = run(isolated_env, "enclosures", story)
        assert listed.stdout == f"[1] {files.url('/ep.mp3')}  (audio/mpeg · 146.5 KB)\n"
        fetched = run(isolated_env, "download", story, "1")
        assert fetched.returncode == 0, fetched.stderr
        assert fetched.stdout == f"downloaded: {tmp_path / 'dl' / 'ep.mp3'} (146.5 KB)\n"
        assert (tmp_path / "dl" / "ep.mp3").read_bytes() == AUDIO
        again = run(isolated_env, "download", story)
        assert again.stdout == f"already downloaded: {tmp_path / 'dl' / 'ep.mp3'}\n"
        state = json.loads(run(isolated_env, "enclosures", story, "--json").stdout)
        assert state[0]["download"]["state"] == "done"
        assert len(files.ranges) == 1
        wrong = run(isolated_env, "download", story, "2")
        assert wrong.returncode == 2
        assert wrong.stderr == f"tuireader: story {story} has 1 enclosure, not 2\n"


def test_a_download_that_fails_says_why_in_a_line(
    isolated_env: dict[str, str], feed_server: FeedServer, tmp_path: Path
) -> None:
    with serving({}) as files:
        feed = feed_server.add("/pod.xml", podcast_feed(files.url("/gone.mp3"), "Episode zero"))
        config(isolated_env, f'[actions]\ndownload_dir = "{tmp_path / "dl"}"\n')
        assert run(isolated_env, "add", feed).returncode == 0
        failed = run(isolated_env, "download", first_id(isolated_env))
    assert failed.returncode == 1
    assert failed.stderr == f"tuireader: {files.url('/gone.mp3')}: HTTP 404\n"


def test_show_pipe_sends_markdown_or_the_link(
    isolated_env: dict[str, str], feed_server: FeedServer, tmp_path: Path
) -> None:
    out = tmp_path / "piped.jsonl"
    feed = feed_server.add("/pod.xml", podcast_feed("http://pod.example/a.mp3", "Episode zero"))
    assert run(isolated_env, "add", feed).returncode == 0
    story = first_id(isolated_env)
    command = f"{sys.executable} {RECORDER} {out} 'two words'"
    piped = run({**isolated_env, "RECORDER_SAY": "counted"}, "show", story, "--pipe", command)
    assert piped.returncode == 0, piped.stderr
    assert piped.stdout == "counted\n"  # the command's output is ours
    url = run(isolated_env, "show", story, "--pipe", command, "--pipe-url")
    assert url.returncode == 0
    first, second = [json.loads(line) for line in out.read_text().splitlines()]
    assert first["argv"] == ["two words"]
    assert (
        first["stdin"].startswith("# Episode zero\n") and "Episode 0 of the show." in first["stdin"]
    )
    assert second["stdin"] == "http://pod.example/0\n"


def test_show_pipe_failures_are_one_line(
    isolated_env: dict[str, str], feed_server: FeedServer, tmp_path: Path
) -> None:
    feed = feed_server.add("/pod.xml", podcast_feed("http://pod.example/a.mp3", "Episode zero"))
    assert run(isolated_env, "add", feed).returncode == 0
    story = first_id(isolated_env)
    missing = run(isolated_env, "show", story, "--pipe", "no-such-command-x")
    assert (missing.returncode, missing.stderr) == (
        2,
        "tuireader: pipe: command not found: 'no-such-command-x'\n",
    )
    failing = run(
        {**isolated_env, "RECORDER_EXIT": "4"},
        "show",
        story,
        "--pipe",
        f"{sys.executable} {RECORDER} {tmp_path / 'x'}",
    )
    assert failing.returncode == 2
    assert failing.stderr == (
        f"tuireader: pipe: '{sys.executable}' exited with 4: recorder failed on purpose\n"
    )
    config(isolated_env, "[actions]\npipe_timeout = 0.5\n")
    slow = run(
        isolated_env, "show", story, "--pipe", f"{sys.executable} -c 'import time; time.sleep(30)'"
    )
    assert (slow.returncode, slow.stderr) == (
        2,
        f"tuireader: pipe: '{sys.executable}' took more than 0.5 s and was stopped\n",
    )


def test_refresh_runs_the_notify_command_with_the_count_and_clean_titles(
    isolated_env: dict[str, str], feed_server: FeedServer, tmp_path: Path
) -> None:
    out = tmp_path / "notified.jsonl"
    config(
        isolated_env,
        f"[actions]\nnotify_command = ['{sys.executable}', '{RECORDER}', '{out}', '--from-cron']\n",
    )
    feed = feed_server.add("/pod.xml", podcast_feed("http://pod.example/a.mp3", "Old one"))
    assert run(isolated_env, "add", feed).returncode == 0
    assert not out.exists()  # adding is not a refresh
    quiet = run(isolated_env, "refresh", "-q")
    assert quiet.returncode == 0 and not out.exists()  # nothing new: nobody is told
    feed_server.add(
        "/pod.xml",
        podcast_feed(
            "http://pod.example/a.mp3",
            "Old one",
            "Seals return &#x1b;[31mred&#x7; to the harbour",
            "Ferry &amp; bus strike",
        ),
    )
    done = run(isolated_env, "refresh", "-q")
    assert done.returncode == 0, done.stderr
    [record] = [json.loads(line) for line in out.read_text().splitlines()]
    assert record["argv"][:2] == ["--from-cron", "2"]
    assert sorted(record["argv"][2:]) == ["Ferry & bus strike", "Seals return red to the harbour"]


def test_a_failing_notify_command_is_one_line(
    isolated_env: dict[str, str], feed_server: FeedServer
) -> None:
    config(isolated_env, "[actions]\nnotify_command = ['no-such-notifier']\n")
    feed = feed_server.add("/pod.xml", podcast_feed("http://pod.example/a.mp3", "Old one"))
    assert run(isolated_env, "add", feed, "--no-fetch").returncode == 0
    done = run(isolated_env, "refresh", "-q")
    assert done.returncode == 1
    assert done.stderr == "tuireader: notify command not found: 'no-such-notifier'\n"
