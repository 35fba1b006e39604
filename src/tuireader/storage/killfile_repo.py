"""Killfile rules applied in the store: which stories each ``[[ignore]]`` rule caught.

A rule is one INSERT ... SELECT over the stories it may touch (its compiled expression, its
sources, never a starred story, never one another rule caught), so applying rules to a
100,000-story library is SQL's work, not a Python loop.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tuireader.domain.killfile import IgnoreAction, IgnoreRule
from tuireader.storage.database import write
from tuireader.storage.filter_sql import compile_filter


@dataclass(frozen=True, slots=True)
class Caught:
    """What applying rules did."""

    hidden: int = 0
    marked_read: list[int] | None = None


class KillfileRepo:
    """Reads and writes ``story_ignored``."""

    def __init__(self, conn: sqlite3.Connection, clock: Callable[[], float] = time.time) -> None:
        self.conn = conn
        self.clock = clock

    def apply(
        self,
        rules: Sequence[tuple[IgnoreRule, tuple[int, ...] | None]],
        story_ids: Sequence[int] | None = None,
    ) -> Caught:
        """Apply each rule (with the source ids it is limited to, ``None`` for every
        source) to ``story_ids``, or to every stored story; returns what they caught."""
        hidden = 0
        marked: list[int] = []
        now = int(self.clock())
        chunks: list[Sequence[int] | None] = [None]
        if story_ids is not None:
            ids = list(story_ids)
            chunks = [ids[n : n + 500] for n in range(0, len(ids), 500)]
        with write(self.conn):
            for rule, source_ids in rules:
                if source_ids is not None and not source_ids:
                    continue  # limited to sources that are not in the library
                condition, args = compile_filter(rule.query, now)
                sql = (
                    "INSERT INTO story_ignored (story_id, rule, action, at)"
                    " SELECT s.id, ?, ?, ? FROM stories s JOIN sources src ON src.id = s.source_id"
                    f" WHERE s.starred = 0 AND s.id NOT IN (SELECT story_id FROM story_ignored)"
                    f" AND {condition}"
                )
                bound: list[object] = [rule.label, rule.action.value, now, *args]
                if source_ids is not None:
                    sql += f" AND s.source_id IN ({','.join('?' * len(source_ids))})"
                    bound += source_ids
                for chunk in chunks:
                    chunk_sql, chunk_args = sql, bound
                    if chunk is not None:
                        if not chunk:
                            continue
                        chunk_sql += f" AND s.id IN ({','.join('?' * len(chunk))})"
                        chunk_args = [*bound, *chunk]
                    caught = [
                        r[0]
                        for r in self.conn.execute(chunk_sql + " RETURNING story_id", chunk_args)
                    ]
                    if rule.action is IgnoreAction.HIDE:
                        hidden += len(caught)
                    else:
                        marked += caught
        return Caught(hidden, marked)

    def forget_others(self, labels: Sequence[str]) -> int:
        """Drop what rules no longer in the config caught (their hidden stories show again;
        stories they marked read stay read), and any starred story a rule hid."""
        with write(self.conn):
            gone = self.conn.execute(
                f"DELETE FROM story_ignored WHERE rule NOT IN ({','.join('?' * len(labels))})"
                " OR story_id IN (SELECT id FROM stories WHERE starred != 0)",
                list(labels),
            ).rowcount
        return int(gone)

    def caught(self, limit: int) -> dict[int, tuple[str, str]]:
        """For the stories rules caught, newest first: story id → (rule, action)."""
        rows = self.conn.execute(
            "SELECT i.story_id, i.rule, i.action FROM story_ignored i"
            " JOIN stories s ON s.id = i.story_id ORDER BY s.sort_time DESC, s.id DESC LIMIT ?",
            (limit,),
        )
        return {r[0]: (r[1], r[2]) for r in rows}
