"""What the line-drawn lists (headlines, sidebar) share."""

from __future__ import annotations

from textual.geometry import Region
from textual.scroll_view import ScrollView


def follow_cursor(view: ScrollView, old: int, new: int) -> None:
    """Scroll just enough to keep row ``new`` in view; repaint the two rows that changed."""
    height = view.scrollable_content_region.height or 1
    top = int(view.scroll_offset.y)
    if new < top:
        view.scroll_to(y=new, animate=False)
    elif new >= top + height:
        view.scroll_to(y=new - height + 1, animate=False)
    top = int(view.scroll_offset.y)
    for index in (old, new):
        y = index - top
        if 0 <= y < view.size.height:
            view.refresh(Region(0, y, view.size.width, 1))
