"""``tuireader doctor``: check each component and say, in one line each, what works and what
to do about what does not."""

from __future__ import annotations

import importlib
import importlib.util
import io
import logging
import os
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tuireader.app import graphics_terminal
from tuireader.config.paths import Paths
from tuireader.config.settings import load_settings
from tuireader.domain.errors import ComponentError, ConfigError, TuireaderError
from tuireader.domain.text import clean_line, one_line_error
from tuireader.sources.article import extract_article
from tuireader.sources.pdf import parse_pdf
from tuireader.storage.database import health
from tuireader.storage.migrations import SCHEMA_VERSION

logger = logging.getLogger(__name__)

REINSTALL = "reinstall tuireader into a new venv: pip install --no-cache-dir --force-reinstall"
_WORD = "lighthouse"
_PAGE = (
    "<!doctype html><html><head><title>Doctor's page</title></head><body>"
    "<nav><a href='/'>Home</a></nav><article><h1>Doctor's page</h1>"
    + "<p>The old lighthouse keeper counted the ships that passed the rocks each night,"
    " and wrote their names in a book that nobody else ever read.</p>"
    * 3
    + "</article></body></html>"
).encode()


@dataclass(frozen=True, slots=True)
class Check:
    """One component's verdict."""

    name: str
    ok: bool
    detail: str
    """What was found; when not ok, also what to do."""
    warning: bool = False
    """Works, but should be changed (shown as ``warn``; not a failure)."""

    def line(self) -> str:
        """The check as one line."""
        state = "FAIL" if not self.ok else "warn" if self.warning else "ok"
        return f"{state:<4}  {self.name:<10}  {clean_line(self.detail)}"


def _component(exc: BaseException) -> str:
    cause = exc.__cause__ if isinstance(exc, ComponentError) and exc.__cause__ else exc
    return one_line_error(f"{type(cause).__name__}: {cause}", limit=160)


def check_extraction() -> Check:
    """trafilatura extracts the article of a tiny page."""
    try:
        story = extract_article(_PAGE, "text/html", "http://doctor.invalid/")
    except ComponentError as exc:
        return Check(
            "extraction",
            False,
            f"trafilatura does not import ({_component(exc)}); {REINSTALL} tuireader",
        )
    if _WORD not in story.content:
        return Check("extraction", False, f"trafilatura found no text in a test page; {REINSTALL}")
    return Check("extraction", True, "trafilatura extracted a test page")


def check_meaning(root: Path | None = None) -> Check:
    """wordllama's shipped embedding loads offline and tells a near story from a far one."""
    from tuireader.content.embedding import EmbedderUnavailable, WordLlamaEmbedder

    embedder = WordLlamaEmbedder(root)
    try:
        vectors = embedder.embed(
            [
                "Storm floods the coast",
                "Heavy rain swamps seaside towns",
                "Parliament passes budget",
            ]
        )
    except EmbedderUnavailable as exc:
        logger.exception("doctor: the meaning embedding does not load")
        return Check(
            "meaning",
            False,
            f"the embedding does not load ({exc}); related and recommended use words only;"
            f" {REINSTALL} tuireader",
        )
    if not float(vectors[0] @ vectors[1]) > float(vectors[0] @ vectors[2]):
        return Check("meaning", False, f"the embedding gives nonsense; {REINSTALL} tuireader")
    return Check("meaning", True, "wordllama's embedding loads offline (related by meaning)")


def tiny_pdf(text: str) -> bytes:
    """A one-page PDF showing ``text`` (ASCII), built by hand in memory."""
    content = f"BT /F1 12 Tf 10 40 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 100] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def check_pdf() -> Check:
    """pypdf reads the text of a tiny PDF."""
    try:
        story = parse_pdf(tiny_pdf(f"tuireader doctor {_WORD}"), "doctor.pdf")
    except ComponentError as exc:
        return Check(
            "pdf", False, f"pypdf does not import ({_component(exc)}); {REINSTALL} tuireader"
        )
    except TuireaderError as exc:
        return Check("pdf", False, f"pypdf could not read a test PDF ({exc}); {REINSTALL}")
    if _WORD not in story.content:
        return Check("pdf", False, f"pypdf found no text in a test PDF; {REINSTALL}")
    return Check("pdf", True, "pypdf read a test PDF")


def check_images() -> Check:
    """Pillow decodes an image and textual-image is installed (its renderers are not
    imported: that would query the terminal)."""
    try:
        image_module = importlib.import_module("PIL.Image")
        importlib.import_module("textual_image")
        missing = [
            name
            for name in ("textual_image.renderable", "textual_image.widget")
            if importlib.util.find_spec(name) is None
        ]
        if missing:
            raise ImportError(f"no module named {missing[0]!r}")
        buffer = io.BytesIO()
        image_module.new("RGB", (2, 2), (200, 30, 30)).save(buffer, format="PNG")
        buffer.seek(0)
        with image_module.open(buffer) as decoded:
            decoded.load()
    except ImportError as exc:
        return Check("images", False, f"{_component(exc)}; {REINSTALL} tuireader")
    return Check("images", True, "Pillow decodes images; textual-image is installed")


def check_database(paths: Paths) -> Check:
    """The database passes ``PRAGMA quick_check`` and has a schema this version knows."""
    path = paths.database
    if not path.exists():
        return Check("database", True, f"{path} not created yet (the first run creates it)")
    try:
        verdict, version = health(path)
    except sqlite3.DatabaseError as exc:
        return Check(
            "database",
            False,
            f"{path} is unreadable ({exc}); tuireader moves it aside"
            " (as .bad-<time>) and starts a fresh one when next opened",
        )
    if verdict != "ok":
        return Check(
            "database",
            False,
            f"{path} is damaged (quick_check: {verdict}); restore a"
            " backup, or move it aside and run tuireader to start a fresh one",
        )
    if version > SCHEMA_VERSION:
        return Check(
            "database",
            False,
            f"{path} has schema {version}, written by a newer"
            f" tuireader (this one knows {SCHEMA_VERSION}); upgrade tuireader",
        )
    upgrade = (
        f" (upgraded to {SCHEMA_VERSION} when next opened)" if version < SCHEMA_VERSION else ""
    )
    return Check("database", True, f"{path}: quick_check ok, schema {version}{upgrade}")


def check_config(paths: Paths) -> Check:
    """The config file loads and is valid."""
    try:
        settings = load_settings(paths.config_file)
    except ConfigError as exc:
        return Check(
            "config",
            False,
            f"{exc}; fix {paths.config_file} (`tuireader config` prints the commented template)",
        )
    if settings is None:
        return Check("config", True, f"no {paths.config_file}: the defaults apply")
    from tuireader.ui.config_check import check_config as check_keys_and_theme

    report = check_keys_and_theme(settings)  # [keys] and the theme: what the app refuses too
    if report.errors:
        return Check(
            "config",
            False,
            f"{report.errors[0]}; fix {paths.config_file} (`?` in the app lists command ids)",
        )
    return Check("config", True, f"{paths.config_file} is valid")


def check_accounts(paths: Paths) -> list[Check]:
    """Per account: a warning for a password written in the config, and whether its
    ``password_command`` runs (its output is never shown)."""
    from tuireader.services.accounts import accounts, run_password_command

    try:
        settings = load_settings(paths.config_file)
    except ConfigError:
        return []  # the config line says why
    found = accounts(settings) if settings else []
    lines = []
    for account in found:
        name = f"account {account.name}"
        if account.password is not None:
            lines.append(
                Check(
                    name,
                    True,
                    f"a password is written in {paths.config_file}; move it to a"
                    " password_command (or the system keyring) and delete it there",
                    warning=True,
                )
            )
        elif account.password_command:
            try:
                run_password_command(account)
            except ConfigError as exc:
                lines.append(Check(name, False, f"{exc}; fix it in {paths.config_file}"))
            else:
                lines.append(Check(name, True, "password_command runs and prints a password"))
        else:
            lines.append(Check(name, True, f"{account.type.value} account"))
    return lines


def _writable(path: Path) -> str:
    """Why ``path`` cannot be used as a writable folder, or ``""``."""
    probe = path
    while not probe.exists():
        if probe.parent == probe:
            return "no part of it exists"
        probe = probe.parent
    if not probe.is_dir():
        return f"{probe} is not a folder"
    try:
        with tempfile.TemporaryFile(dir=probe):
            pass
    except OSError as exc:
        return f"cannot write in {probe} ({exc.strerror or exc})"
    return ""


def check_dir(name: str, path: Path, variable: str) -> Check:
    """A folder tuireader writes to is writable (or can be made)."""
    why = _writable(path)
    if why:
        return Check(
            name, False, f"{path}: {why}; fix its permissions, or point {variable} elsewhere"
        )
    state = "writable" if path.is_dir() else "can be created"
    return Check(name, True, f"{path} {state}")


def check_graphics(env: dict[str, str] | None = None) -> Check:
    """Whether the terminal announces inline images (never a failure: text works anywhere)."""
    env = dict(os.environ) if env is None else env
    if env.get("TUIREADER_INLINE_IMAGES") == "0":
        return Check("graphics", True, "inline images off (TUIREADER_INLINE_IMAGES=0)")
    if graphics_terminal(env):
        return Check(
            "graphics",
            True,
            "inline images on: the terminal announces Kitty graphics"
            " or Sixel (or TUIREADER_INLINE_IMAGES=1)",
        )
    return Check(
        "graphics",
        True,
        "inline images off: the terminal announces neither Kitty"
        " graphics nor Sixel (TUIREADER_INLINE_IMAGES=1 turns them on)",
    )


def checks(paths: Paths) -> list[tuple[str, Callable[[], Check | list[Check]]]]:
    """Every check by name, in the order printed."""
    return [
        ("extraction", check_extraction),
        ("pdf", check_pdf),
        ("images", check_images),
        ("meaning", check_meaning),
        ("database", lambda: check_database(paths)),
        ("config", lambda: check_config(paths)),
        ("accounts", lambda: check_accounts(paths)),
        (
            "data dir",
            lambda: check_dir("data dir", paths.data_dir, "--data-dir or TUIREADER_DATA_DIR"),
        ),
        ("cache dir", lambda: check_dir("cache dir", paths.cache_dir, "TUIREADER_CACHE_DIR")),
        ("log dir", lambda: check_dir("log dir", paths.log_dir, "TUIREADER_LOG_DIR")),
        ("graphics", check_graphics),
    ]


def doctor(paths: Paths) -> int:
    """Run every check, print one line each; 1 if any failed."""
    failed = 0
    for name, run in checks(paths):
        try:
            found = run()
        except Exception as exc:  # the doctor reports whatever breaks, then goes on
            logger.exception("doctor: the %s check failed", name)
            found = Check(
                name,
                False,
                f"internal error: {type(exc).__name__}: {exc}; {REINSTALL} tuireader"
                f" (details in {paths.log_file})",
            )
        for result in found if isinstance(found, list) else [found]:
            print(result.line())
            failed += not result.ok
    print(f"{failed} problem(s) found" if failed else "all good")
    return 1 if failed else 0
