"""A source's cookies file: Netscape ``cookies.txt`` (what curl, newsboat's ``cookie-cache``
and browser exports write), read before a fetch and written back when the server set or
changed a cookie. Reading and writing are file I/O: call them from a thread."""

from __future__ import annotations

import contextlib
import os
import tempfile
import warnings
from http.cookiejar import LoadError, MozillaCookieJar
from pathlib import Path

from tuireader.domain.errors import SourceError
from tuireader.domain.files import os_reason

HEADER = "# Netscape HTTP Cookie File"


def _as_python_reads_it(text: str) -> str:
    """The file as Python's reader takes it: curl writes a session cookie's expiry as 0
    (Python reads that as long expired) and may leave out the header line."""
    lines = []
    for number, line in enumerate(text.splitlines(), 1):
        fields = line.split("\t")
        comment = line.startswith("#") and not line.startswith("#HttpOnly_")
        if not line.strip() or comment:
            lines.append(line)
            continue
        expiry = fields[4].strip() if len(fields) == 7 else "?"
        if expiry and not expiry.lstrip("-").isdigit():
            raise LoadError(f"line {number}")
        if fields[4].strip() == "0":
            fields[4] = ""
        lines.append("\t".join(fields))
    if not lines or not lines[0].startswith(("# Netscape HTTP Cookie File", "# HTTP Cookie File")):
        lines.insert(0, HEADER)
    return "\n".join(lines) + "\n"


def _state(jar: MozillaCookieJar) -> set[tuple[str, str, str, str, int | None]]:
    return {(c.domain, c.path, c.name, c.value or "", c.expires) for c in jar}


class CookieFile:
    """One cookies file and the jar loaded from it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.jar = MozillaCookieJar()
        self._loaded: set[tuple[str, str, str, str, int | None]] = set()

    def load(self) -> CookieFile:
        """Read the file (a missing one is an empty jar, made on the first save); a file that
        is not a cookies.txt is a :class:`SourceError` naming it. Small: the whole file is
        read at once, in a thread."""
        try:
            text = self.path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return self
        except OSError as exc:
            raise SourceError(f"cookies file {self.path}: {os_reason(exc)}") from None
        try:
            with tempfile.TemporaryDirectory() as folder, warnings.catch_warnings():
                warnings.simplefilter("ignore")  # its "cookiejar bug!" warning for a bad line
                normal = Path(folder) / "cookies.txt"
                normal.write_text(_as_python_reads_it(text), encoding="utf-8")
                self.jar.load(str(normal), ignore_discard=True, ignore_expires=False)
        except LoadError as exc:
            where = f" ({exc})" if str(exc).startswith("line ") else ""
            raise SourceError(
                f"cookies file {self.path}: not a Netscape cookies.txt{where}: tab-separated"
                " lines of domain, subdomains, path, https only, expiry, name, value"
            ) from None
        self._loaded = _state(self.jar)
        return self

    @property
    def changed(self) -> bool:
        """Whether the answers set, changed or expired a cookie since :meth:`load`."""
        return _state(self.jar) != self._loaded

    def save(self) -> None:
        """Write the jar back at once (a temp file renamed over it, private to the user)."""
        folder = self.path.parent
        try:
            mode = self.path.stat().st_mode & 0o777 if self.path.exists() else 0o600
            handle, temp = tempfile.mkstemp(dir=folder, prefix=".cookies-", suffix=".txt")
            os.close(handle)
            try:
                self.jar.save(temp, ignore_discard=True, ignore_expires=False)
                os.chmod(temp, mode)
                os.replace(temp, self.path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temp)
                raise
        except OSError as exc:
            raise SourceError(f"cookies file {self.path}: cannot save: {os_reason(exc)}") from None
        self._loaded = _state(self.jar)
