"""The command-line grammar."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any


class _Version(argparse.Action):
    """``--version``, reading the version only when asked."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        import tuireader

        parser.exit(message=f"tuireader {tuireader.__version__}\n")


def build_parser() -> argparse.ArgumentParser:
    """Every command with its options and help."""
    parser = argparse.ArgumentParser(
        prog="tuireader",
        description="A fast, offline-first terminal news reader. With no command, opens the app.",
        epilog="Exit codes: 0 ok, 1 some sources failed, 2 usage error.",
    )
    parser.add_argument("--version", action=_Version, nargs=0, help="print the version and exit")
    parser.add_argument("--data-dir", help="where the database lives (or $TUIREADER_DATA_DIR)")
    parser.add_argument("--config-dir", help="where config.toml lives (or $TUIREADER_CONFIG_DIR)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    add = sub.add_parser(
        "add",
        help="subscribe to a feed URL or a command feed (exec:CMD, filter:CMD:URL), or add a"
        " local file or folder",
    )
    add.add_argument("ref", metavar="URL|PATH")
    add.add_argument("--folder", default="", help="put the source in this folder")
    add.add_argument("--title", default="", help="a title for the source")
    add.add_argument("--no-fetch", action="store_true", help="do not fetch or load it now")
    add.add_argument(
        "--account",
        default="",
        metavar="NAME",
        help="subscribe on this sync account's server (sent by its next sync)",
    )

    save = sub.add_parser(
        "save",
        help="keep a web page or a local file (HTML, Markdown, text,"
        " PDF) in the Saved view, readable offline",
    )
    save.add_argument("ref", metavar="URL|PATH")

    sub.add_parser(
        "samples",
        help="bring back the bundled sample library (a first run shows it until you add a"
        " source of your own)",
    )

    remove = sub.add_parser("remove", help="unsubscribe from a source and drop its stories")
    remove.add_argument("source", metavar="SOURCE", help="id, URL, path or title")

    sources = sub.add_parser("sources", help="list sources with unread counts and last status")
    sources.add_argument("--json", action="store_true", help="print JSON")

    sync = sub.add_parser("sync", help="sync accounts (servers and shared folders)")
    sync.add_argument("account", nargs="?", metavar="ACCOUNT", help="one account (default: all)")
    sync.add_argument("--json", action="store_true", help="print JSON")

    refresh = sub.add_parser("refresh", help="fetch feeds and reload local sources")
    refresh.add_argument("sources", nargs="*", metavar="SOURCE", help="id, URL, path or title")
    refresh.add_argument("--quiet", "-q", action="store_true", help="print only failures")
    refresh.add_argument(
        "--force", action="store_true", help="fetch every source, due or not (refresh_interval)"
    )

    # per-source settings and feed health (issue 13)
    source = sub.add_parser("source", help="show or change one source's settings, or fix its URL")
    src = source.add_subparsers(dest="source_command", metavar="ACTION", required=True)
    src_show = src.add_parser("show", help="a source's settings, and where each comes from")
    src_show.add_argument("source", metavar="SOURCE", help="id, URL, path or title")
    src_show.add_argument("--json", action="store_true", help="print JSON")
    src_set = src.add_parser(
        "set",
        help="set a source's settings: refresh_interval, user_agent, auth_user,"
        " password_command, cookies_file, max_stories, max_age_days, full_text (key= clears)",
    )
    src_set.add_argument("source", metavar="SOURCE", help="id, URL, path or title")
    src_set.add_argument("assignments", nargs="+", metavar="KEY=VALUE")
    src_fix = src.add_parser(
        "fix", help="adopt the URL a source permanently redirects to, or move it to https"
    )
    src_fix.add_argument("source", metavar="SOURCE", help="id, URL, path or title")
    health = sub.add_parser(
        "health", help="each source's last success and error, error streak, 304s, stories/week"
    )
    health.add_argument("--json", action="store_true", help="print JSON")

    sub.add_parser(
        "index",
        help="embed stories by meaning now (refresh starts this in the background;"
        " TUIREADER_INDEX=wait makes refresh do it before it exits)",
    )

    lst = sub.add_parser("list", help="list stories, newest first")
    lst.add_argument("--unread", action="store_true", help="only unread stories")
    lst.add_argument("--starred", action="store_true", help="only starred stories")
    lst.add_argument(
        "--source", action="append", default=[], metavar="S", help="only this source (repeatable)"
    )
    lst.add_argument("--search", default="", metavar="Q", help="full-text search")
    lst.add_argument(
        "--query",
        default=None,
        metavar="EXPR",
        help="a filter expression, e.g. 'title =~ \"linux\" and age < 7' (see README)",
    )
    lst.add_argument(
        "--ignored", action="store_true", help="the stories killfile rules caught, and which rule"
    )
    lst.add_argument("--limit", type=int, default=50, metavar="N", help="at most N (default 50)")
    lst.add_argument("--json", action="store_true", help="print JSON")

    show = sub.add_parser("show", help="print a story as reader text")
    show.add_argument("id", type=int, metavar="ID")
    show.add_argument("--json", action="store_true", help="print JSON")
    show.add_argument(
        "--format",
        choices=("md", "html", "txt"),
        default=None,
        help="print the story as Markdown, HTML or plain text (for saving)",
    )

    # acting on stories (issue 13) ------------------------------------------------------
    show.add_argument(
        "--pipe",
        metavar="CMD",
        help="send the story as Markdown to CMD's stdin instead (split like a shell line,"
        " run without one)",
    )
    show.add_argument(
        "--pipe-url", action="store_true", help="with --pipe: send the story's link instead"
    )
    enclosures = sub.add_parser("enclosures", help="list a story's enclosures (audio, video…)")
    enclosures.add_argument("id", type=int, metavar="ID")
    enclosures.add_argument("--json", action="store_true", help="print JSON")
    download = sub.add_parser(
        "download",
        help="download a story's enclosure N (default: all) into actions.download_dir,"
        " resuming a partial one",
    )
    download.add_argument("id", type=int, metavar="ID")
    download.add_argument("n", type=int, nargs="?", metavar="N")

    mark = sub.add_parser("mark", help="mark stories read, unread, starred or unstarred")
    mark.add_argument("ids", type=int, nargs="+", metavar="ID")
    state = mark.add_mutually_exclusive_group(required=True)
    for flag in ("read", "unread", "star", "unstar"):
        state.add_argument(f"--{flag}", action="store_const", const=flag, dest="state")

    imp = sub.add_parser(
        "import",
        help="subscribe to the feeds in an OPML file, or bring a newsboat setup over"
        " (--from newsboat)",
    )
    imp.add_argument(
        "file",
        nargs="?",
        metavar="FILE|DIR",
        help="the OPML file; with --from newsboat, newsboat's folder or one of its files"
        " (default: where newsboat looks, ~/.newsboat or $XDG_CONFIG_HOME/newsboat)",
    )
    imp.add_argument(
        "--from",
        dest="origin",
        choices=("opml", "newsboat"),
        default="opml",
        help="newsboat: its urls (or OPML export), config and cache.db, read state included",
    )

    exp = sub.add_parser("export", help="write subscriptions as OPML 2.0 (stdout by default)")
    exp.add_argument("file", nargs="?", metavar="FILE|DIR")
    exp.add_argument(
        "--to",
        dest="target",
        choices=("opml", "newsboat"),
        default="opml",
        help="newsboat: write DIR/urls and DIR/read-articles (for `newsboat -I`)",
    )

    related = sub.add_parser("related", help="stories most like one story (computed locally)")
    related.add_argument("id", type=int, metavar="ID")
    related.add_argument("--limit", type=int, default=8, metavar="N")
    related.add_argument("--json", action="store_true", help="print JSON")
    trending = sub.add_parser("trending", help="recent events ranked by coverage and popularity")
    trending.add_argument("--limit", type=int, default=20, metavar="N")
    trending.add_argument("--json", action="store_true", help="print JSON")
    recommend = sub.add_parser("recommend", help="unread stories like the ones you read")
    recommend.add_argument("--limit", type=int, default=20, metavar="N")
    recommend.add_argument("--json", action="store_true", help="print JSON")
    clusters = sub.add_parser("clusters", help="stories from several sources about one event")
    clusters.add_argument(
        "--days", type=int, default=7, metavar="D", help="look back D days (default 7)"
    )
    clusters.add_argument("--json", action="store_true", help="print JSON")

    account = sub.add_parser(
        "account", help="add, list or remove sync accounts (see `tuireader sync`)"
    )
    acc = account.add_subparsers(dest="account_command", metavar="ACTION", required=True)
    # no abbreviations: `--password X` must not pass as `--password-command X`
    acc_add = acc.add_parser(
        "add", help="append an [accounts.NAME] table to the config file", allow_abbrev=False
    )
    acc_add.add_argument("name", metavar="NAME")
    acc_add.add_argument(
        "--type",
        required=True,
        choices=("greader", "fever", "ttrss", "miniflux", "nextcloud", "folder"),
        help="the API the server speaks, or folder (a shared folder, no server)",
    )
    where = acc_add.add_mutually_exclusive_group(required=True)
    where.add_argument("--url", help="the server's address (server types)")
    where.add_argument("--path", metavar="DIR", help="the shared folder (folder type)")
    acc_add.add_argument("--user", default="", metavar="U", help="the user name on the server")
    acc_add.add_argument(
        "--password-command",
        default="",
        metavar="CMD",
        help="a command printing the password on its first line (run without a shell);"
        " without it, the system keyring is asked (there is no --password)",
    )
    acc_list = acc.add_parser("list", help="each account and where its secret comes from")
    acc_list.add_argument("--json", action="store_true", help="print JSON")
    acc_remove = acc.add_parser("remove", help="remove an [accounts.NAME] table from the config")
    acc_remove.add_argument("name", metavar="NAME")

    sub.add_parser("locate", help="print the config, data, cache and log paths")
    sub.add_parser(
        "doctor", help="check each component (extraction, PDF, images, database, config, dirs)"
    )
    sub.add_parser("vacuum", help="delete removed sources for good and compact the database")
    sub.add_parser("undo", help="undo the last bulk action (mark all read, remove a source)")
    config = sub.add_parser("config", help="print a commented config template")
    config.add_argument(
        "--write", action="store_true", help="write the template to the config path if none exists"
    )
    return parser
