"""A loopback HTTP server for enclosure downloads: Range requests, a connection dropped
half-way, a file too big, a missing file; it records each request's Range header."""

from __future__ import annotations

import contextlib
import http.server
import re
import threading
from collections.abc import Iterator


class FileServer:
    """Serves ``files`` by path; ``/drop/...`` sends half the first time and closes."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = dict(files)
        self.ranges: list[tuple[str, str]] = []
        """(path, Range header or "") for every request, in order."""
        self.dropped: set[str] = set()
        self.honour_range = True
        self.gate: threading.Event | None = None
        """When set up, each body waits for it after its first half (progress tests)."""
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    server.route(self)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def route(self, h: http.server.BaseHTTPRequestHandler) -> None:
        wanted = h.headers.get("Range", "")
        self.ranges.append((h.path, wanted))
        body = self.files.get(h.path)
        if body is None:
            h.send_response(404)
            h.send_header("Content-Length", "0")
            h.end_headers()
            return
        start = 0
        match = re.fullmatch(r"bytes=(\d+)-", wanted)
        if match and self.honour_range:
            start = int(match.group(1))
            if start >= len(body):
                h.send_response(416)
                h.send_header("Content-Range", f"bytes */{len(body)}")
                h.send_header("Content-Length", "0")
                h.end_headers()
                return
            h.send_response(206)
            h.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        else:
            h.send_response(200)
        h.send_header("Content-Type", "audio/mpeg")
        if h.path.startswith("/nolength/"):  # the size is known only at the end
            h.send_header("Connection", "close")
            h.close_connection = True
        else:
            h.send_header("Content-Length", str(len(body) - start))
        h.end_headers()
        rest = body[start:]
        if h.path.startswith("/drop/") and h.path not in self.dropped:
            self.dropped.add(h.path)
            h.wfile.write(rest[: len(rest) // 2])
            h.wfile.flush()
            h.close_connection = True
            with contextlib.suppress(OSError):
                h.connection.shutdown(2)
            return
        if self.gate is not None:
            h.wfile.write(rest[: len(rest) // 2])
            h.wfile.flush()
            self.gate.wait(10)
            h.wfile.write(rest[len(rest) // 2 :])
        else:
            h.wfile.write(rest)

    def start(self) -> FileServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.gate is not None:
            self.gate.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@contextlib.contextmanager
def serving(files: dict[str, bytes]) -> Iterator[FileServer]:
    server = FileServer(files).start()
    try:
        yield server
    finally:
        server.stop()
