"""``tuireader sync`` and ``refresh`` with a folder account: two data dirs, one shared folder,
the installed command as a user runs it."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from feedserver import FeedServer
from test_cli import run


def home(root: Path, name: str, folder: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "TUIREADER_DATA_DIR": str(root / name / "data"),
        "TUIREADER_CONFIG_DIR": str(root / name / "config"),
        "TUIREADER_CACHE_DIR": str(root / name / "cache"),
        "TUIREADER_LOG_DIR": str(root / name / "log"),
    }
    config = root / name / "config"
    config.mkdir(parents=True)
    (config / "config.toml").write_text(
        f'[accounts.home]\ntype = "folder"\npath = "{folder}"\n', encoding="utf-8"
    )
    return env


def stories(env: dict[str, str]) -> dict[str, tuple[bool, bool]]:
    listed = run(env, "list", "--json")
    assert listed.returncode == 0, listed.stderr
    return {s["title"]: (s["read"], s["starred"]) for s in json.loads(listed.stdout)}


def test_two_machines_sync_through_a_folder(tmp_path: Path, feed_server: FeedServer) -> None:
    shared_a, shared_b = tmp_path / "share-a", tmp_path / "share-b"  # each machine's copy
    shared_a.mkdir()
    shared_b.mkdir()
    a, b = home(tmp_path, "a", shared_a), home(tmp_path, "b", shared_b)
    url = feed_server.url("/rss2.xml")
    for env in (a, b):
        added = run(env, "add", url)
        assert added.returncode == 0, added.stderr
    first = json.loads(run(a, "list", "--json").stdout)[0]
    assert run(a, "mark", str(first["id"]), "--read").returncode == 0
    assert run(a, "mark", str(first["id"]), "--star").returncode == 0
    synced = run(a, "sync", "--json")
    assert synced.returncode == 0, synced.stderr
    [report] = json.loads(synced.stdout)
    assert report["account"] == "home" and report["sent"] >= 2
    for log in shared_a.iterdir():  # the sync tool copies A's log to B's machine
        shutil.copy(log, shared_b / log.name)
    refreshed = run(b, "refresh", "--quiet")  # a full refresh syncs every account too
    assert refreshed.returncode == 0, refreshed.stderr
    assert stories(b)[first["title"]] == (True, True)
    assert stories(a) == stories(b)


def test_sync_names_what_it_cannot_do(tmp_path: Path) -> None:
    env = home(tmp_path, "a", tmp_path / "missing-folder")
    config = Path(env["TUIREADER_CONFIG_DIR"]) / "config.toml"
    config.write_text(
        config.read_text()
        + '[accounts.work]\ntype = "miniflux"\nurl = "http://127.0.0.1:9"\nuser = "u"\n'
        'password_command = "echo pw"\n',
        encoding="utf-8",
    )
    synced = run(env, "sync")
    assert synced.returncode == 1
    lines = synced.stderr.strip().splitlines()
    assert len(lines) == 2, synced.stderr
    assert lines[0].startswith("tuireader: home: ") and "missing-folder" in lines[0]
    # nothing listens on port 9: the account and the reason, in one line
    assert lines[1].startswith("tuireader: work: 127.0.0.1:9: "), lines[1]
    assert "refused" in lines[1] or "connect" in lines[1], lines[1]
    assert "pw" not in synced.stdout
    unknown = run(env, "sync", "nope")
    assert unknown.returncode == 2 and "no account named 'nope'" in unknown.stderr
    assert "Traceback" not in synced.stderr + unknown.stderr
