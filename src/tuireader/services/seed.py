"""First run: the bundled sample library, so the reader shows stories with nothing set up."""

from __future__ import annotations

from pathlib import Path

from tuireader.domain.models import Source, SourceKind
from tuireader.services.library import Library

SAMPLE_FOLDER = "Samples"


def seed_samples(library: Library, assets: Path) -> Source | None:
    """Subscribe to the bundled samples; ``None`` if they are already there or missing."""
    if not assets.is_dir():
        return None
    source, new = library.add_source(
        Source(
            url=str(assets.resolve()),
            kind=SourceKind.LOCAL,
            title="Sample library",
            folder=SAMPLE_FOLDER,
        )
    )
    return source if new else None
