"""Loopback TCP servers that misbehave below HTTP: a raw answer, a reset, no answer."""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from collections.abc import Callable, Iterator


@contextlib.contextmanager
def raw_server(handle: Callable[[socket.socket], None], path: str = "/feed.xml") -> Iterator[str]:
    """A server on 127.0.0.1 that gives every connection to ``handle``; yields its URL.
    Connections ``handle`` leaves open are closed when the server stops."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    sock.settimeout(0.1)
    stop = threading.Event()
    held: list[socket.socket] = []

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                continue
            held.append(conn)
            with contextlib.suppress(OSError):
                handle(conn)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}{path}"
    finally:
        stop.set()
        thread.join(2)
        for conn in held:
            conn.close()
        sock.close()


def answering(response: bytes) -> Callable[[socket.socket], None]:
    """Reads the request, writes ``response`` exactly as given, closes."""

    def handle(conn: socket.socket) -> None:
        conn.recv(65536)
        conn.sendall(response)
        conn.close()

    return handle


def resetting(conn: socket.socket) -> None:
    """Reads the request, then resets the connection (RST, not FIN)."""
    conn.recv(65536)
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


def hanging(conn: socket.socket) -> None:
    """Keeps the connection open and never answers (until the server stops)."""
