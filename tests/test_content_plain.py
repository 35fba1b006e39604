"""Plain text for search indexing."""

from __future__ import annotations

import pytest

from tuireader.domain.models import ContentType
from tuireader.domain.plain_text import plain_text

HTML = ContentType.HTML


def test_html_tags_go_and_blocks_keep_words_apart() -> None:
    html = "<h1>Title</h1><p>One <b>bold</b>word</p><ul><li>a</li><li>b</li></ul><p>x<br>y</p>"
    assert plain_text(html, HTML) == "Title One boldword a b x y"


def test_html_scripts_styles_and_comments_go() -> None:
    html = (
        "<p>keep</p><script>var SECRET = '<p>';</script><style>p { SECRET }</style>"
        "<!-- SECRET --><noscript>SECRET</noscript><svg><text>SECRET</text></svg><p>too</p>"
    )
    assert plain_text(html, HTML) == "keep too"


def test_entities_decoded_and_quoted_angle_brackets_handled() -> None:
    html = '<p title="a > b">Fish &amp; chips &lt;3 &#x263A;</p>'
    assert plain_text(html, HTML) == "Fish & chips <3 ☺"


@pytest.mark.parametrize(
    "hostile",
    [
        "<p>unclosed <b>bold",
        "<<<>>> <a <b <c",
        "<script>never closed",
        "<!-- never closed",
        "<div>" * 5000 + "deep",
        "<?xml version='1.0' encoding='utf-8'?><p>declared</p>",
        "&#0;&#x110000;&#xD800;&bogus;&",
        '<a href="x>' * 1000,
        "\x00\x01\x1b[2J\u202e\u2066text\x9b",
        "",
    ],
)
def test_hostile_html_never_raises_and_is_clean(hostile: str) -> None:
    text = plain_text(hostile, HTML)
    assert "\n" not in text
    assert not any(ch in text for ch in "\x00\x01\x1b\u202e\u2066\x9b")
    assert text == text.strip()


def test_entity_cannot_smuggle_controls() -> None:
    assert plain_text("a&#x202e;b&#27;c", HTML) == "abc"


def test_markdown_loses_targets_and_marks() -> None:
    source = (
        "# Title\n\nSee [the docs](https://x.org/a) and ![pic](p.png) *now*.\n\n"
        "[r]: https://r.org\n- item `snake_case` __init__"
    )
    assert plain_text(source, ContentType.MARKDOWN) == (
        "Title See the docs and pic now. item snake_case init"
    )


def test_text_is_folded_and_cleaned() -> None:
    assert plain_text("  a\n\n b\tc\x07 <b>kept</b> ", ContentType.TEXT) == "a b c <b>kept</b>"
