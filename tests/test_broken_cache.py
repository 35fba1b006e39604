"""A broken or foreign database is never adopted; read-only is not corruption; unusable
directories give one line."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from test_cli import run
from tuireader.domain.errors import StorageError
from tuireader.storage.database import open_database
from tuireader.storage.migrations import SCHEMA_VERSION


def moved_aside(folder: Path) -> list[Path]:
    return [p for p in folder.glob("tuireader.db.bad-*") if not p.name.endswith(("-wal", "-shm"))]


def foreign_database(path: Path, version: int = 0) -> bytes:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL, note TEXT)")
    conn.executemany(
        "INSERT INTO invoices (total, note) VALUES (?, ?)", [(i, "x" * 500) for i in range(200)]
    )
    if version:
        conn.execute(f"PRAGMA user_version = {version}")
    conn.commit()
    conn.close()
    return path.read_bytes()


@pytest.mark.parametrize("version", [0, 3])
def test_someone_elses_database_is_moved_aside_untouched(tmp_path: Path, version: int) -> None:
    path = tmp_path / "tuireader.db"
    before = foreign_database(path, version)
    conn, notice = open_database(path)
    assert notice is not None and "not a tuireader database" in notice and "moved it to" in notice
    (aside,) = moved_aside(tmp_path)
    assert aside.read_bytes() == before  # never written to
    tables = {n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "invoices" not in tables and "stories" in tables
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def damaged_database(path: Path, version: int | None = None) -> bytes:
    """A tuireader database with garbage in its b-tree page headers; returns its bytes."""
    conn, _ = open_database(path)
    conn.executemany(
        "INSERT INTO sources (url, kind, added_at) VALUES (?, 'feed', 0)",
        [(f"http://s{i}.example/" + "p" * 300,) for i in range(400)],
    )
    if version is not None:
        conn.execute(f"PRAGMA user_version = {version}")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = bytearray(path.read_bytes())
    page = 4096
    assert len(data) > 6 * page
    for start in range(2 * page, len(data) - page, page):
        data[start : start + 12] = b"\x0d\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
    path.write_bytes(bytes(data))
    return path.read_bytes()


def test_a_damaged_database_is_moved_aside_untouched(tmp_path: Path) -> None:
    path = tmp_path / "tuireader.db"
    before = damaged_database(path)
    conn, notice = open_database(path)
    assert notice is not None and "damaged" in notice, notice
    (aside,) = moved_aside(tmp_path)
    assert aside.read_bytes() == before
    assert conn.execute("SELECT count(*) FROM sources").fetchone()[0] == 0


def test_a_large_damaged_database_is_checked_before_a_migration_writes_to_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tuireader.storage import database

    monkeypatch.setattr(database, "CHECK_ALWAYS_BYTES", 1024)  # every file counts as large
    path = tmp_path / "tuireader.db"
    before = damaged_database(path, version=SCHEMA_VERSION - 1)
    _conn, notice = open_database(path)
    assert notice is not None and "damaged" in notice, notice
    (aside,) = moved_aside(tmp_path)
    assert aside.read_bytes() == before


def test_an_empty_file_and_a_good_database_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "tuireader.db"
    path.write_bytes(b"")
    conn, notice = open_database(path)
    assert notice is None
    conn.execute("INSERT INTO sources (url, kind, added_at) VALUES ('http://a/', 'feed', 0)")
    conn.close()
    conn, notice = open_database(path)
    assert notice is None and conn.execute("SELECT count(*) FROM sources").fetchone()[0] == 1
    assert not list(tmp_path.glob("*.bad-*"))


@pytest.fixture
def mounted(tmp_path: Path) -> Iterator[Path]:
    """A small tmpfs of our own, remountable read-only (needs root, as here and in CI)."""
    mount = tmp_path / "mnt"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)])
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def remount_read_only(mount: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)


def test_a_read_only_database_is_read_not_renamed(
    isolated_env: dict[str, str], tmp_path: Path, mounted: Path
) -> None:
    env = {**isolated_env, "TUIREADER_DATA_DIR": str(mounted / "data")}
    page = tmp_path / "note.md"
    page.write_text("# A note kept on a read-only disk\n\nBody text.\n")
    assert run(env, "add", str(page)).returncode == 0
    remount_read_only(mounted)
    listed = run(env, "list", "--json", "--limit", "100")
    assert listed.returncode == 0, listed.stderr
    assert any(s["title"] == "A note kept on a read-only disk" for s in json.loads(listed.stdout))
    assert f"database is read-only: {mounted / 'data' / 'tuireader.db'}" in listed.stderr
    assert "moved" not in listed.stderr and "unreadable" not in listed.stderr
    assert sorted(p.name for p in (mounted / "data").iterdir())[0] == "tuireader.db"
    assert not list((mounted / "data").glob("*.bad-*"))
    story = json.loads(listed.stdout)[0]["id"]
    marked = run(env, "mark", str(story), "--read")
    assert marked.returncode == 1
    assert marked.stderr.strip().splitlines()[-1] == (
        f"tuireader: database is read-only: {mounted / 'data' / 'tuireader.db'}"
    )
    assert "Traceback" not in marked.stderr and "internal error" not in marked.stderr


def test_a_read_only_place_with_no_database_is_one_line(
    isolated_env: dict[str, str], mounted: Path
) -> None:
    (mounted / "data").mkdir()
    remount_read_only(mounted)
    env = {**isolated_env, "TUIREADER_DATA_DIR": str(mounted / "data")}
    result = run(env, "list")
    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()
    assert "read-only" in line and "--data-dir" in line and str(mounted / "data") in line


@pytest.mark.parametrize("command", [["list"], ["sources"], ["refresh"], ["trending"], []])
@pytest.mark.parametrize("which", ["data", "cache", "config"])
def test_a_dir_that_is_a_file_is_one_line_exit_2(
    isolated_env: dict[str, str], tmp_path: Path, command: list[str], which: str
) -> None:
    blocker = tmp_path / f"{which}-is-a-file"
    blocker.write_text("not a folder")
    env = {**isolated_env, f"TUIREADER_{which.upper()}_DIR": str(blocker)}
    result = run(env, *command)
    assert result.returncode == 2, (result.stdout, result.stderr)
    (line,) = result.stderr.strip().splitlines()
    assert line == (
        f"tuireader: {which} dir {blocker} is a file, not a folder; choose another with "
        + {
            "data": "--data-dir or TUIREADER_DATA_DIR",
            "cache": "TUIREADER_CACHE_DIR",
            "config": "--config-dir or TUIREADER_CONFIG_DIR",
        }[which]
    )


def test_a_data_dir_that_cannot_be_created_is_one_line(
    isolated_env: dict[str, str], tmp_path: Path
) -> None:
    (tmp_path / "file").write_text("x")
    target = tmp_path / "file" / "data"
    result = run({**isolated_env, "TUIREADER_DATA_DIR": str(target)}, "list")
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"tuireader: cannot create data dir {target}: ")
    assert line.endswith("choose another with --data-dir or TUIREADER_DATA_DIR")


def test_storage_error_for_a_newer_database_still_stands(tmp_path: Path) -> None:
    path = tmp_path / "tuireader.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.execute("CREATE TABLE stories (x)")
    conn.commit()
    conn.close()
    with pytest.raises(StorageError, match="newer tuireader"):
        open_database(path)
