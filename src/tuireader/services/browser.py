"""Opening links in the user's browser: http(s) only, the URL as one argument."""

from __future__ import annotations

import shlex
import subprocess
import webbrowser

from tuireader.domain.text import safe_link


def open_link(url: str, command: str = "") -> str | None:
    """Open ``url``; returns a one-line reason when it was not opened."""
    link = safe_link(url)
    if not link:
        return "only http(s) links are opened"
    if command:
        try:
            argv = [*shlex.split(command), link]
            subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        except (OSError, ValueError) as exc:
            return f"cannot run browser {command!r}: {exc}"
        return None
    try:
        opened = webbrowser.open(link)
    except webbrowser.Error as exc:
        return f"cannot open a browser: {exc}"
    return None if opened else "no browser found (set general.browser in the config)"
