"""First run: the bundled sample library, so the reader shows stories with nothing set up."""

from __future__ import annotations

from pathlib import Path

from tuireader.domain.models import Source, SourceKind
from tuireader.services.library import Library

SAMPLE_FOLDER = "Samples"


def seed_samples(library: Library, assets: Path, first_run: bool = True) -> Source | None:
    """Subscribe to the bundled samples; ``None`` if they are already there or missing.

    On a first run they leave when the user adds a source of their own; asked for later
    (``first_run=False``) they stay until removed.
    """
    if not assets.is_dir():
        return None
    source, new = library.add_samples(
        Source(
            url=str(assets.resolve()),
            kind=SourceKind.LOCAL,
            title="Sample library",
            folder=SAMPLE_FOLDER,
        ),
        first_run,
    )
    return source if new else None
