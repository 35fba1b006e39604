"""The enclosure download queue (``downloads``): kept in SQLite so it survives a restart."""

from __future__ import annotations

import sqlite3
import time

from tuireader.domain.downloads import Download, DownloadState
from tuireader.storage.database import write

_COLUMNS = "id, story_id, url, path, state, received, total, error"


def _row(row: tuple[object, ...]) -> Download:
    did, story_id, url, path, state, received, total, error = row
    assert isinstance(did, int) and isinstance(url, str) and isinstance(path, str)
    return Download(
        id=did,
        story_id=story_id if isinstance(story_id, int) else None,
        url=url,
        path=path,
        state=DownloadState(str(state)),
        received=received if isinstance(received, int) else 0,
        total=total if isinstance(total, int) else None,
        error=error if isinstance(error, str) else "",
    )


class DownloadsRepo:
    """Rows of the ``downloads`` table as :class:`Download` objects."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def by_url(self, url: str) -> Download | None:
        """The download of ``url``, if queued once."""
        row = self.conn.execute(
            f"SELECT {_COLUMNS} FROM downloads WHERE url = ?", (url,)
        ).fetchone()
        return _row(row) if row else None

    def get(self, download_id: int) -> Download | None:
        """One download by id."""
        row = self.conn.execute(
            f"SELECT {_COLUMNS} FROM downloads WHERE id = ?", (download_id,)
        ).fetchone()
        return _row(row) if row else None

    def path_taken(self, path: str, url: str) -> bool:
        """Whether another URL's download goes to ``path``."""
        row = self.conn.execute(
            "SELECT 1 FROM downloads WHERE path = ? AND url != ?", (path, url)
        ).fetchone()
        return row is not None

    def add(self, story_id: int | None, url: str, path: str) -> Download:
        """Queue ``url`` (again, when it failed); one already queued or done is kept."""
        with write(self.conn):
            self.conn.execute(
                "INSERT INTO downloads (story_id, url, path, added_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (url) DO UPDATE SET state = 'queued', error = '',"
                " story_id = coalesce(excluded.story_id, story_id)"
                " WHERE state = 'failed'",
                (story_id, url, path, int(time.time())),
            )
        found = self.by_url(url)
        assert found is not None
        return found

    def queued(self) -> list[Download]:
        """Every download still to do, oldest first."""
        rows = self.conn.execute(
            f"SELECT {_COLUMNS} FROM downloads WHERE state = 'queued' ORDER BY id"
        ).fetchall()
        return [_row(r) for r in rows]

    def for_story(self, story_id: int) -> list[Download]:
        """A story's downloads."""
        rows = self.conn.execute(
            f"SELECT {_COLUMNS} FROM downloads WHERE story_id = ? ORDER BY id", (story_id,)
        ).fetchall()
        return [_row(r) for r in rows]

    def every(self) -> list[Download]:
        """The whole queue, finished and failed ones included, newest first."""
        rows = self.conn.execute(f"SELECT {_COLUMNS} FROM downloads ORDER BY id DESC").fetchall()
        return [_row(r) for r in rows]

    def save(self, download: Download) -> None:
        """Store a download's state, bytes and error."""
        with write(self.conn):
            self.conn.execute(
                "UPDATE downloads SET state = ?, received = ?, total = ?, error = ? WHERE id = ?",
                (
                    download.state.value,
                    download.received,
                    download.total,
                    download.error,
                    download.id,
                ),
            )
