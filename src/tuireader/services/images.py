"""Article images, downloaded on demand into the cache dir with a size cap and an expiry."""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from tuireader.domain.errors import SourceError
from tuireader.domain.text import safe_link
from tuireader.sources.http import Fetcher

logger = logging.getLogger(__name__)

IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")


@dataclass(frozen=True, slots=True)
class ImageCachePolicy:
    """How much the image cache keeps."""

    max_bytes: int = 5 * 1024 * 1024
    """Largest image downloaded."""
    max_age_days: int = 14
    """Images unused this long are deleted."""


class ImageCache:
    """Files named by a hash of their URL under ``<cache dir>/images``."""

    def __init__(
        self, cache_dir: Path, fetcher: Fetcher, policy: ImageCachePolicy | None = None
    ) -> None:
        self.dir = cache_dir / "images"
        self.fetcher = fetcher
        self.policy = policy or ImageCachePolicy()

    def path_for(self, url: str) -> Path:
        """Where an image's bytes are kept."""
        return self.dir / hashlib.sha256(url.encode()).hexdigest()[:32]

    async def get(self, url: str) -> Path:
        """The cached file for ``url``, downloading it first if needed."""
        link = safe_link(url)
        if not link:
            raise SourceError("only http(s) images are downloaded")
        path = self.path_for(link)
        if path.exists():
            os.utime(path)  # still in use: not expired
            return path
        fetched = await self.fetcher.fetch(link)
        kind = fetched.content_type.split(";")[0].strip().lower()
        if kind not in IMAGE_TYPES:
            raise SourceError(f"not an image ({kind or 'unknown type'})")
        if len(fetched.data) > self.policy.max_bytes:
            raise SourceError(f"image too large (over {self.policy.max_bytes // 1024} KB)")
        self.dir.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        partial.write_bytes(fetched.data)
        partial.replace(path)
        return path


def expire_images(
    cache_dir: Path, policy: ImageCachePolicy | None = None, now: float | None = None
) -> int:
    """Delete cached images unused for the policy's ``max_age_days``; returns how many went.

    An image counts as used when it was last downloaded or shown (:meth:`ImageCache.get`
    touches it). Files another process removes meanwhile are passed over.
    """
    images = cache_dir / "images"
    max_age = (policy or ImageCachePolicy()).max_age_days * 86400
    cutoff = (time.time() if now is None else now) - max_age
    gone = 0
    try:
        entries = list(images.iterdir())
    except FileNotFoundError:
        return 0
    except OSError:
        logger.exception("could not list the image cache %s", images)
        return 0
    for entry in entries:
        try:
            if entry.is_file() and entry.stat().st_mtime < cutoff:
                entry.unlink()
                gone += 1
        except FileNotFoundError:
            continue
        except OSError:
            logger.exception("could not expire the cached image %s", entry)
    return gone


def expire_images_in_background(cache_dir: Path) -> threading.Thread:
    """Start :func:`expire_images` on a daemon thread (at app start: it never delays it)."""
    thread = threading.Thread(
        target=expire_images, args=(cache_dir,), name="expire-images", daemon=True
    )
    thread.start()
    return thread
