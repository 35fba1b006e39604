"""Whether the terminal draws images: asked once, before Textual starts, through textual-image.

Importing ``textual_image.widget`` asks the terminal three things, each with a 0.1 s timeout:
the primary device attributes (``CSI c``; a ``4`` in the answer means Sixel), the Kitty
graphics protocol (an APC query, ``a=q``) and, unless the pty knows its pixel size, the cell
size (``CSI 16 t``). A terminal that does not answer the last one (tmux, a slow ssh link) makes
it log a warning with a ``TimeoutError`` traceback, which with no logging set up Python prints
to stderr, into the terminal. :func:`probe_graphics` runs that import with textual-image's
log records, warnings and any stray writes to ``sys.stdout``/``sys.stderr`` captured, and
hands them to our log instead; nothing reaches the terminal but the queries themselves.
"""

from __future__ import annotations

import contextlib
import io
import logging
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL.Image import Image as PILImage

logger = logging.getLogger(__name__)

LIBRARY_LOGGER = "textual_image"
LARGEST = (1600, 1600)
"""Pixels an image is shrunk to fit before it is drawn (an article pane is rarely wider)."""


@dataclass(frozen=True, slots=True)
class GraphicsProbe:
    """What the terminal answered."""

    protocol: str | None
    """``"kitty"`` or ``"sixel"`` when the terminal confirmed one, else None."""
    reason: str = ""
    """Why images are not drawn, in a few words for the user (empty when they are)."""

    @property
    def inline(self) -> bool:
        """Images are drawn in the article."""
        return self.protocol is not None


class _Keep(logging.Handler):
    """Keeps textual-image's log records so they can be passed on to our log."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def probe_graphics() -> GraphicsProbe:
    """Ask the terminal whether it draws images (Kitty graphics or Sixel); call before Textual
    starts, since Textual's input thread would take the answers. Only a terminal that confirms
    a protocol gets images: textual-image's own fallback, half-cell blocks, is not used."""
    keep = _Keep()
    library = logging.getLogger(LIBRARY_LOGGER)
    saved = library.propagate, library.level
    library.addHandler(keep)
    library.propagate = False  # no handler of ours (nor Python's last resort) prints them
    library.setLevel(logging.DEBUG)
    stray_out, stray_err = io.StringIO(), io.StringIO()
    try:
        with (
            warnings.catch_warnings(record=True) as caught,
            contextlib.redirect_stdout(stray_out),
            contextlib.redirect_stderr(stray_err),
        ):
            warnings.simplefilter("always")
            probe = _ask()
    finally:
        library.removeHandler(keep)
        library.propagate, library.level = saved
    for record in keep.records:
        logger.info("textual-image: %s", record.getMessage(), exc_info=record.exc_info)
    for warning in caught:
        logger.info("textual-image warned: %s", warning.message)
    for name, stream in (("stdout", stray_out), ("stderr", stray_err)):
        if text := stream.getvalue().strip():
            logger.info("textual-image wrote to %s: %s", name, text)
    if probe.inline:
        logger.info("inline images on: the terminal speaks %s graphics", probe.protocol)
    else:
        logger.info("inline images off: %s", probe.reason)
    return probe


def _ask() -> GraphicsProbe:
    try:
        import textual_image.widget  # noqa: F401 - asks the terminal, on import, once
        from textual_image.renderable import Image, SixelImage, TGPImage
    except Exception:  # the terminal's answers are outside input: a garbled one raises here
        logger.exception("asking the terminal for its graphics support failed")
        return GraphicsProbe(None, "the terminal's answer to the graphics query was garbled")
    if Image is TGPImage:
        return GraphicsProbe("kitty")
    if Image is SixelImage:
        return GraphicsProbe("sixel")
    return GraphicsProbe(None, "the terminal did not answer the Kitty graphics or Sixel query")


def load_picture(path: Path) -> PILImage | None:
    """The image at ``path`` decoded in full, or None (logged) when it is not one; decoded
    here, in a worker thread, so that a broken file never fails inside a render."""
    from PIL import Image

    try:
        with Image.open(path) as opened:
            opened.load()
            picture: PILImage = opened.copy()
        picture.thumbnail(LARGEST)  # kept in memory while shown: a photo's full size is waste
    except Exception:  # downloaded bytes are outside input: PIL fails many ways on bad ones
        logger.exception("image %s could not be decoded; its placeholder stays", path.name)
        return None
    return picture
