"""Folder sync's log format and merge: pure functions, no files, no database.

A device's log is UTF-8 JSON lines, one :class:`Event` a line, each with a checksum of its
own content. A reader keeps every whole, checksum-valid line and skips the rest (a line cut
off by a sync tool copying the file while it was written, or garbage), never failing.
The merge is deterministic: per (source URL, story key, field) the event with the greatest
(time, device, sequence) wins, whatever order the events or files come in.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

FIELDS = frozenset({"read", "starred", "subscribed", "folder", "saved"})
"""What a log records: a story's read and starred state (value ``"0"``/``"1"``); a feed's
subscription (``story_key`` empty, ``"1"``/``"0"``) and folder (the folder's name); a page
saved for later (``saved``: a JSON object with its ``title`` and ``link``)."""


@dataclass(frozen=True, slots=True, order=True)
class Stamp:
    """When a change was made, ordered: time first, then device id and sequence break ties."""

    at: int
    device: str
    seq: int


@dataclass(frozen=True, slots=True)
class Event:
    """One state change made on one device."""

    device: str
    seq: int
    at: int
    """Unix milliseconds, by the device's database clock."""
    source_url: str
    story_key: str
    field: str
    value: str

    @property
    def stamp(self) -> Stamp:
        """The order the merge decides by."""
        return Stamp(self.at, self.device, self.seq)

    @property
    def target(self) -> tuple[str, str, str]:
        """What the event changes: (source URL, story key, field)."""
        return (self.source_url, self.story_key, self.field)


def _checksum(body: str) -> str:
    return hashlib.blake2b(body.encode("utf-8"), digest_size=8).hexdigest()


def _body(event: Event) -> str:
    record = [
        event.device,
        event.seq,
        event.at,
        event.source_url,
        event.story_key,
        event.field,
        event.value,
    ]
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def encode(event: Event) -> str:
    """One log line for an event, newline included."""
    body = _body(event)
    return json.dumps({"e": json.loads(body), "c": _checksum(body)}, ensure_ascii=False) + "\n"


def decode_line(line: str) -> Event | None:
    """The event a line holds, or ``None`` for anything not a whole, valid record."""
    try:
        record = json.loads(line)
        fields = record["e"]
        device, seq, at, url, key, field, value = fields
        event = Event(device, seq, at, url, key, field, value)
    except (ValueError, TypeError, KeyError):
        return None
    if not (
        isinstance(device, str)
        and device
        and isinstance(seq, int)
        and isinstance(at, int)
        and all(isinstance(x, str) for x in (url, key, field, value))
        and field in FIELDS
    ):
        return None
    if record.get("c") != _checksum(_body(event)):
        return None
    return event


@dataclass(frozen=True, slots=True)
class ParsedLog:
    """A log's valid events and how many lines were skipped (and whether the last was cut)."""

    events: list[Event]
    bad_lines: int
    truncated: bool


def parse(data: bytes) -> ParsedLog:
    """Every valid event in a log's bytes; a last line without its newline is a cut-off
    write (kept only if it is nonetheless whole and valid)."""
    text = data.decode("utf-8", "replace")
    lines = text.split("\n")
    tail = lines.pop()  # "" when the file ends with a newline
    events: list[Event] = []
    bad = 0
    for line in lines:
        if not line.strip():
            continue
        event = decode_line(line)
        if event is None:
            bad += 1
        else:
            events.append(event)
    truncated = False
    if tail.strip():
        event = decode_line(tail)
        if event is None:
            truncated = True
        else:
            events.append(event)
    return ParsedLog(events, bad, truncated)


def merge(events: Iterable[Event]) -> dict[tuple[str, str, str], Event]:
    """The winning event per (source URL, story key, field): the greatest stamp."""
    winners: dict[tuple[str, str, str], Event] = {}
    for event in events:
        best = winners.get(event.target)
        if best is None or event.stamp > best.stamp:
            winners[event.target] = event
    return winners


def compact(events: Iterable[Event]) -> list[Event]:
    """A device's own events with every event dropped that a later one of the same device
    for the same target outdoes, in sequence order.

    Safe whatever other devices have seen: a dropped event can never win a merge, since the
    event that outdid it stays and has a greater stamp, so every device merges the compacted
    log to the same winners as the whole one.
    """
    return sorted(merge(events).values(), key=lambda e: e.seq)
