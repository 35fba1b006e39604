"""Local files and folders as sources: feeds, OPML, page dumps, Markdown, HTML and JSON."""

from __future__ import annotations

from pathlib import Path

from tuireader.sources.local.loader import LocalResult, fingerprint, load_path

__all__ = ["LocalResult", "fingerprint", "load_path", "sample_library"]


def sample_library() -> Path:
    """The folder of fictional sample stories bundled with tuireader (for a first, offline run)."""
    return Path(__file__).resolve().parents[2] / "assets" / "library"
