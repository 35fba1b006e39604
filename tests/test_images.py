"""The image cache's 14-day expiry: by itself, on `tuireader vacuum` and on app start."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from test_cli import run
from tuireader.services.images import ImageCache, ImageCachePolicy, expire_images
from tuireader.sources.http import Fetcher, FetchLimits, make_client

DAY = 86400


def cached(cache_dir: Path, name: str, days_unused: float) -> Path:
    """An image file in the cache, last used ``days_unused`` days ago."""
    path = cache_dir / "images" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\x89PNG\r\n\x1a\n")
    when = time.time() - days_unused * DAY
    os.utime(path, (when, when))
    return path


def test_an_image_unused_for_over_14_days_goes_and_a_fresh_one_stays(tmp_path: Path) -> None:
    assert ImageCachePolicy().max_age_days == 14  # what the README promises
    old = cached(tmp_path, "old", 14.1)
    fresh = cached(tmp_path, "fresh", 13.9)
    assert expire_images(tmp_path) == 1
    assert not old.exists() and fresh.exists()
    assert expire_images(tmp_path / "never-made") == 0


async def test_showing_an_image_again_keeps_it(tmp_path: Path) -> None:
    limits = FetchLimits(connect_timeout=1, read_timeout=1, deadline=2)
    async with make_client("tuireader-test", limits) as client:
        cache = ImageCache(tmp_path, Fetcher(client, limits))
        url = "http://images.example/cat.png"
        path = cached(tmp_path, cache.path_for(url).name, 20)
        assert await cache.get(url) == path  # from the cache: no download
    assert expire_images(tmp_path) == 0
    assert path.exists()


def test_vacuum_expires_unused_images(isolated_env: dict[str, str]) -> None:
    cache = Path(isolated_env["TUIREADER_CACHE_DIR"])
    old = cached(cache, "old", 15)
    fresh = cached(cache, "fresh", 1)
    result = run(isolated_env, "vacuum")
    assert result.returncode == 0, result.stderr
    assert "1 image(s) unused for 14 days deleted" in result.stdout
    assert not old.exists() and fresh.exists()


def test_app_start_expires_unused_images(
    isolated_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tuireader.app import build_context, run_app
    from tuireader.ui.shell import ReaderApp

    cache = Path(isolated_env["TUIREADER_CACHE_DIR"])
    old = cached(cache, "old", 15)
    fresh = cached(cache, "fresh", 1)
    ran: list[bool] = []
    monkeypatch.setattr(ReaderApp, "run", lambda self, *a, **kw: ran.append(True))
    context = build_context()
    try:
        assert run_app(context) == 0
    finally:
        context.close()
    assert ran
    for thread in threading.enumerate():
        if thread.name == "expire-images":
            thread.join(10)
    assert not old.exists() and fresh.exists()
