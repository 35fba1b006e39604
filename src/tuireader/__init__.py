"""tuireader: a fast, offline-first terminal news reader."""

from __future__ import annotations


def __getattr__(name: str) -> str:
    # The version is read from package metadata on first use only: importlib.metadata costs
    # ~30 ms, which every command would otherwise pay at start-up.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("tuireader")
        except PackageNotFoundError:  # running from a source tree without install
            return "0.0.0"
    raise AttributeError(name)


__all__ = ["__version__"]
