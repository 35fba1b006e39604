"""Views leave out removed sources and hidden stories, whichever way a page is found.

The store skips the removed-source and killfile tests when nothing is removed or hidden, and
finds a dense filtered view's page by walking the time index; each shortcut must give the
answer the full test and the sorted path give.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from filter_library import NOW, filter_library
from tuireader.config.settings import Settings
from tuireader.domain.killfile import IgnoreRule
from tuireader.domain.models import Source, SourceKind, Story
from tuireader.domain.plain_text import story_text
from tuireader.domain.query import StoryQuery
from tuireader.services.library import Library
from tuireader.storage import filter_pages
from tuireader.storage.database import open_database

QUERIES = [
    StoryQuery(),
    StoryQuery(unread=True),
    StoryQuery(expr='title =~ "n"'),
    StoryQuery(expr='unread = "yes"'),
    StoryQuery(expr='title # "kernel" or author = "Bjarne"'),
]


def _titles(library: Library, query: StoryQuery) -> list[str]:
    return [s.title for s in library.page(query, 50)]


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.expr or repr(q.unread))
def test_removed_and_hidden_stories_stay_out(tmp_path: Path, query: StoryQuery) -> None:
    library, _ = filter_library(tmp_path / "views.db")
    before = _titles(library, query)
    assert library.count(query) == len(before) > 0
    beta = next(s for s in library.sources() if s.title == "Beta Blog")
    beta_titles = {s.title for s in library.page(replace(query, source_ids=(beta.id,)), 50)}
    library.remove_source(beta)
    after = _titles(library, query)
    assert after == [t for t in before if t not in beta_titles]
    assert library.count(query) == len(after)

    rules = (IgnoreRule(query='title =~ "Linux"'),)
    settings = replace(library.settings, ignore=rules)
    hiding = Library(library.connection, settings, clock=NOW.timestamp)
    hiding.apply_killfile()
    hidden = [t for t in after if "Linux" not in t]
    assert _titles(hiding, query) == hidden
    assert hiding.count(query) == len(hidden)


def _corpus(path: Path, stories: int, bodies: bool = False) -> Library:
    conn, _ = open_database(path)
    library = Library(conn, Settings(), clock=lambda: 2_000_000_000.0)
    source, _ = library.add_source(Source(url="http://walk.example/", kind=SourceKind.FEED))
    made = []
    for n in range(stories):
        title = f"story {n} " + ("dense " if n % 2 else "") + ("sparse" if n % 97 == 0 else "")
        content = f"<p>The text of {title}</p>" if bodies else ""
        made.append(Story(key=str(n), title=title, content=content, published=None))
    library.store(source, [(s, story_text(s.title, "", s.content_type)) for s in made], 0)
    # equal times across many stories: the id breaks the tie the same way on both paths
    conn.execute("UPDATE stories SET sort_time = 1000 + id / 7")
    conn.commit()
    return library


@pytest.mark.parametrize("expr", ['title # "dense"', 'title # "sparse"', 'title # "story"'])
def test_walking_the_time_index_gives_the_sorted_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, expr: str
) -> None:
    library = _corpus(tmp_path / "walk.db", 600)
    query = StoryQuery(expr=expr)

    def pages() -> list[list[int]]:
        total = library.count(query)  # the count first, as the app asks: it picks the path
        return [[s.id for s in library.page(query, 25, start)] for start in range(0, total, 25)]

    monkeypatch.setattr(filter_pages, "_WALK_ROWS", 0)  # never walk: sort every match
    sorted_pages = pages()
    monkeypatch.setattr(filter_pages, "_WALK_ROWS", 10**9)  # always walk
    assert pages() == sorted_pages
    flat = [i for page in sorted_pages for i in page]
    assert flat and len(flat) == len(set(flat)) == library.count(query)


def test_a_scan_of_every_body_reads_the_store_mapped_with_the_same_answer(
    tmp_path: Path,
) -> None:
    library = _corpus(tmp_path / "mapped.db", 300, bodies=True)
    conn = library.connection

    def mapped() -> int:
        return int(conn.execute("PRAGMA mmap_size").fetchone()[0])

    body = StoryQuery(expr='content =~ "sparse"')  # bodies: the stories' text
    titles = StoryQuery(expr='title =~ "sparse"')
    library.count(titles)
    assert mapped() == 0  # a title test reads no body: nothing is mapped
    unmapped = [s.id for s in library.page(body, 50)]
    assert mapped() == filter_pages.MAP_BYTES
    library.connection.execute("PRAGMA mmap_size = 0")
    assert unmapped == [s.id for s in library.page(body, 50)]  # the answer mapped or not
    assert len(unmapped) == library.count(titles) == 4  # stories 0, 97, 194, 291


def test_a_story_starred_after_a_rule_hid_it_is_shown(tmp_path: Path) -> None:
    library, _ = filter_library(tmp_path / "starred.db")
    rules = (IgnoreRule(query='title =~ "Linux"'),)
    hiding = Library(
        library.connection, replace(library.settings, ignore=rules), clock=NOW.timestamp
    )
    hiding.apply_killfile()
    every = StoryQuery()
    titles = _titles(hiding, every)
    hidden = [s for s in hiding.ignored(50)]
    assert hidden and all("Linux" not in t for t in titles)
    story, _ = hidden[0]
    assert story.id is not None and not story.starred
    hiding.mark([story.id], starred=True)  # as `tuireader mark ID --star` does
    assert story.title in _titles(hiding, every)
    assert story.title in _titles(hiding, StoryQuery(starred=True))
    assert hiding.count(every) == len(titles) + 1
    hiding.apply_killfile()  # the rules asked again: still shown
    assert story.title in _titles(hiding, every)
