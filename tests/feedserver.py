"""A real HTTP server on 127.0.0.1 serving fixture feeds and misbehaving on purpose."""

from __future__ import annotations

import base64
import contextlib
import email.utils
import gzip
import hashlib
import http.server
import socket
import ssl
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

FEEDS = Path(__file__).parent / "fixtures" / "feeds"
PAGES = Path(__file__).parent / "fixtures" / "pages"
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".pdf": "application/pdf",
    ".xml": "application/rss+xml",
    ".rdf": "application/rdf+xml",
    ".json": "application/feed+json",
    ".opml": "text/x-opml",
    ".png": "image/png",
}
LAST_MODIFIED = email.utils.formatdate(1_790_000_000, usegmt=True)


class _SniffingServer(http.server.ThreadingHTTPServer):
    """Speaks TLS to a client that starts a TLS handshake and plain HTTP to the others, on
    one port (an http:// feed whose https:// address works too)."""

    tls: ssl.SSLContext | None = None

    def get_request(self) -> tuple[socket.socket, Any]:
        sock, address = super().get_request()
        if self.tls is not None:
            sock.settimeout(5)
            if sock.recv(1, socket.MSG_PEEK) == b"\x16":  # a TLS ClientHello
                sock = self.tls.wrap_socket(sock, server_side=True)
            sock.settimeout(None)
        return sock, address


class FeedServer:
    """Serves ``tests/fixtures/feeds`` plus special paths; counts requests per path. With
    ``tls`` it also answers https:// on the same port."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.files: dict[str, bytes] = {
            "/" + p.name: p.read_bytes() for p in FEEDS.iterdir() if p.is_file()
        }
        self.files.update({"/pages/" + p.name: p.read_bytes() for p in PAGES.iterdir()})
        self.files["/pages/doc.pdf"] = b"%PDF-1.4\n% not really a document\n"
        self.hits: Counter[str] = Counter()
        self.conditional_hits: Counter[str] = Counter()
        self.user_agents: list[str] = []
        """The User-Agent of every request, in order."""
        self.auth_headers: list[str] = []
        """The Authorization header of every request ("" when none), in order."""
        self.cookies: list[tuple[str, str]] = []
        """(path, Cookie header or "") of every request, in order."""
        self.elsewhere = ""
        """Where ``/elsewhere/…`` redirects (302) with the rest of its path: another server."""
        self.basic = "Basic " + base64.b64encode(b"reader:open-sesame").decode()
        """What ``/private/…`` paths accept (user ``reader``, password ``open-sesame``)."""
        self.bomb = gzip.compress(b"<rss>" + b"\0" * (64 * 1024 * 1024), compresslevel=9)
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                server.hits[self.path] += 1
                server.user_agents.append(self.headers.get("User-Agent", ""))
                server.auth_headers.append(self.headers.get("Authorization", ""))
                server.cookies.append((self.path, self.headers.get("Cookie", "")))
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    server.route(self)

        self.httpd = _SniffingServer(("127.0.0.1", 0), Handler)
        self.httpd.tls = tls
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.stopping = threading.Event()
        self.held = threading.Event()
        """Set when a request for ``/held`` has arrived; its answer waits for ``release``."""
        self.release = threading.Event()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> FeedServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def add(self, path: str, body: bytes) -> str:
        self.files[path] = body
        return self.url(path)

    @staticmethod
    def _send(
        h: http.server.BaseHTTPRequestHandler,
        status: int,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
    ) -> None:
        h.send_response(status)
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    def route(self, h: http.server.BaseHTTPRequestHandler) -> None:
        path = h.path
        if path.startswith("/elsewhere/") and self.elsewhere:
            target = self.elsewhere + "/" + path.split("/", 2)[2]
            self._send(h, 302, headers={"Location": target})
            return
        if path.startswith("/private/"):  # basic auth, then the file named after the prefix
            if h.headers.get("Authorization") != self.basic:
                self._send(h, 401, b"who are you", {"WWW-Authenticate": 'Basic realm="feeds"'})
                return
            path = "/" + path.split("/", 2)[2]
        if path.startswith("/cookie/"):  # needs session=abc; sets seen=1
            if "session=abc" not in h.headers.get("Cookie", ""):
                self._send(h, 403, b"no session")
                return
            body = self.files["/" + path.split("/", 2)[2]]
            headers = {"Content-Type": "application/rss+xml", "Set-Cookie": "seen=1; Path=/"}
            self._send(h, 200, body, headers)
            return
        if path in self.files:
            body = self.files[path]
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            if h.headers.get("If-None-Match") == etag or (
                h.headers.get("If-Modified-Since") == LAST_MODIFIED
                and not h.headers.get("If-None-Match")
            ):
                self.conditional_hits[path] += 1
                h.send_response(304)
                h.send_header("ETag", etag)
                h.send_header("Content-Length", "0")
                h.end_headers()
                return
            suffix = "." + path.rsplit(".", 1)[-1]
            self._send(
                h,
                200,
                body,
                {
                    "Content-Type": TYPES.get(suffix, "text/plain"),
                    "ETag": etag,
                    "Last-Modified": LAST_MODIFIED,
                },
            )
        elif path.startswith("/moved/"):
            self._send(h, 301, headers={"Location": "/" + path.split("/", 2)[2]})
        elif path.startswith("/temp/"):
            self._send(h, 302, headers={"Location": "/" + path.split("/", 2)[2]})
        elif path == "/loop":
            self._send(h, 301, headers={"Location": "/loop"})
        elif path == "/404":
            self._send(h, 404, b"not here")
        elif path == "/500":
            self._send(h, 500, b"\x1b[31mboom\x1b[0m")
        elif path == "/429":
            self._send(h, 429, headers={"Retry-After": "120"})
        elif path == "/slow":
            self.stopping.wait(10)
            self._send(h, 200, self.files["/rss2.xml"])
        elif path == "/held":
            self.held.set()
            self.release.wait(10)
            self._send(h, 200, self.files["/rss2.xml"], {"Content-Type": "application/rss+xml"})
        elif path == "/drip":
            h.send_response(200)
            h.send_header("Content-Type", "application/rss+xml")
            h.send_header("Content-Length", "100000")
            h.end_headers()
            for _ in range(200):
                if self.stopping.is_set():
                    return
                h.wfile.write(b" ")
                h.wfile.flush()
                time.sleep(0.1)
        elif path == "/large":
            h.send_response(200)
            h.send_header("Content-Type", "application/rss+xml")
            h.end_headers()  # no length: close-delimited
            h.close_connection = True
            chunk = b"<!-- padding -->" * 4096
            for _ in range(300):  # ~19 MB
                h.wfile.write(chunk)
        elif path == "/bomb":
            self._send(
                h,
                200,
                self.bomb,
                {"Content-Type": "application/rss+xml", "Content-Encoding": "gzip"},
            )
        elif path == "/gzip":
            self._send(
                h,
                200,
                gzip.compress(self.files["/atom.xml"]),
                {"Content-Type": "application/atom+xml", "Content-Encoding": "gzip"},
            )
        elif path == "/html":
            self._send(
                h,
                200,
                b"<!DOCTYPE html><html><head><title>Home</title></head>"
                b"<body><p>Welcome</p></body></html>",
                {"Content-Type": "text/html"},
            )
        elif path == "/garbage":
            self._send(h, 200, bytes(range(256)) * 20, {"Content-Type": "application/xml"})
        else:
            self._send(h, 404, b"unknown")
