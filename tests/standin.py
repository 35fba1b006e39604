"""What the loopback stand-ins for aggregator servers share: a threaded server on
127.0.0.1 holding the fake server's state, and running it for a test."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Generic, TypeVar

S = TypeVar("S")
T = TypeVar("T", bound="LoopbackServer[object]")


class LoopbackServer(ThreadingHTTPServer, Generic[S]):
    """A stand-in server; ``state`` is what its handler reads and changes."""

    daemon_threads = True

    def __init__(self, handler: type[BaseHTTPRequestHandler], state: S, path: str = "") -> None:
        super().__init__(("127.0.0.1", 0), handler)
        self.state = state
        self._path = path

    @property
    def base(self) -> str:
        """The base URL a client is given."""
        return f"http://127.0.0.1:{self.server_address[1]}{self._path}"


def running(server: T) -> Iterator[T]:
    """Serve ``server`` on a thread while the caller (a fixture) yields it."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
