"""The footer, showing only the keys that fit whole: never a description cut mid-word."""

from __future__ import annotations

from rich.cells import cell_len
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


def key_width(key: FooterKey) -> int:
    """Columns a footer key takes, from its text (so a hidden key can be measured too)."""
    return cell_len(key.render().plain) + key.styles.gutter.width + key.styles.margin.width


class FittedFooter(Footer):
    """Keys in their declared order, up to the first that would not fit beside the palette
    key; the rest are left out (the help screen and the palette list every command)."""

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
