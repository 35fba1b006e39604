"""Folder sync: two real data dirs (built by the composition root) and a shared folder that a
"sync tool" (these tests) copies between them, in different orders and half-written."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from apphelpers import add_fixtures, root_at
from tuireader.app import Context
from tuireader.domain.models import Source, SourceKind, Story
from tuireader.domain.query import StoryQuery
from tuireader.domain.sync_log import Event, compact, encode, merge, parse
from tuireader.services.folder_sync import FolderSync

FEED0, FEED1 = "http://fixture.example/0.xml", "http://fixture.example/1.xml"
NEW_FEED = "http://new.example/feed.xml"


def device(home: Path) -> Context:
    context = root_at(home)
    add_fixtures(context)
    return context


def story_id(context: Context, url: str, key: str) -> int:
    row = context.conn.execute(
        "SELECT s.id FROM stories s JOIN sources src ON src.id = s.source_id"
        " WHERE src.url = ? AND s.key = ?",
        (url, key),
    ).fetchone()
    return int(row[0])


def mark(context: Context, url: str, key: str, **state: bool) -> None:
    context.library.mark([story_id(context, url, key)], **state)
    time.sleep(0.005)  # the next change is a later one by the database clock (ms)


def state(context: Context) -> tuple[object, ...]:
    stories = context.conn.execute(
        "SELECT src.url, s.key, s.read, s.starred FROM stories s"
        " JOIN sources src ON src.id = s.source_id ORDER BY 1, 2"
    ).fetchall()
    sources = context.conn.execute(
        "SELECT url, folder, removed_at IS NULL FROM sources WHERE kind = 'feed' ORDER BY url"
    ).fetchall()
    return tuple(stories), tuple(sources)


def story_state(context: Context, url: str, key: str) -> tuple[int, int]:
    row = context.conn.execute(
        "SELECT read, starred FROM stories WHERE id = ?", (story_id(context, url, key),)
    ).fetchone()
    return int(row[0]), int(row[1])


def copy_logs(src: Path, dst: Path, half: bool = False) -> None:
    """What a sync tool does: copy each log; ``half`` copies them cut mid-line."""
    for log in src.glob("*.jsonl"):
        if half:
            data = log.read_bytes()
            (dst / log.name).write_bytes(data[: len(data) - len(data.splitlines()[-1]) // 2 - 1])
        else:
            shutil.copyfile(log, dst / log.name)


def change_apart(a: Context, b: Context) -> None:
    """Both devices change state while apart, some of it the same story and field."""
    mark(a, FEED0, "h0", read=True)  # only A
    mark(b, FEED1, "v1", starred=True)  # only B
    mark(b, FEED0, "h2", read=True)  # B first...
    mark(a, FEED0, "h2", read=True)  # ...then A (same value)
    mark(a, FEED0, "h1", read=True)  # A reads...
    mark(b, FEED0, "h1", read=True)
    mark(b, FEED0, "h1", read=False)  # ...and B, later, marks it unread: unread wins
    mark(b, FEED1, "v2", read=True)
    mark(a, FEED1, "v2", read=True)
    mark(a, FEED1, "v2", read=False)  # A's later unread wins
    a.library.add_source(Source(url=NEW_FEED, kind=SourceKind.FEED, folder="Tech"))
    (valley,) = b.library.find_sources([FEED1])
    # a folder move (no command makes one yet: the trigger journals any writer's)
    b.conn.execute("UPDATE sources SET folder = 'Work' WHERE url = ?", (FEED1,))
    b.library.mark_all_read(StoryQuery(source_ids=(valley.id,)))  # v1, v3 read on B


EXPECTED = {
    (FEED0, "h0"): (1, 0),
    (FEED0, "h1"): (0, 0),
    (FEED0, "h2"): (1, 0),
    (FEED0, "h3"): (0, 0),
    (FEED1, "v1"): (1, 1),
    (FEED1, "v2"): (0, 0),
    (FEED1, "v3"): (1, 0),
}


# Orders of (who syncs, copy from, copy to, half-written?) that a sync tool might produce.
ORDERS = {
    "a-first": ["a", "a>b half", "b", "b>a", "a", "a>b", "b"],
    "b-first": ["b", "b>a", "a", "a>b half", "b", "a>b", "b", "b>a", "a"],
    "both-then-cross": ["a", "b", "b>a half", "a", "a>b", "b", "b>a", "a"],
}


@pytest.mark.parametrize("order", sorted(ORDERS))
def test_two_devices_apart_end_equal_and_nothing_lost(tmp_path: Path, order: str) -> None:
    a, b = device(tmp_path / "a"), device(tmp_path / "b")
    folders = {"a": tmp_path / "fa", "b": tmp_path / "fb"}
    for folder in folders.values():
        folder.mkdir()
    syncs = {"a": FolderSync(a.conn, folders["a"]), "b": FolderSync(b.conn, folders["b"])}
    assert syncs["a"].device != syncs["b"].device
    change_apart(a, b)
    saw_cut = False
    for step in ORDERS[order]:
        if ">" in step:
            ends, *half = step.split()
            src, dst = ends.split(">")
            copy_logs(folders[src], folders[dst], half=bool(half))
        else:
            report = syncs[step].sync()
            saw_cut = saw_cut or any("cut off" in why for why in report.skipped)
    assert saw_cut  # a half-written log was met, and did not stop the merge
    assert state(a) == state(b)
    for (url, key), expected in EXPECTED.items():
        assert story_state(a, url, key) == expected, (url, key)
    _stories, sources = state(a)
    assert (NEW_FEED, "", 1) in sources or (NEW_FEED, "Tech", 1) in sources
    assert (FEED1, "Work", 1) in sources
    # syncing again changes nothing and sends nothing: applied changes were not journaled
    again = syncs["a"].sync()
    assert again.written == 0 and again.applied == 0


def test_a_remote_subscription_arrives_with_its_folder(tmp_path: Path) -> None:
    a, b = device(tmp_path / "a"), device(tmp_path / "b")
    folder = tmp_path / "shared"
    folder.mkdir()
    a.library.add_source(Source(url=NEW_FEED, kind=SourceKind.FEED, folder="Tech"))
    FolderSync(a.conn, folder).sync()
    report = FolderSync(b.conn, folder).sync()
    assert report.applied >= 2 and report.pending == 0
    added = b.library.source_by_url(NEW_FEED)
    assert added is not None and added.folder == "Tech"
    b.library.remove_source(added)  # unsubscribing on B goes back to A
    FolderSync(b.conn, folder).sync()
    FolderSync(a.conn, folder).sync()
    assert a.library.source_by_url(NEW_FEED) is None


def test_a_change_for_a_story_not_here_yet_waits_for_it(tmp_path: Path) -> None:
    a, b = device(tmp_path / "a"), device(tmp_path / "b")
    folder = tmp_path / "shared"
    folder.mkdir()
    (harbor_a,) = a.library.find_sources([FEED0])
    late = Story(key="late", title="A story only A has fetched", link="http://h/late")
    a.library.store(harbor_a, [(late, late.title)], 0)
    mark(a, FEED0, "late", read=True, starred=True)
    FolderSync(a.conn, folder).sync()
    first = FolderSync(b.conn, folder).sync()
    assert first.pending == 2 and first.applied == 0
    (harbor_b,) = b.library.find_sources([FEED0])
    b.library.store(harbor_b, [(late, late.title)], 0)  # B's next refresh brings it
    second = FolderSync(b.conn, folder).sync()
    assert second.pending == 0 and second.applied == 2
    assert story_state(b, FEED0, "late") == (1, 1)


def test_undo_and_mark_all_are_journaled_and_applied_changes_are_not(tmp_path: Path) -> None:
    a, b = device(tmp_path / "a"), device(tmp_path / "b")
    folder = tmp_path / "shared"
    folder.mkdir()
    journal = "SELECT count(*) FROM sync_journal"
    before = a.conn.execute(journal).fetchone()[0]
    a.library.mark_all_read(StoryQuery())
    assert a.conn.execute(journal).fetchone()[0] == before + 7
    a.library.undo()
    assert a.conn.execute(journal).fetchone()[0] == before + 14
    mark(a, FEED0, "h3", starred=True)
    FolderSync(a.conn, folder).sync()
    b_before = b.conn.execute(journal).fetchone()[0]
    report = FolderSync(b.conn, folder).sync()
    assert report.applied == 1 and story_state(b, FEED0, "h3") == (0, 1)
    assert b.conn.execute(journal).fetchone()[0] == b_before  # not a change of B's
    assert b.conn.execute("SELECT count(*) FROM sync_applying").fetchone()[0] == 0
    mark(b, FEED0, "h3", starred=False)  # B's own changes are journaled again after
    assert b.conn.execute(journal).fetchone()[0] == b_before + 1


KILLED_SYNC = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    sys.path.insert(0, sys.argv[3])
    from apphelpers import root_at
    import tuireader.services.folder_sync as fs

    context = root_at(Path(sys.argv[1]))
    conn = context.conn
    rows = conn.execute("SELECT id FROM stories").fetchall()
    context.library.mark([r[0] for r in rows], starred=True)  # committed with its journal

    def half_then_die(fd):
        size = os.fstat(fd).st_size
        os.ftruncate(fd, size - 40)  # the last record half on disk
        os.kill(os.getpid(), signal.SIGKILL)

    real_apply = fs.SyncRepo._apply
    calls = []

    def die_while_applying(self, *args):
        calls.append(1)
        if len(calls) == 3:  # two changes made in the transaction, then the kill
            os.kill(os.getpid(), signal.SIGKILL)
        return real_apply(self, *args)

    if sys.argv[4] == "write":
        fs.os.fsync = half_then_die
    else:
        fs.SyncRepo._apply = die_while_applying
    fs.FolderSync(conn, Path(sys.argv[2])).sync()
    print("not killed")
    """
)


def run_killed(home: Path, folder: Path, where: str) -> None:
    tests = str(Path(__file__).parent)
    proc = subprocess.run(
        [sys.executable, "-c", KILLED_SYNC, str(home), str(folder), tests, where],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stdout + proc.stderr


def test_kill_9_while_writing_the_log_loses_no_change(tmp_path: Path) -> None:
    a, b = device(tmp_path / "a"), device(tmp_path / "b")
    folder = tmp_path / "shared"
    folder.mkdir()
    a.close()
    run_killed(tmp_path / "a", folder, "write")
    (log,) = folder.glob("*.jsonl")
    assert not log.read_bytes().endswith(b"\n")  # killed with a record half-written
    half = FolderSync(b.conn, folder).sync()  # B reads what is whole, and is not stopped
    assert any("cut off" in why for why in half.skipped)
    a = root_at(tmp_path / "a")
    report = FolderSync(a.conn, folder).sync()
    journaled = a.conn.execute("SELECT count(*) FROM sync_journal").fetchone()[0]
    assert report.written == journaled  # the marker never moved: everything is sent again
    assert parse(log.read_bytes()).truncated is False
    assert parse(log.read_bytes()).bad_lines == 0
    FolderSync(b.conn, folder).sync()
    assert all(starred for *_, starred in state(b)[0])
    assert state(a) == state(b)


def test_kill_9_while_applying_leaves_nothing_half_applied(tmp_path: Path) -> None:
    a, b = device(tmp_path / "a"), device(tmp_path / "b")
    folder = tmp_path / "shared"
    folder.mkdir()
    a.library.mark_all_read(StoryQuery())
    FolderSync(a.conn, folder).sync()
    b.close()
    run_killed(tmp_path / "b", folder, "apply")
    b = root_at(tmp_path / "b")
    assert b.conn.execute("SELECT count(*) FROM sync_applying").fetchone()[0] == 0
    assert not any(read for _url, _key, read, _starred in state(b)[0])  # rolled back whole
    assert all(starred for *_, starred in state(b)[0])  # B's own stars, committed before
    report = FolderSync(b.conn, folder).sync()
    assert report.applied == 7
    FolderSync(a.conn, folder).sync()
    assert state(a) == state(b)  # A got B's stars, B got A's reads


def test_compaction_keeps_what_wins_and_the_merge_is_unchanged(tmp_path: Path) -> None:
    a, b = device(tmp_path / "a"), device(tmp_path / "b")
    folder = tmp_path / "shared"
    folder.mkdir()
    sync_a = FolderSync(a.conn, folder, compact_at=20)
    ids = a.library.ids(StoryQuery())
    compacted = 0
    for n in range(6):
        a.library.mark(ids, read=n % 2 == 0)
        compacted += sync_a.sync().compacted
    (log,) = folder.glob("*.jsonl")
    journal = sync_a._repo.journal_after(0)  # every change A ever made
    kept = parse(log.read_bytes()).events
    assert compacted > 0 and len(kept) < len(journal)
    assert merge(kept) == merge(journal)  # the same winners as the whole history
    assert not list(folder.glob(".*"))  # the temp file is gone
    FolderSync(b.conn, folder).sync()
    assert state(a) == state(b)
    a.library.mark(ids[:1], read=True)  # appending goes on after compaction
    assert sync_a.sync().written == 1


def test_a_missing_folder_is_one_typed_line(tmp_path: Path) -> None:
    from tuireader.domain.errors import UsageError

    a = device(tmp_path / "a")
    with pytest.raises(UsageError, match="not a folder"):
        FolderSync(a.conn, tmp_path / "nowhere").sync()


# the log format and the merge, as pure functions ---------------------------------------------


def random_events(rng: random.Random, n: int) -> list[Event]:
    devices = ["d1", "d2", "d3"]
    seqs = dict.fromkeys(devices, 0)
    out = []
    for _ in range(n):
        dev = rng.choice(devices)
        seqs[dev] += 1
        out.append(
            Event(
                dev,
                seqs[dev],
                rng.randint(1000, 1010),  # few distinct times: ties are common
                rng.choice([FEED0, FEED1]),
                rng.choice(["k1", "k2", "k3"]),
                rng.choice(["read", "starred"]),
                rng.choice(["0", "1"]),
            )
        )
    return out


@pytest.mark.parametrize("seed", range(50))
def test_merge_is_the_same_whatever_the_order(seed: int) -> None:
    rng = random.Random(seed)
    events = random_events(rng, 60)
    expected = merge(events)
    for _ in range(10):
        shuffled = events[:]
        rng.shuffle(shuffled)
        assert merge(shuffled) == expected
    for target, winner in expected.items():  # the winner is the latest by (time, device, seq)
        rivals = [e for e in events if e.target == target]
        assert winner == max(rivals, key=lambda e: (e.at, e.device, e.seq))
    own = [e for e in events if e.device == "d1"]
    others = [e for e in events if e.device != "d1"]
    assert merge(others + compact(own)) == expected  # compaction loses no winner


def test_a_log_is_read_up_to_its_last_whole_record() -> None:
    events = random_events(random.Random(1), 5)
    data = "".join(encode(e) for e in events).encode()
    whole = parse(data)
    assert whole.events == events and not whole.truncated and whole.bad_lines == 0
    cut = parse(data[:-7])
    assert cut.events == events[:-1] and cut.truncated
    line = encode(events[0])
    flipped = "0" if events[0].value == "1" else "1"
    tampered = line.replace(f'"{events[0].value}"]', f'"{flipped}"]')  # checksum now wrong
    assert tampered != line
    garbage = b"\x00\xff not json\n" + tampered.encode() + b"{}\n"
    mixed = parse(garbage + data)
    assert mixed.events == events and mixed.bad_lines >= 2
    assert parse(b"").events == [] and parse(b"\n\n").bad_lines == 0


def test_the_own_log_is_cut_back_to_a_whole_line_before_appending(tmp_path: Path) -> None:
    a = device(tmp_path / "a")
    folder = tmp_path / "shared"
    folder.mkdir()
    sync = FolderSync(a.conn, folder)
    mark(a, FEED0, "h0", read=True)
    sync.sync()
    log = folder / f"{sync.device}.jsonl"
    log.write_bytes(log.read_bytes() + b'{"e": ["half')  # a write cut by a crash
    mark(a, FEED0, "h1", read=True)
    sync.sync()
    parsed = parse(log.read_bytes())
    assert not parsed.truncated and parsed.bad_lines == 0
    assert [e.seq for e in parsed.events] == [1, 2, 3, 4, 5]  # 3 subscriptions, 2 reads
    assert os.path.getsize(log) == log.read_bytes().rfind(b"\n") + 1


def test_a_change_made_here_while_syncing_is_not_overwritten(tmp_path: Path) -> None:
    a, b = device(tmp_path / "a"), device(tmp_path / "b")
    folder = tmp_path / "shared"
    folder.mkdir()
    mark(b, FEED0, "h0", starred=True)
    FolderSync(b.conn, folder).sync()
    sync_a = FolderSync(a.conn, folder)
    sync_a._repo.record_winners(
        merge(e for log in folder.glob("*.jsonl") for e in parse(log.read_bytes()).events).values()
    )
    mark(a, FEED0, "h0", starred=False)  # A's user unstars it between merge and apply
    mark(a, FEED0, "h0", starred=True)
    mark(a, FEED0, "h0", starred=False)
    sync_a._repo.apply_pending()
    assert story_state(a, FEED0, "h0") == (0, 0)  # the later local change stays
    sync_a.sync()
    FolderSync(b.conn, folder).sync()
    assert story_state(b, FEED0, "h0") == (0, 0)


def test_an_upgraded_library_journals_from_then_on(tmp_path: Path) -> None:
    from tuireader.storage.database import connect
    from tuireader.storage.migrations import migrate

    path = tmp_path / "old.db"
    conn = connect(path)
    migrate(conn, target=8)  # before the journal (V9)
    conn.execute("INSERT INTO sources (id, url, kind, added_at) VALUES (1, 'http://o/', 'feed', 0)")
    conn.execute(
        "INSERT INTO stories (source_id, key, title, sort_time, fetched_at, read)"
        " VALUES (1, 'old', 'Old', 5, 5, 1)"
    )
    migrate(conn)
    assert conn.execute("SELECT count(*) FROM sync_journal").fetchone()[0] == 0
    assert len(conn.execute("SELECT device FROM sync_device").fetchone()[0]) == 16
    conn.execute("UPDATE stories SET read = 0")
    rows = conn.execute("SELECT source_url, story_key, field, value FROM sync_journal").fetchall()
    assert rows == [("http://o/", "old", "read", "0")]
    conn.close()


def test_a_page_saved_on_one_machine_reaches_the_other_with_its_state(tmp_path: Path) -> None:
    from tuireader.services.saving import saved_source

    folder = tmp_path / "share"
    folder.mkdir()
    a, b = device(tmp_path / "a"), device(tmp_path / "b")
    source = saved_source(a.library)
    assert source.id is not None
    a.library.store(
        source,
        [(Story(key="https://page.example/a", title="A page", link="https://page.example/a"), "")],
        seen_since=0,
    )
    page = a.library.page_by_key(source, "https://page.example/a")
    mark(a, "tuireader:saved", "https://page.example/a", starred=True)
    FolderSync(a.conn, folder).sync()
    report = FolderSync(b.conn, folder).sync()
    assert report.applied == 2 and report.pending == 0, report
    on_b = b.library.page_by_key(saved_source(b.library), "https://page.example/a")
    assert (on_b.title, on_b.link, on_b.starred) == ("A page", page.link, True)
    ids = b.library.ids(StoryQuery(search="page"))
    assert on_b.id in ids  # searchable there too
    # B's sync wrote nothing back for the page it was given (applied changes are not journaled)
    FolderSync(b.conn, folder).sync()
    assert FolderSync(a.conn, folder).sync().applied == 0
    a.close()
    b.close()
