"""The meaning embedding: wordllama's shipped files, read offline, on first use only; and
when it cannot load, discovery says so and goes on with words."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from discovery_eval import LABELED, fixture_story, indexed_text
from tuireader.app import new_discovery
from tuireader.cli.doctor import check_meaning
from tuireader.config.settings import Settings
from tuireader.content.embedding import (
    DIMENSIONS,
    EmbedderUnavailable,
    WordLlamaEmbedder,
    dequantize,
    package_dir,
    quantize,
)
from tuireader.domain.models import Source, SourceKind
from tuireader.services.library import Library
from tuireader.storage.database import open_database

NO_NETWORK = textwrap.dedent(
    """
    import socket, sys

    class Refused(OSError):
        pass

    def refuse(*args, **kwargs):
        raise Refused("the network was reached for")

    socket.socket.connect = refuse
    socket.socket.connect_ex = refuse
    socket.create_connection = refuse
    socket.getaddrinfo = refuse
    """
)


def test_the_embedding_loads_and_embeds_with_the_network_blocked(tmp_path: Path) -> None:
    """In a fresh interpreter with every way out refused, a cold Hugging Face cache and
    ``HF_HUB_OFFLINE``: the shipped files load, and no module that downloads is imported."""
    code = NO_NETWORK + textwrap.dedent(
        """
        from tuireader.content.embedding import WordLlamaEmbedder
        vectors = WordLlamaEmbedder().embed(["Storm floods the coast", "Rain swamps towns"])
        print(vectors.shape[0], round(float(vectors[0] @ vectors[1]), 3))
        print(*sorted(m for m in ("requests", "huggingface_hub", "wordllama") if m in sys.modules))
        """
    )
    env = {
        "HF_HUB_OFFLINE": "1",
        "HOME": str(tmp_path),
        "HF_HOME": str(tmp_path / "hf"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    count, similarity = result.stdout.splitlines()[0].split()
    assert count == "2" and 0.2 < float(similarity) < 1.0
    assert result.stdout.splitlines()[1:] == [""]  # nothing that downloads was imported
    assert not (tmp_path / "cache").exists() and not (tmp_path / ".cache").exists()


def test_the_wheel_ships_the_files_where_they_are_read() -> None:
    root = package_dir()
    assert (root / "weights" / "l2_supercat_256.safetensors").is_file()
    assert (root / "tokenizers" / "l2_supercat_tokenizer_config.json").is_file()
    assert not (root / "tokenizer").exists()  # where wordllama's own loader would look


def test_meaning_brings_near_stories_together() -> None:
    embedder = WordLlamaEmbedder()
    assert not embedder.loaded  # nothing is read until asked
    vectors = embedder.embed(
        [
            "Central bank raises interest rates again",
            "Borrowing costs climb as the bank hikes its rate",
            "Striker scores twice as the team wins the cup",
            "",
        ]
    )
    assert embedder.loaded and vectors.shape == (4, DIMENSIONS)
    assert float(vectors[0] @ vectors[1]) > float(vectors[0] @ vectors[2]) + 0.1
    assert not vectors[3].any()  # nothing to embed: a zero vector, never NaN
    assert np.allclose(np.linalg.norm(vectors[:3], axis=1), 1.0, atol=1e-5)


def test_vectors_survive_their_int8_form() -> None:
    vectors = WordLlamaEmbedder().embed(["A quake shakes the town", "Votes are counted"])
    blobs = quantize(np.vstack([vectors, np.zeros((1, DIMENSIONS), np.float32)]))
    assert [len(b) for b in blobs] == [DIMENSIONS, DIMENSIONS, 0]
    back = dequantize([*blobs, b"junk"])
    assert float(back[0] @ vectors[0]) > 0.999 and float(back[1] @ vectors[1]) > 0.999
    assert not back[2].any() and not back[3].any()


def test_start_up_does_not_pay_for_the_model(tmp_path: Path) -> None:
    """Building the app's context and discovery (what start-up does) reads no embedding."""
    code = textwrap.dedent(
        f"""
        import sys
        from tuireader.app import build_context, session_for
        context = build_context({str(tmp_path / "data")!r}, {str(tmp_path / "config")!r})
        session = session_for(context)
        discovery = context.discovery
        loaded = [m for m in ("tokenizers", "safetensors", "numpy") if m in sys.modules]
        print(*loaded, context.embedder.loaded)
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False"], result.stdout


def _library(tmp_path: Path, root: Path | None) -> tuple[Library, object, dict[str, int]]:
    conn, _ = open_database(tmp_path / "lib.db")
    library = Library(conn, Settings())
    discovery = new_discovery(
        conn, Settings(), clock=lambda: 1.8e9, embedder=WordLlamaEmbedder(root)
    )
    records = json.loads(LABELED.read_text())["stories"]
    ids: dict[str, int] = {}
    for name in sorted({r["source"] for r in records}):
        url = f"http://{name.lower().replace(' ', '-')}.example/feed"
        source, _ = library.add_source(Source(url=url, kind=SourceKind.FEED, title=name))
        for record in [r for r in records if r["source"] == name]:
            story = fixture_story(record)
            touched = library.store(source, [(story, indexed_text(story))], 0).touched
            discovery.index(touched)
            ids[record["id"]] = touched[0].id
    return library, discovery, ids


def test_a_broken_embedding_is_logged_said_and_words_go_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    empty = tmp_path / "no-wordllama"
    empty.mkdir()
    with pytest.raises(EmbedderUnavailable, match="missing"):
        WordLlamaEmbedder(empty).load()
    _, discovery, ids = _library(tmp_path, empty)
    with caplog.at_level(logging.ERROR):
        report = discovery.index_meaning()  # type: ignore[attr-defined]
    assert report.embedded == 0 and report.problem and "words only" in report.problem
    assert any(r.exc_info for r in caplog.records), "the traceback is logged"
    related = discovery.related(ids["s01"])  # type: ignore[attr-defined]
    assert related and all(r.why.startswith("shares ") for r in related)
    doctor = check_meaning(empty)
    assert not doctor.ok and "words only" in doctor.line()


def test_index_meaning_embeds_what_a_refresh_stored_and_no_more(tmp_path: Path) -> None:
    library, discovery, ids = _library(tmp_path, None)
    conn = library.connection
    assert conn.execute("SELECT count(*) FROM story_vectors").fetchone()[0] == 0  # not inline
    report = discovery.index_meaning()  # type: ignore[attr-defined]
    stories = conn.execute("SELECT count(*) FROM stories").fetchone()[0]
    assert report.embedded == stories and report.problem is None
    assert discovery.index_meaning().embedded == 0  # type: ignore[attr-defined]
    # a story deleted takes its vector with it
    conn.execute("DELETE FROM stories WHERE id = ?", (ids["s01"],))
    assert conn.execute("SELECT count(*) FROM story_vectors").fetchone()[0] == stories - 1


def test_related_before_the_library_is_embedded_finds_stories_by_their_words(
    tmp_path: Path,
) -> None:
    """The app embeds on a thread after stories are stored: until it has, the open story has
    a vector and the rest do not, and Related must still list the stories sharing words."""
    library, discovery, ids = _library(tmp_path, None)
    assert library.connection.execute("SELECT count(*) FROM story_vectors").fetchone()[0] == 0
    related = discovery.related(ids["s01"])  # type: ignore[attr-defined]
    assert discovery.semantic.available  # type: ignore[attr-defined]
    assert related and any(r.why.startswith("shares ") for r in related)
