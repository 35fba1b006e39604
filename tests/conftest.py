"""Shared fixtures: a loopback feed server and temp data dirs."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from feedserver import FeedServer

# every search text a caller hands the store is checked against the one the index makes
# (for the tests' own processes and the commands they start)
os.environ["TUIREADER_CHECK_SEARCH_TEXT"] = "1"


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    server = FeedServer().start()
    yield server
    server.stop()


@pytest.fixture
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Environment variables pointing every tuireader dir into tmp_path."""
    env = {
        "TUIREADER_DATA_DIR": str(tmp_path / "data"),
        "TUIREADER_CONFIG_DIR": str(tmp_path / "config"),
        "TUIREADER_CACHE_DIR": str(tmp_path / "cache"),
        "TUIREADER_LOG_DIR": str(tmp_path / "log"),
        # a refresh embeds before it exits (no detached indexer outliving the test's dirs);
        # test_background_index.py runs the detached one
        "TUIREADER_INDEX": "wait",
    }
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    for proxy in (
        "http_proxy",
        "https_proxy",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "all_proxy",
    ):
        monkeypatch.delenv(proxy, raising=False)
    return {**os.environ, **env}
