"""The footer, showing only the keys that fit whole: never a description cut mid-word.

Textual's footer rebuilds all its keys (twenty-odd widgets, styled and laid out again) on
every "bindings updated" signal, and a focus change sends several: opening a story rebuilt it
about a dozen times for a footer that looked the same. This one rebuilds once per refresh at
most, and only when what it shows changed."""

from __future__ import annotations

from rich.cells import cell_len
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


def key_width(key: FooterKey) -> int:
    """Columns a footer key takes, from its text (so a hidden key can be measured too)."""
    return cell_len(key.render().plain) + key.styles.gutter.width + key.styles.margin.width


class FittedFooter(Footer):
    """Keys in their declared order, up to the first that would not fit beside the palette
    key; the rest are left out (the help screen and the palette list every command)."""

    def __init__(self) -> None:
        super().__init__()
        self._pending = False
        self._shown: tuple[object, ...] | None = None
        """What the keys were last built from (see :meth:`_shows`)."""

    def bindings_changed(self, screen: Screen[object]) -> None:
        self._bindings_ready = True  # what Footer.compose waits for
        if not screen.app.app_focus or self._pending:
            return
        if self.is_attached and screen is self.screen:
            self._pending = True
            self.call_after_refresh(self._rebuild_if_changed)

    def _shows(self) -> tuple[object, ...]:
        """Everything the keys are built from."""
        return (
            self.compact,
            tuple(
                (b.key, b.action, b.description, b.group, enabled, tooltip)
                for _, b, enabled, tooltip in self.screen.active_bindings.values()
                if b.show
            ),
        )

    async def _rebuild_if_changed(self) -> None:
        self._pending = False
        shows = self._shows()
        if shows != self._shown:
            self._shown = shows
            await self.recompose()

    async def recompose(self) -> None:
        await super().recompose()
        self.fit()

    def on_resize(self) -> None:
        self.fit()

    def fit(self) -> None:
        """Show the keys that fit whole; hide the others."""
        keys = list(self.query_children(FooterKey))
        fixed = [k for k in keys if k.has_class("-command-palette")]
        room = self.size.width - sum(key_width(k) for k in fixed)
        used = 0
        fits = True
        for key in keys:
            if key in fixed:
                continue
            width = key_width(key)
            fits = fits and used + width <= room
            key.display = fits
            if fits:
                used += width
