"""The smallest Textual app that paints one line: app_bench.py's baseline for start-up.

    python benchmarks/minimal_app.py     # paints MARKER, quits on q

Run with the same interpreter (and so the same Textual) as tuireader.
"""

from textual.app import App, ComposeResult
from textual.widgets import Static

MARKER = "minimal-app-painted"


class Minimal(App[None]):
    BINDINGS = [("q", "quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Static(MARKER)


if __name__ == "__main__":
    Minimal().run()
