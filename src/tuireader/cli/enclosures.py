"""``tuireader enclosures ID``, ``tuireader download ID [N]`` and ``show ID --pipe CMD``."""

from __future__ import annotations

import argparse
import asyncio
import sys

from tuireader.app import Context
from tuireader.cli.output import ProgressBar, print_json
from tuireader.domain.downloads import Download, DownloadState, size_line
from tuireader.domain.errors import UsageError
from tuireader.domain.text import clean_line

OK, FAILED = 0, 1


def cmd_enclosures(context: Context, args: argparse.Namespace) -> int:
    """A story's enclosures, numbered, with type, size and download state."""
    story = context.library.story(args.id)
    queue = context.downloads()
    by_url = {d.url: d for d in queue.for_story(args.id)}
    if args.json:
        print_json(
            [
                {
                    "n": n,
                    "url": e.url,
                    "type": e.type,
                    "length": e.length,
                    "download": _download_json(by_url.get(e.url)),
                }
                for n, e in enumerate(story.enclosures, 1)
            ]
        )
        return OK
    if not story.enclosures:
        print(f"Story {args.id} has no enclosures.")
        return OK
    for n, enclosure in enumerate(story.enclosures, 1):
        parts = [clean_line(enclosure.type) or "?", size_line(enclosure.length)]
        download = by_url.get(enclosure.url)
        if download is not None:
            parts.append(_state_line(download))
        info = " · ".join(p for p in parts if p)
        print(f"[{n}] {clean_line(enclosure.url)}  ({info})")
    return OK


def _download_json(download: Download | None) -> dict[str, object] | None:
    if download is None:
        return None
    return {
        "state": download.state.value,
        "path": download.path,
        "received": download.received,
        "total": download.total,
        "error": download.error,
    }


def _state_line(download: Download) -> str:
    if download.state is DownloadState.DONE:
        return f"downloaded: {clean_line(download.path)}"
    if download.state is DownloadState.FAILED:
        return f"download failed: {clean_line(download.error)}"
    fraction = download.fraction
    done = f" {fraction:.0%}" if fraction is not None and download.received else ""
    return f"queued{done}"


def cmd_download(context: Context, args: argparse.Namespace) -> int:
    """Queue a story's enclosure (N, or every one) and fetch it now, with a progress bar;
    an interrupted download resumes from its ``.part`` file."""
    story = context.library.story(args.id)
    if not story.enclosures:
        raise UsageError(f"story {args.id} has no enclosures")
    queue = context.downloads()
    numbers = [args.n] if args.n is not None else list(range(1, len(story.enclosures) + 1))
    wanted = [queue.enqueue(story, n) for n in numbers]
    for download in wanted:
        if download.state is DownloadState.DONE:
            print(f"already downloaded: {clean_line(download.path)}")
    todo = {d.id for d in wanted if d.state is DownloadState.QUEUED}
    if not todo:
        return OK
    bar = ProgressBar(0)

    def moved(download: Download) -> None:
        if download.total and bar.total != download.total:
            bar.total = download.total
            bar.enabled = sys.stderr.isatty()
        if bar.total:
            bar.update(min(download.received, bar.total), download.path.rsplit("/", 1)[-1])

    async def go() -> list[Download]:
        async with context.download_client() as client:
            return await queue.run(client, moved, only=todo)

    try:
        ended = asyncio.run(go())
    finally:
        bar.close()
    code = OK
    for download in ended:
        if download.state is DownloadState.DONE:
            print(f"downloaded: {clean_line(download.path)} ({size_line(download.received)})")
        else:
            code = FAILED
            print(
                f"tuireader: {clean_line(download.url)}: {clean_line(download.error)}",
                file=sys.stderr,
            )
    return code


def pipe_story(context: Context, story_id: int, command: str, url: bool) -> int:
    """``show ID --pipe CMD``: the story (or its link) to the command's stdin; the command's
    output is ours."""
    from tuireader.services.user_commands import pipe, split_command, story_payload

    story = context.library.story(story_id)
    actions = context.settings.actions
    send = "url" if url else actions.pipe_sends
    sys.stdout.flush()
    pipe(
        split_command(command),
        story_payload(story, send),
        timeout=actions.pipe_timeout,
        capture=False,
    )
    return OK
