"""What discovery reads and writes: signatures, clusters, engagement, candidates."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence

from tuireader.domain.discovery import SignedStory
from tuireader.storage.database import select_in, write

_COLUMNS = (
    "id, source_id, sort_time, sig, cluster_id, popularity, read, starred, finished, dismissed,"
    " read_at"
)


LIVE = "source_id NOT IN (SELECT id FROM sources WHERE removed_at IS NOT NULL)"
"""Stories of removed (recoverable) sources take no part in discovery."""

SHOWN = LIVE + " AND id NOT IN (SELECT story_id FROM story_ignored WHERE action = 'hide')"
"""What discovery may show: a story a killfile rule hides is in no list, as in no view
(it may still be what a list is computed for, or cluster with others)."""


def _row(r: Sequence[object]) -> SignedStory:
    return SignedStory(
        int(r[0]),  # type: ignore[call-overload]
        int(r[1]),  # type: ignore[call-overload]
        int(r[2]),  # type: ignore[call-overload]
        str(r[3]),
        r[4],  # type: ignore[arg-type]
        r[5],  # type: ignore[arg-type]
        bool(r[6]),
        bool(r[7]),
        bool(r[8]),
        bool(r[9]),
        r[10],  # type: ignore[arg-type]
    )


class DiscoveryRepo:
    """Queries over the ``stories`` table and the search index for discovery."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def version(self) -> tuple[int, int]:
        """Changes whenever the library does: commits by any other connection (SQLite's
        ``data_version``) or changes through this one."""
        other = int(self.conn.execute("PRAGMA data_version").fetchone()[0])
        return other, self.conn.total_changes

    def titles(self, ids: Sequence[int]) -> dict[int, tuple[str, str]]:
        """(title, source name) by story id."""
        return {
            int(sid): (str(title), str(source))
            for sid, title, source in select_in(
                self.conn,
                "SELECT s.id, s.title, coalesce(nullif(src.title, ''), src.url) FROM stories s"
                " JOIN sources src ON src.id = s.source_id WHERE s.id IN ({marks})",
                ids,
            )
        }

    def newest_time(self) -> int | None:
        """The newest signed story's time."""
        row = self.conn.execute("SELECT max(sort_time) FROM stories WHERE sig != ''").fetchone()
        return None if row[0] is None else int(row[0])

    def doc_count(self) -> int:
        """Stories in the library."""
        return int(self.conn.execute("SELECT count(*) FROM stories").fetchone()[0])

    def document_frequency(self, forms: Sequence[str]) -> int:
        """Documents holding any of the surface forms (summed; an estimate)."""
        marks = ",".join("?" * len(forms))
        row = self.conn.execute(
            f"SELECT coalesce(sum(doc), 0) FROM story_vocab WHERE term IN ({marks})", forms
        ).fetchone()
        return int(row[0])

    def unsigned(
        self, limit: int, after: int = 0
    ) -> list[tuple[int, str, str, str, tuple[str, ...]]]:
        """Stories without a signature yet, by id past ``after``: (id, title, summary,
        content, categories)."""
        return [
            (int(r[0]), r[1], r[2], r[3], tuple(json.loads(r[4] or "[]")))
            for r in self.conn.execute(
                "SELECT id, title, summary, content, categories FROM stories WHERE sig = ''"
                " AND id > ? ORDER BY id LIMIT ?",
                (after, limit),
            )
        ]

    def story_text(self, story_id: int) -> tuple[str, str, str, str, tuple[str, ...]] | None:
        """(title, summary, content, content type, categories) of one story."""
        row = self.conn.execute(
            "SELECT title, summary, content, content_type, categories FROM stories WHERE id = ?",
            (story_id,),
        ).fetchone()
        if row is None:
            return None
        return row[0], row[1], row[2], row[3], tuple(json.loads(row[4] or "[]"))

    def set_signatures(self, items: Iterable[tuple[int, str]]) -> None:
        """Store signatures."""
        with write(self.conn):
            self.conn.executemany(
                "UPDATE stories SET sig = ? WHERE id = ?", [(s, i) for i, s in items]
            )

    def set_clusters(self, items: Iterable[tuple[int, int | None]]) -> None:
        """Store cluster ids."""
        with write(self.conn):
            self.conn.executemany(
                "UPDATE stories SET cluster_id = ? WHERE id = ?", [(c, i) for i, c in items]
            )

    def window(self, since: int, until: int) -> list[SignedStory]:
        """Signed stories published in ``[since, until]``."""
        return [
            _row(r)
            for r in self.conn.execute(
                f"SELECT {_COLUMNS} FROM stories WHERE sort_time BETWEEN ? AND ? AND sig != ''"
                f" AND {LIVE}",
                (since, until),
            )
        ]

    def window_sigs(self, since: int, until: int) -> list[tuple[int, int, int, str, int | None]]:
        """(id, source id, time, encoded signature, cluster id) of signed stories in a span;
        plain tuples, as this can be a whole library."""
        return self.conn.execute(
            "SELECT id, source_id, sort_time, sig, cluster_id FROM stories"
            f" WHERE sort_time BETWEEN ? AND ? AND sig != '' AND {LIVE}",
            (since, until),
        ).fetchall()

    def trending_rows(
        self, since: int, until: int
    ) -> list[tuple[int, int, int, int | None, int | None, int]]:
        """(id, source id, time, cluster id, popularity, dated) of stories in a span; an
        undated story's time is when it was first seen."""
        return self.conn.execute(
            "SELECT id, source_id, sort_time, cluster_id, popularity,"
            " published IS NOT NULL OR updated IS NOT NULL FROM stories"
            f" WHERE sort_time BETWEEN ? AND ? AND sig != '' AND {SHOWN}",
            (since, until),
        ).fetchall()

    def rows(self, ids: Sequence[int], shown: bool = False) -> dict[int, SignedStory]:
        """Discovery rows by id (``shown``: only those a list may show, see :data:`SHOWN`)."""
        sql = f"SELECT {_COLUMNS} FROM stories WHERE id IN ({{marks}}) AND "
        return {
            int(r[0]): _row(r) for r in select_in(self.conn, sql + (SHOWN if shown else LIVE), ids)
        }

    def search_candidates(self, match: str, limit: int) -> list[int]:
        """Story ids best matching an FTS expression, by BM25 (title counts triple)."""
        if not match:
            return []
        return [
            int(r[0])
            for r in self.conn.execute(
                "SELECT rowid FROM story_search WHERE story_search MATCH ?"
                " ORDER BY bm25(story_search, 3.0, 1.0) LIMIT ?",
                (match, limit),
            )
        ]

    def cluster_members(self, cluster_id: int) -> list[int]:
        """Ids of the stories in a cluster."""
        return [
            int(r[0])
            for r in self.conn.execute(
                f"SELECT id FROM stories WHERE cluster_id = ? AND {SHOWN} ORDER BY sort_time",
                (cluster_id,),
            )
        ]

    def engaged(self, limit: int = 500) -> list[SignedStory]:
        """Stories read to the end, starred, or dismissed: what the profile is built from."""
        return [
            _row(r)
            for r in self.conn.execute(
                f"SELECT {_COLUMNS} FROM stories WHERE (finished = 1 OR starred = 1"
                f" OR dismissed = 1) AND sig != '' AND {LIVE}"
                " ORDER BY coalesce(read_at, sort_time) DESC"
                " LIMIT ?",
                (limit,),
            )
        ]

    def unread_since(self, since: int, limit: int) -> list[SignedStory]:
        """Unread, not dismissed, signed stories newer than ``since``."""
        return [
            _row(r)
            for r in self.conn.execute(
                f"SELECT {_COLUMNS} FROM stories WHERE read = 0 AND dismissed = 0 AND sig != ''"
                f" AND sort_time >= ? AND {SHOWN} ORDER BY sort_time DESC LIMIT ?",
                (since, limit),
            )
        ]

    def clustered_since(self, since: int) -> list[tuple[int, int]]:
        """(cluster id, story id) for clustered stories newer than ``since``."""
        return [
            (int(r[0]), int(r[1]))
            for r in self.conn.execute(
                "SELECT cluster_id, id FROM stories WHERE cluster_id IS NOT NULL"
                f" AND sort_time >= ? AND {LIVE}",
                (since,),
            )
        ]

    # vectors (V11) --------------------------------------------------------------------------
    def unembedded(self, limit: int, after: int = 0) -> list[tuple[int, str, str, str]]:
        """Signed stories without a vector yet, by id past ``after``: (id, title, body,
        content type), the body being the content, else the summary."""
        return [
            (int(r[0]), str(r[1]), str(r[2]), str(r[3]))
            for r in self.conn.execute(
                "SELECT s.id, s.title, CASE WHEN s.content != '' THEN s.content ELSE s.summary"
                " END, CASE WHEN s.content != '' THEN s.content_type ELSE 'html' END"
                " FROM stories s WHERE s.id > ? AND s.sig != ''"
                " AND NOT EXISTS (SELECT 1 FROM story_vectors v WHERE v.story_id = s.id)"
                " ORDER BY s.id LIMIT ?",
                (after, limit),
            )
        ]

    def set_vectors(self, items: Iterable[tuple[int, bytes]]) -> None:
        """Store vectors (replacing any earlier one); a story deleted meanwhile is skipped."""
        with write(self.conn):
            self.conn.executemany(
                "INSERT OR REPLACE INTO story_vectors (story_id, vec)"
                " SELECT id, ? FROM stories WHERE id = ?",
                [(v, i) for i, v in items],
            )

    def forget_vectors(self, ids: Sequence[int]) -> None:
        """Drop the vectors of stories whose text changed (they are embedded again)."""
        with write(self.conn):
            for chunk in range(0, len(ids), 500):
                part = list(ids[chunk : chunk + 500])
                self.conn.execute(
                    f"DELETE FROM story_vectors WHERE story_id IN ({','.join('?' * len(part))})",
                    part,
                )

    def vectors(self, ids: Sequence[int]) -> dict[int, bytes]:
        """Stored vectors by story id (stories without one are left out)."""
        return {
            int(r[0]): bytes(r[1])
            for r in select_in(
                self.conn,
                "SELECT story_id, vec FROM story_vectors WHERE story_id IN ({marks})",
                ids,
            )
        }

    def times(self, ids: Sequence[int]) -> dict[int, int]:
        """Stories' times (``sort_time``) by id."""
        return {
            int(i): int(t)
            for i, t in select_in(
                self.conn, "SELECT id, sort_time FROM stories WHERE id IN ({marks})", ids
            )
        }

    def newest_vector(self) -> int:
        """The highest story id with a vector (0: none): whether an in-memory copy missed
        some."""
        row = self.conn.execute("SELECT coalesce(max(story_id), 0) FROM story_vectors").fetchone()
        return int(row[0])

    def vectors_after(self, after: int) -> list[tuple[int, bytes]]:
        """(story id, vector) past ``after``, by id (``b""``: nothing to embed): what an
        in-memory index adds."""
        return [
            (int(r[0]), bytes(r[1]))
            for r in self.conn.execute(
                "SELECT story_id, vec FROM story_vectors WHERE story_id > ? ORDER BY story_id",
                (after,),
            )
        ]

    def set_flag(self, story_id: int, name: str, value: bool) -> None:
        """Set ``finished`` or ``dismissed``."""
        assert name in ("finished", "dismissed")
        with write(self.conn):
            self.conn.execute(f"UPDATE stories SET {name} = ? WHERE id = ?", (int(value), story_id))
