"""What the aggregator API clients share: one request with its failures in one line (never a
secret in it), JSON decoding, and reading loosely typed fields."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from tuireader.domain.errors import SourceError
from tuireader.sources.http import network_reason

if TYPE_CHECKING:  # httpx is imported when a client is made
    import httpx

MAX_ANSWER = 32 * 1024 * 1024
"""Largest answer read from a server."""


def text(value: Any) -> str:
    """``value`` when it is a string, else empty."""
    return value if isinstance(value, str) else ""


def unix_time(value: Any) -> datetime | None:
    """A positive Unix time in seconds as a datetime; ``None`` for anything else."""
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None


class ApiClient:
    """A client of one server's API over a shared ``httpx.AsyncClient``. Subclasses name
    their error types and say who was refused."""

    error: type[SourceError] = SourceError
    auth_error: type[SourceError] = SourceError

    def __init__(self, client: httpx.AsyncClient, base_url: str, who: str) -> None:
        self._client = client
        self._base = base_url.rstrip("/")
        self._who = who
        self.requests = 0
        """Requests made so far (what a sync costs the server)."""

    def _where(self) -> str:
        return urlsplit(self._base).netloc or self._base

    def _fail(self, why: str) -> SourceError:
        return self.error(f"{self._where()}: {why}")

    def _refused(self) -> SourceError:
        return self.auth_error(f"{self._where()}: the server refused {self._who}")

    async def _send(
        self, method: str, url: str, *, passed: frozenset[int] = frozenset(), **kw: Any
    ) -> httpx.Response:
        """One request; a status in ``passed`` is handed back for the caller to read."""
        import httpx

        self.requests += 1
        try:
            response = await self._client.request(method, url, **kw)
        except httpx.HTTPError as exc:
            raise self._fail(network_reason(exc)) from None
        status = response.status_code
        if len(response.content) > MAX_ANSWER:
            raise self._fail(f"the answer is larger than {MAX_ANSWER >> 20} MB")
        if status in passed:
            return response
        if status in (401, 403):
            raise self._refused()
        if status == 429:
            raise self._fail("too many requests (HTTP 429); try again later")
        if status >= 400:
            raise self._fail(f"the server answered HTTP {status}")
        return response

    def _decode(self, response: httpx.Response) -> Any:
        """The answer as JSON (``None`` for an empty one)."""
        if not response.content:
            return None
        try:
            return json.loads(response.content)
        except (ValueError, UnicodeDecodeError):
            raise self._fail("the answer is not JSON") from None

    def _object(self, response: httpx.Response) -> dict[str, Any]:
        """The answer as a JSON object."""
        data = self._decode(response)
        if not isinstance(data, dict):
            raise self._fail("the answer is not a JSON object")
        return data
