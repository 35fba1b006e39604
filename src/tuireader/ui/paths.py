"""Paths the user types into the app."""

from __future__ import annotations

from pathlib import Path


def open_path(text: str) -> Path:
    """A user-typed path, ``~`` expanded."""
    return Path(text).expanduser()
