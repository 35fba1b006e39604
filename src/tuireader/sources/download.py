"""Fetching one file to disk over HTTP, resuming a ``.part`` file with a Range request."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tuireader.domain.downloads import size_line
from tuireader.domain.errors import SourceError, TooLargeError

if TYPE_CHECKING:
    import httpx

CHUNK = 64 * 1024
_CONTENT_RANGE = re.compile(r"bytes\s+(\d+)-(\d+)/(\d+|\*)", re.IGNORECASE)


class TooBig(TooLargeError):
    """The file is larger than the cap."""


class Gone(SourceError):
    """The server refuses the file for good (4xx): retrying will not help."""


@dataclass(frozen=True, slots=True)
class Fetched:
    """A file fetched whole into its ``.part`` file."""

    size: int


def make_download_client(
    user_agent: str, connect_timeout: float, read_timeout: float
) -> httpx.AsyncClient:
    """A client for enclosures: redirects followed (podcast hosts chain them), no content
    coding (a Range counts the file's own bytes)."""
    import httpx

    return httpx.AsyncClient(
        headers={"User-Agent": user_agent, "Accept-Encoding": "identity"},
        timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
        follow_redirects=True,
        trust_env=True,
    )


def _total(response: httpx.Response, offset: int) -> int | None:
    if response.status_code == 206:
        match = _CONTENT_RANGE.match(response.headers.get("content-range", ""))
        if match and match.group(3) != "*":
            return int(match.group(3))
        length = response.headers.get("content-length", "")
        return offset + int(length) if length.isdigit() else None
    length = response.headers.get("content-length", "")
    return int(length) if length.isdigit() else None


async def fetch_to(
    client: httpx.AsyncClient,
    url: str,
    part: Path,
    *,
    max_bytes: int = 0,
    progress: Callable[[int, int | None], None] | None = None,
) -> Fetched:
    """Fetch ``url`` into ``part``, continuing what ``part`` holds (``Range``); a server
    that ignores the range sends the file whole and ``part`` starts over.

    ``max_bytes`` (0: none) caps the file: :class:`TooBig`, and ``part`` is removed. A 4xx is
    :class:`Gone`; a 5xx, a timeout or a dropped connection is :class:`SourceError` with
    ``part`` kept for the next try.
    """
    import httpx

    offset = part.stat().st_size if part.exists() else 0
    headers = {"Range": f"bytes={offset}-"} if offset else {}
    try:
        async with client.stream("GET", url, headers=headers) as response:
            status = response.status_code
            if status == 416 and offset:  # nothing after what we hold: it is all there
                return Fetched(offset)
            if 400 <= status < 500:
                raise Gone(f"HTTP {status}")
            if status >= 300 or status not in (200, 206):
                raise SourceError(f"HTTP {status}")
            if status == 200:
                offset = 0
            total = _total(response, offset)
            if max_bytes and total is not None and total > max_bytes:
                part.unlink(missing_ok=True)
                raise TooBig(f"{size_line(total)}, over the {size_line(max_bytes)} limit")
            received = offset
            if progress is not None:
                progress(received, total)
            part.parent.mkdir(parents=True, exist_ok=True)
            with part.open("ab" if offset else "wb") as out:
                async for chunk in response.aiter_raw(CHUNK):
                    received += len(chunk)
                    if max_bytes and received > max_bytes:
                        out.close()
                        part.unlink(missing_ok=True)
                        raise TooBig(f"over the {size_line(max_bytes)} limit")
                    out.write(chunk)
                    if progress is not None:
                        progress(received, total)
            if total is not None and received < total:
                raise SourceError(f"connection closed at {received} of {total} bytes")
            return Fetched(received)
    except httpx.TimeoutException:
        raise SourceError("timed out") from None
    except httpx.HTTPError as exc:
        raise SourceError(f"{type(exc).__name__}: {exc}".rstrip(": ")) from None
    except OSError as exc:
        raise SourceError(f"cannot write {part}: {exc.strerror or exc}") from None
