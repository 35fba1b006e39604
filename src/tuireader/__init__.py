"""tuireader: a fast, offline-first terminal news reader."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("tuireader")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0"

__all__ = ["__version__"]
