"""The nouns of the reader: sources, stories and their state."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class SourceKind(StrEnum):
    """Where a source's stories come from."""

    FEED = "feed"
    """An http(s) feed URL."""
    LOCAL = "local"
    """A file or folder on disk."""
    SAVED = "saved"
    """The read-later inbox: pages and files saved one at a time."""
    ACCOUNT = "account"
    """A subscription of a sync account: its stories come from the account's server."""
    COMMAND = "command"
    """A feed a command prints (``exec:CMD``) or a fetched feed piped through one
    (``filter:CMD:URL``), newsboat's way of writing them; run without a shell."""


class ContentType(StrEnum):
    """How a story's ``content`` is written."""

    HTML = "html"
    TEXT = "text"
    MARKDOWN = "markdown"


class FetchStatus(StrEnum):
    """The status a fetch that went well leaves on a source (``Source.status``) or on a
    story's page (``Story.full_text_status``); any other status is a failure's one-line reason.
    """

    OK = "ok"
    NOT_MODIFIED = "not modified"
    """The server answered 304: what is stored is still current."""
    UNCHANGED = "unchanged"
    """A local source's files are as they were at the last load."""


def fetch_failed(status: str) -> bool:
    """Whether a stored status is a failure's reason (``""``: not fetched yet)."""
    return bool(status) and status not in frozenset(FetchStatus)


@dataclass(frozen=True, slots=True)
class SourceOptions:
    """What the user set on one source (``tuireader source set``, the app's source settings);
    ``None``: as the config says (its ``[sources]`` entry, then the global defaults)."""

    refresh_interval: int | None = None
    """Minutes between fetches: a refresh of everything skips the source until it is due."""
    user_agent: str | None = None
    """The User-Agent sent to this source's server instead of tuireader's."""
    auth_user: str | None = None
    """The user name for HTTP basic auth."""
    password_command: str | None = None
    """A command (run without a shell) whose first output line is the basic-auth password."""
    cookies_file: str | None = None
    """A Netscape ``cookies.txt`` file sent with each request and updated from the answers
    (as newsboat's ``cookie-cache``)."""
    max_stories: int | None = None
    """Keep at most this many read, unstarred stories (0: no limit)."""
    max_age_days: int | None = None
    """Drop read, unstarred stories older than this many days (0: no limit)."""
    full_text: str | None = None
    """Fetch each story's page: "always", "never" or "auto"."""


@dataclass(frozen=True, slots=True)
class SourceSettings:
    """A source's settings in effect: its own options over the config's; ``None`` for the
    limits means no limit."""

    max_stories: int | None = None
    """Keep at most this many read, unstarred stories."""
    max_age_days: int | None = None
    """Drop read, unstarred stories older than this."""
    full_text: str = "auto"
    """Fetch the article page: "always", "never" or "auto"."""
    refresh_interval: int | None = None
    """Minutes between fetches (``None``: every refresh)."""
    user_agent: str = ""
    """Empty: tuireader's own."""
    auth_user: str = ""
    password_command: str = ""
    cookies_file: str = ""


@dataclass(slots=True)
class Source:
    """A subscription: a feed URL or a local path."""

    url: str
    """For a feed, its http(s) URL; for a local source, an absolute path."""
    kind: SourceKind
    title: str = ""
    folder: str = ""
    tags: tuple[str, ...] = ()
    settings: SourceSettings = field(default_factory=SourceSettings)
    """The settings in effect (the library fills them in from ``options`` and the config)."""
    options: SourceOptions = field(default_factory=SourceOptions)
    """What the user set on this source (stored with it)."""
    id: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    fingerprint: str | None = None
    """For a local source: what the files looked like when last loaded."""
    fetched_at: datetime | None = None
    status: str = ""
    """A :class:`FetchStatus`, or a one-line reason for the last failure."""
    retry_after: datetime | None = None
    unread: int = 0
    total: int = 0
    account: str = ""
    """The sync account it belongs to (kind ``account``), else empty."""
    remote_id: str = ""
    """The account's server's id for the feed."""
    moved_to: str = ""
    """Where the last fetch was permanently redirected (301/308), until the user adopts it."""

    @property
    def name(self) -> str:
        """What to call the source on screen."""
        return self.title or self.url

    @property
    def label(self) -> str:
        """The source named unambiguously, for failure lines: its title and its URL (two
        sources can share a title)."""
        return f"{self.title} <{self.url}>" if self.title and self.title != self.url else self.url


@dataclass(frozen=True, slots=True)
class Enclosure:
    """A media file attached to a story (podcast audio, image, ...)."""

    url: str
    type: str = ""
    length: int | None = None


@dataclass(slots=True)
class Story:
    """One story, as parsed from a feed or a file, or as stored."""

    key: str
    """Stable id within the source (see :func:`tuireader.domain.ids.story_key`)."""
    title: str
    link: str = ""
    author: str = ""
    published: datetime | None = None
    updated: datetime | None = None
    summary: str = ""
    content: str = ""
    content_type: ContentType = ContentType.HTML
    categories: tuple[str, ...] = ()
    enclosures: tuple[Enclosure, ...] = ()
    related: tuple[str, ...] = ()
    """Headlines a page lists under "Related", in its order."""
    ranking: tuple[str, ...] = ()
    """Headlines a page lists under "Ranking", in its order."""
    recommendation: tuple[str, ...] = ()
    """Headlines a page lists under "Recommendation", in its order."""
    popularity: int | None = None
    """A figure the page gives for popularity (likes, points, comments)."""
    id: int | None = None
    source_id: int | None = None
    source_title: str = ""
    read: bool = False
    starred: bool = False
    read_at: datetime | None = None
    first_seen: datetime | None = None
    """When the library first stored the story: the time an undated story goes by."""
    cluster_sources: int = 0
    """In a collapsed view: how many other sources carry the same event."""
    full_text: str = ""
    """The article's text fetched from its page (Markdown), when there is one."""
    full_text_status: str = ""
    """A :class:`FetchStatus`, or a one-line reason the page could not be used."""

    @property
    def dated(self) -> datetime | None:
        """The date the story gives itself (published, else updated), if any."""
        return self.published or self.updated

    @property
    def body(self) -> str:
        """The fullest text the story carries."""
        return self.content or self.summary


@dataclass(slots=True)
class ParsedFeed:
    """What a parser or loader returns for one document."""

    title: str = ""
    link: str = ""
    stories: list[Story] = field(default_factory=list)
    feeds: list[Source] = field(default_factory=list)
    """Subscriptions a document lists (OPML)."""
    problem: str = ""
    """Set when the document was damaged but some stories were kept
    ("truncated or malformed: kept 2 items"): stored, but reported as a failure."""


@dataclass(frozen=True, slots=True)
class StoryText:
    """A stored story's text, as indexing reads it (see
    :func:`tuireader.domain.plain_text.story_text`)."""

    id: int
    key: str
    title: str
    text: str
    categories: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class StoreCounts:
    """What storing a fetch's stories did."""

    new: int = 0
    changed: int = 0
    unchanged: int = 0
    touched: tuple[StoryText, ...] = ()
    """Every new or changed story, for discovery to index."""
