"""Fetching feeds over HTTP with one shared ``httpx.AsyncClient``.

Limits, so one bad server never holds up the rest: a cap on requests overall and per host,
connect and read timeouts, a total deadline per fetch (a server dripping a byte a second is
cut off), and a cap on the *decompressed* size counted while streaming (we decompress
ourselves with a bounded ``zlib`` object, so a gzip bomb is stopped, never inflated).
"""

from __future__ import annotations

import asyncio
import base64
import email.utils
import zlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from tuireader.domain.errors import SourceError, TooLargeError
from tuireader.domain.secret import Secret
from tuireader.domain.text import one_line_error

if TYPE_CHECKING:  # httpx is imported when a client is made, not when this module loads
    from http.cookiejar import CookieJar

    import httpx

PERMANENT = {301, 308}
REDIRECTS = {301, 302, 303, 307, 308}
MAX_HOPS = 5


class RetryLaterError(SourceError):
    """The server asked us to come back later (429/503 with Retry-After)."""

    def __init__(self, message: str, until: datetime) -> None:
        super().__init__(message)
        self.until = until


class NetworkError(SourceError):
    """The host could not be reached at all (DNS, refused, unreachable)."""


class HttpStatusError(SourceError):
    """The server answered with an error status (404, 410, 500…)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True, slots=True)
class FetchLimits:
    """How much one fetch may take."""

    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    deadline: float = 45.0
    """Seconds for a whole fetch, redirects and body included."""
    max_bytes: int = 20 * 1024 * 1024
    """Cap on the decompressed body."""
    max_connections: int = 16
    per_host: int = 4


@dataclass(frozen=True, slots=True)
class RequestOptions:
    """What one source sends besides the client's defaults."""

    user_agent: str = ""
    """Empty: the client's."""
    auth: tuple[str, Secret] | None = None
    """HTTP basic auth (user, password), sent only to the feed's own server (never over a
    redirect to another host or port, nor from https down to http)."""
    cookies: CookieJar | None = None
    """Cookies to send, updated from the answers (the source's cookies file)."""


@dataclass(frozen=True, slots=True)
class FetchResult:
    """What a fetch brought back."""

    status: int
    """200, or 304 when the server said nothing changed."""
    data: bytes = b""
    etag: str | None = None
    last_modified: str | None = None
    moved_to: str | None = None
    """The new URL when every redirect on the way was permanent (301/308)."""
    content_type: str = ""
    url: str = ""
    """Where the body came from, after redirects (the base for its relative links)."""


def make_client(user_agent: str, limits: FetchLimits) -> httpx.AsyncClient:
    """The one client a process shares; proxies come from the environment."""
    import httpx

    return httpx.AsyncClient(
        headers={
            "User-Agent": user_agent,
            "Accept-Encoding": "gzip, deflate",
            "Accept": "application/rss+xml, application/atom+xml, application/feed+json, "
            "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5",
        },
        timeout=httpx.Timeout(limits.read_timeout, connect=limits.connect_timeout),
        limits=httpx.Limits(
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_connections,
        ),
        follow_redirects=False,
        trust_env=True,
    )


class _Layer:
    """One content coding, decoded incrementally; its output never exceeds ``limit`` bytes."""

    def __init__(self, coding: str, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self.raw_fallback = coding == "deflate"  # servers send raw deflate for "deflate" too
        self.first = True
        if coding in ("gzip", "x-gzip"):
            self.obj = zlib.decompressobj(zlib.MAX_WBITS | 16)
        elif coding == "deflate":
            self.obj = zlib.decompressobj(zlib.MAX_WBITS)
        else:
            raise SourceError(f"unsupported content encoding {coding!r}")

    def _count(self, out: bytes) -> bytes:
        self.size += len(out)
        if self.size > self.limit:
            raise TooLargeError(f"too large (over {self.limit // (1024 * 1024)} MB)")
        return out

    def decode(self, chunk: bytes) -> list[bytes]:
        try:
            outs = [self._count(self.obj.decompress(chunk, self.limit - self.size + 1))]
        except zlib.error:
            if self.first and self.raw_fallback:
                self.obj = zlib.decompressobj(-zlib.MAX_WBITS)
                self.first = False
                return self.decode(chunk)
            raise SourceError("corrupt compressed body") from None
        self.first = False
        while self.obj.unconsumed_tail:
            tail = self.obj.unconsumed_tail
            outs.append(self._count(self.obj.decompress(tail, self.limit - self.size + 1)))
        return outs


class _Inflater:
    """Decompress a body incrementally without ever producing more than ``limit`` bytes.

    ``Content-Encoding`` may list several codings (``gzip, gzip``), in the order they were
    applied: they are undone last first, each layer under the same cap.
    """

    def __init__(self, encoding: str, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self.parts: list[bytes] = []
        codings = [c.strip().lower() for c in encoding.split(",")]
        codings = [c for c in codings if c not in ("", "identity")]
        if len(codings) > 4:
            raise SourceError(f"too many content encodings ({len(codings)})")
        self.layers = [_Layer(c, limit) for c in reversed(codings)]

    def _add(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.limit:
            raise TooLargeError(f"too large (over {self.limit // (1024 * 1024)} MB)")
        self.parts.append(data)

    def feed(self, chunk: bytes) -> None:
        pending = [chunk]
        for layer in self.layers:
            pending = [out for piece in pending for out in layer.decode(piece) if out]
        for piece in pending:
            self._add(piece)

    def result(self) -> bytes:
        return b"".join(self.parts)


def _retry_after(value: str | None, now: datetime) -> datetime:
    if value:
        value = value.strip()
        if value.isdigit():
            return now + timedelta(seconds=min(int(value), 7 * 86400))
        try:
            when = email.utils.parsedate_to_datetime(value)
            if when.tzinfo is None:
                when = when.replace(tzinfo=UTC)
            return max(when.astimezone(UTC), now)
        except (TypeError, ValueError):
            pass
    return now + timedelta(minutes=30)


def _status_error(response: httpx.Response) -> SourceError:
    reason = response.reason_phrase or ""
    message = one_line_error(f"HTTP {response.status_code} {reason}".strip())
    return HttpStatusError(message, response.status_code)


HOST_GIVEN_UP = 2
"""Requests to one host in a row that ran into the deadline, after which the requests still
waiting for that host fail at once (see :meth:`Fetcher.fetch`)."""


class Fetcher:
    """Fetches documents with the limits above; one per refresh or per app."""

    def __init__(self, client: httpx.AsyncClient, limits: FetchLimits) -> None:
        self.client = client
        self.limits = limits
        self._all = asyncio.Semaphore(limits.max_connections)
        self._hosts: defaultdict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(limits.per_host)
        )
        self._timeouts: defaultdict[str, int] = defaultdict(int)
        """Per host, the requests that ran into the deadline since the last one that did not."""

    async def fetch(
        self,
        url: str,
        etag: str | None = None,
        last_modified: str | None = None,
        options: RequestOptions | None = None,
    ) -> FetchResult:
        """GET ``url`` conditionally; raise :class:`SourceError` with a one-line reason."""

        host = urlsplit(url).hostname or ""
        # The clock starts when the request gets a connection slot: 200 feeds on one host
        # wait their turn (4 at a time), on a busy machine for longer than one deadline,
        # and that is not the host's fault. A host whose slots are held by hanging requests
        # cannot stretch the refresh into rounds of deadlines either: once requests to it
        # have run into the deadline (HOST_GIVEN_UP in a row), the ones still waiting for
        # it fail at once. The refresh as a whole has its own deadline on top.
        async with self._all, self._hosts[host]:
            if self._timeouts[host] >= HOST_GIVEN_UP:
                raise SourceError(
                    f"timed out: {host} did not answer {self._timeouts[host]} other requests"
                    f" within {self.limits.deadline:g} s"
                )
            try:
                async with asyncio.timeout(self.limits.deadline):
                    result = await self._guarded(url, etag, last_modified, options)
            except TimeoutError:
                self._timeouts[host] += 1
                raise SourceError(f"timed out after {self.limits.deadline:g} s") from None
            self._timeouts[host] = 0
            return result

    async def _guarded(
        self,
        url: str,
        etag: str | None,
        last_modified: str | None,
        options: RequestOptions | None,
    ) -> FetchResult:
        """:meth:`_fetch` with httpx's errors in the user's words."""
        import httpx

        host = urlsplit(url).hostname or url

        try:
            return await self._fetch(url, etag, last_modified, options or RequestOptions())
        except httpx.TimeoutException as exc:
            kind = "connecting" if isinstance(exc, httpx.ConnectTimeout) else "reading"
            raise SourceError(f"timed out {kind}") from None
        except httpx.ConnectError as exc:
            raise NetworkError(f"cannot connect: {connect_reason(exc, host)}") from None
        except httpx.HTTPError as exc:
            raise SourceError(f"network error: {network_reason(exc)}") from None

    async def _fetch(
        self, url: str, etag: str | None, last_modified: str | None, options: RequestOptions
    ) -> FetchResult:
        import httpx

        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        if options.user_agent:
            headers["User-Agent"] = options.user_agent
        jar = httpx.Cookies(options.cookies) if options.cookies is not None else None
        permanent = True
        current = url
        for _hop in range(MAX_HOPS + 1):
            request = self.client.build_request("GET", current, headers=headers)
            if options.auth is not None and _same_site(url, current):
                request.headers["Authorization"] = _basic(*options.auth)
            if jar is not None:  # the source's own cookies, not what the client collected
                request.headers.pop("Cookie", None)
                jar.set_cookie_header(request)
            response = await self.client.send(request, stream=True)
            if jar is not None:
                jar.extract_cookies(response)
            try:
                if response.status_code in REDIRECTS and "location" in response.headers:
                    permanent = permanent and response.status_code in PERMANENT
                    target = urljoin(current, response.headers["location"])
                    if urlsplit(target).scheme not in ("http", "https"):
                        raise SourceError("redirect to a non-http URL")
                    current = target
                    continue
                return await self._read(response, url, current, permanent)
            finally:
                await response.aclose()
        raise SourceError("too many redirects")

    async def _read(
        self, response: httpx.Response, url: str, current: str, permanent: bool
    ) -> FetchResult:
        moved = current if permanent and current != url else None
        status = response.status_code
        if status == 304:
            return FetchResult(304, moved_to=moved)
        if status in (429, 503):
            until = _retry_after(response.headers.get("retry-after"), datetime.now(UTC))
            raise RetryLaterError(
                f"HTTP {status}: server asked to retry after {until:%Y-%m-%d %H:%M} UTC", until
            )
        if status >= 400:
            raise _status_error(response)
        if status != 200:
            raise _status_error(response)
        declared = response.headers.get("content-length", "")
        encoding = response.headers.get("content-encoding", "")
        if declared.isdigit() and not encoding and int(declared) > self.limits.max_bytes:
            raise TooLargeError(f"too large ({int(declared) // (1024 * 1024)} MB)")
        inflater = _Inflater(encoding, self.limits.max_bytes)
        async for chunk in response.aiter_raw():
            inflater.feed(chunk)
        return FetchResult(
            200,
            inflater.result(),
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
            moved_to=moved,
            content_type=response.headers.get("content-type", ""),
            url=current,
        )


_DEFAULT_PORTS = {"http": 80, "https": 443}


def _same_site(origin: str, current: str) -> bool:
    """Whether credentials for ``origin`` may go to ``current``: the same scheme, host and
    port, or the same host moving from http up to https on the default ports."""
    first, now = urlsplit(origin), urlsplit(current)
    if (first.hostname or "").lower() != (now.hostname or "").lower():
        return False
    ports = (
        first.port or _DEFAULT_PORTS.get(first.scheme),
        now.port or _DEFAULT_PORTS.get(now.scheme),
    )
    if first.scheme == now.scheme:
        return ports[0] == ports[1]
    return (first.scheme, now.scheme) == ("http", "https") and ports == (80, 443)


def _basic(user: str, password: Secret) -> str:
    token = base64.b64encode(f"{user}:{password.reveal()}".encode()).decode("ascii")
    return f"Basic {token}"


def network_reason(exc: BaseException) -> str:
    """Why a transfer failed, in words, never empty, never echoing the server's raw bytes."""
    import httpx

    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ConnectionResetError):
            return "connection reset by the server"
        if isinstance(cause, BrokenPipeError | ConnectionAbortedError):
            return "connection closed by the server"
        cause = cause.__cause__ or cause.__context__
    if isinstance(exc, httpx.RemoteProtocolError):
        text = str(exc).lower()
        if "without sending" in text or "disconnected" in text or "incomplete" in text:
            return "the server closed the connection before the answer was complete"
        return "the server's answer is not valid HTTP"
    if isinstance(exc, httpx.DecodingError):
        return "the server's answer could not be decoded"
    if isinstance(exc, httpx.TooManyRedirects):
        return "too many redirects"
    if isinstance(exc, httpx.ReadError | httpx.WriteError):
        return (
            "the connection failed while reading"
            if isinstance(exc, httpx.ReadError)
            else ("the connection failed while sending")
        )
    detail = one_line_error(exc, limit=120) if str(exc) else ""
    return detail or type(exc).__name__


def connect_reason(exc: BaseException, host: str) -> str:
    """Why a connection could not be made, in words (not ``[Errno -2] …``)."""
    import socket

    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, socket.gaierror):
            return f"no such host {host} (or no DNS)"
        if isinstance(cause, ConnectionRefusedError):
            return f"{host} refused the connection"
        cause = cause.__cause__ or cause.__context__
    text = str(exc).lower()
    if "name or service not known" in text or "nodename nor servname" in text:
        return f"no such host {host} (or no DNS)"
    if "all connection attempts failed" in text or "connection refused" in text:
        return f"nothing answers at {host}"
    return one_line_error(exc, limit=120) if str(exc) else type(exc).__name__
