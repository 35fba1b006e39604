"""Files that are not text are skipped with a reason, never stored as garbage stories."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from tuireader.sources.feedparse import parse_feed
from tuireader.sources.local import load_path
from tuireader.sources.local.sniff import not_text_reason

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"


def random_bytes(n: int, seed: int = 8) -> bytes:
    return random.Random(seed).randbytes(n)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b" \n\t\n", "empty file"),
        (PNG, "not text: a PNG image"),
        (PDF, "not text: a PDF (`tuireader save` reads PDFs)"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "not text: a JPEG image"),
        (random_bytes(4096), "not text: binary data"),
        (random_bytes(60, seed=3).replace(b"\x00", b"a"), "not text"),
    ],
)
def test_not_text_is_named(data: bytes, reason: str) -> None:
    found = not_text_reason(data)
    assert found is not None and found.startswith(reason)


@pytest.mark.parametrize(
    "data",
    [
        b"Plain words\n\nand a paragraph.\n",
        "Grüße aus Köln — “quoted” ✓ 東京\n".encode() * 500,  # UTF-8 cut mid-character
        "Un café crème, s'il vous plaît.\n".encode("latin-1"),  # a few stray bytes
        "\ufeffUTF-16 text\n".encode("utf-16"),
        b"\x1b[1mbold\x1b[0m in a terminal log\n" * 3,
    ],
)
def test_text_is_text(data: bytes) -> None:
    assert not_text_reason(data) is None


def test_a_feed_in_another_encoding_is_left_to_the_feed_parser() -> None:
    feed = '<?xml version="1.0" encoding="windows-1251"?><rss><channel><title>Новости</title>'
    data = (feed + "<description>Последние новости города</description>" * 20).encode("cp1251")
    assert not_text_reason(data) is not None  # as UTF-8 it is garbage
    assert not_text_reason(data, utf8=False) is None


def test_folder_skips_what_is_not_text_and_loads_the_rest(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("A real headline\n\nA real body.\n", "utf-8")
    (tmp_path / "good.md").write_text("# Markdown headline\n\nBody.\n", "utf-8")
    (tmp_path / "noise.txt").write_bytes(random_bytes(2000))
    (tmp_path / "photo.html").write_bytes(PNG + random_bytes(500))
    (tmp_path / "paper.txt").write_bytes(PDF)
    (tmp_path / "empty.md").write_bytes(b"")
    (tmp_path / "wide.txt").write_bytes("Wide headline\n\nbody\n".encode("utf-16"))
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "pipe.md")
    result = load_path(tmp_path, parse_feed)
    assert sorted(s.title for s in result.stories) == [
        "A real headline",
        "Markdown headline",
        "Wide headline",
    ]
    errors = dict(result.errors)
    assert errors["noise.txt"] == "not text: binary data"
    assert errors["photo.html"] == "not text: a PNG image"
    assert errors["paper.txt"].startswith("not text: a PDF")
    assert errors["empty.md"] == "empty file"
    if hasattr(os, "mkfifo"):
        assert errors["pipe.md"] == "not a regular file: a FIFO (named pipe)"


def test_a_device_given_as_the_path_is_named(tmp_path: Path) -> None:
    result = load_path(Path("/dev/null"), parse_feed)
    assert result.stories == []
    assert result.errors == [("null", "not a regular file: a character device")]
