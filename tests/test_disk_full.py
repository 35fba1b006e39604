"""A full disk is named as a full disk, stops the refresh there and loses nothing stored."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from test_cli import run


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MB filesystem of its own (tmpfs; needs root, as here and in CI)."""
    mount = tmp_path / "small"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small filesystem needs root")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_stops_the_refresh_and_keeps_what_is_stored(
    isolated_env: dict[str, str], tmp_path: Path, small_disk: Path
) -> None:
    env = {**isolated_env, "TUIREADER_DATA_DIR": str(small_disk / "data")}
    first = tmp_path / "first"
    first.mkdir()
    (first / "kept.md").write_text("# A story stored before the disk filled\n\nBody.\n")
    assert run(env, "add", str(first)).returncode == 0, "the first source is stored"
    before = json.loads(run(env, "list", "--json", "--limit", "500").stdout)
    assert any(s["title"] == "A story stored before the disk filled" for s in before)

    words = " ".join(f"word{i}" for i in range(20_000))  # ~150 KB a file, incompressible enough
    for n in range(4):  # four folders, each far more than the disk holds
        folder = tmp_path / f"big{n}"
        folder.mkdir()
        for i in range(8):
            (folder / f"s{i}.md").write_text(f"# Big story {n}-{i}\n\n{words} {n} {i}\n")
        assert run(env, "add", str(folder), "--no-fetch").returncode == 0
    refreshed = run(env, "refresh")
    assert refreshed.returncode == 1
    assert "Traceback" not in refreshed.stderr
    assert "internal error" not in refreshed.stderr
    assert "cannot rollback" not in refreshed.stderr
    stop = [line for line in refreshed.stderr.splitlines() if "no space left on device" in line]
    assert stop == [f"stopped: no space left on device for {small_disk / 'data' / 'tuireader.db'}"]
    assert not [line for line in refreshed.stderr.splitlines() if line.startswith("FAILED")]

    after = run(env, "list", "--json", "--limit", "500")  # reading still works
    assert after.returncode == 0, after.stderr
    titles = {s["title"] for s in json.loads(after.stdout)}
    assert "A story stored before the disk filled" in titles
    shown = run(env, "show", str(next(s["id"] for s in before if "before" in s["title"])))
    assert shown.returncode == 0 and "Body." in shown.stdout
