"""One ``fit`` for the screen and the CLI: exactly N terminal cells, by Rich's cell widths."""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from tuireader.cli import output
from tuireader.domain.models import Story
from tuireader.ui.text import fit

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # one emoji cluster, two cells
CJK = "東京の新しい駅が開業 🚆 emoji and CJK"


@pytest.mark.parametrize(
    ("text", "columns", "fitted"),
    [
        ("abc", 5, "abc  "),
        ("abcdef", 3, "ab…"),
        ("abc", 1, "…"),
        ("ab東京", 4, "ab… "),  # 東 would straddle the … : left out, the row padded
        ("ab東京", 5, "ab東…"),
        (CJK, 8, "東京の… "),
        (CJK, 9, "東京の新…"),
        (CJK, 27, "東京の新しい駅が開業 🚆 em…"),
        (FAMILY + " family", 4, FAMILY + " …"),  # the cluster is never split
        ("[bold]x\x1b[31m", 9, "[bold]x  "),  # markup kept, escape sequence dropped
    ],
)
def test_fit(text: str, columns: int, fitted: str) -> None:
    assert fit(text, columns) == fitted
    assert cell_len(fitted) == columns


def test_every_width_is_exact() -> None:
    for text in (CJK, FAMILY * 3 + "x", "a東b京c🚆d"):
        for columns in range(1, cell_len(text) + 3):
            assert cell_len(fit(text, columns)) == columns, (text, columns)


def test_the_cli_fits_as_the_screen_does() -> None:
    # the source column of `tuireader list` is 18 cells whatever the script
    for source in ("Harbor Gazette", "東京新聞デジタル版ニュース", FAMILY * 9 + "🚆"):
        line = output.story_line(Story(key="k", title="T", id=7, source_title=source))
        assert cell_len(line.split(" T  ")[0]) == len("     7 N  ") + 18, source
    assert output.fit is fit
