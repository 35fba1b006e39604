"""Reader text: HTML, Markdown and plain-text bodies to Markdown with numbered links."""

from __future__ import annotations

import logging
import re

import pytest

from tuireader.content.html_converter import ReaderConverter
from tuireader.content.reader import DEGRADED_NOTE, render_reader
from tuireader.domain.models import ContentType

HTML = ContentType.HTML
MARKDOWN = ContentType.MARKDOWN
TEXT = ContentType.TEXT
BASE = "https://example.com/posts/1"

# The tail of an inline link or image, a reference definition, an autolink or an HTML tag.
LIVE_MARKUP = re.compile(r"\]\(|\]:|<[A-Za-z/!?]")


def live_markup(markdown: str) -> list[str]:
    """Markdown constructs that would be live outside code (escaped ones excluded)."""
    found = []
    for match in LIVE_MARKUP.finditer(markdown):
        start = match.start()
        if markdown[start - 1 : start] == "\\" or markdown[start + 1 : start + 2] == "\\":
            continue
        if match.group().startswith("]") and markdown[start + 1 : start + 2] == "\\":
            continue
        found.append(match.group())
    return found


def test_links_are_numbered_in_order_and_resolved() -> None:
    html = (
        '<p>See <a href="/a">the first</a>, <a href="https://other.org/b?x=1">second</a> '
        'and <a href="/a">the first again</a>.</p>'
    )
    result = render_reader(html, HTML, BASE)
    assert result.links == ("https://example.com/a", "https://other.org/b?x=1")
    assert "the first [1]" in result.markdown
    assert "second [2]" in result.markdown
    assert "the first again [1]" in result.markdown


def test_non_http_links_are_plain_text() -> None:
    html = (
        '<p><a href="javascript:alert(1)">js</a> <a href="data:text/html,x">data</a> '
        '<a href="mailto:a@b.c">mail</a> <a href="file:///etc/passwd">file</a> '
        '<a href=" JaVaScRiPt:alert(1)">js2</a></p>'
    )
    result = render_reader(html, HTML, BASE)
    assert result.links == ()
    for word in ("js", "data", "mail", "file", "js2"):
        assert word in result.markdown
    assert "[1]" not in result.markdown
    assert "javascript" not in result.markdown.lower()


def test_relative_links_without_a_base_are_not_openable() -> None:
    result = render_reader('<a href="/a">rel</a> <a href="//cdn.org/x">proto</a>', HTML)
    assert result.links == ("https://cdn.org/x",)
    assert result.markdown == "rel proto [1]"


def test_images_become_numbered_placeholders() -> None:
    html = (
        '<p><img src="cat.png" alt="A cat"> <img src="https://img.org/dog.jpg"></p>'
        '<p><img src="data:image/png;base64,AAAA" data-src="/lazy.jpg" alt="Lazy"></p>'
    )
    result = render_reader(html, HTML, BASE)
    assert result.images == (
        "https://example.com/posts/cat.png",
        "https://img.org/dog.jpg",
        "https://example.com/lazy.jpg",
    )
    assert "[image 1: A cat]" in result.markdown
    assert "[image 2]" in result.markdown
    assert "[image 3: Lazy]" in result.markdown
    assert "![" not in result.markdown


def test_linked_image_gets_image_and_link_numbers() -> None:
    html = '<a href="/big.jpg"><img src="/small.jpg" alt="Photo"></a>'
    result = render_reader(html, HTML, BASE)
    assert result.markdown == "[image 1: Photo] [1]"
    assert result.links == ("https://example.com/big.jpg",)


@pytest.mark.parametrize(
    "pixel",
    [
        '<img src="https://ex.org/p.gif" width="1" height="1">',
        '<img src="https://ex.org/p.gif" width="0" height="0" alt="x">',
        '<img src="https://ex.org/p.gif" style="width:1px;height:1px">',
        '<img src="http://feeds.feedburner.com/~r/Blog/~4/abc">',
        '<img src="http://da.feedsportal.com/r/1.gif" alt="ad">',
        '<img src="https://ad.doubleclick.net/x.gif">',
        '<img src="https://pixel.wp.com/b.gif?x=1">',
    ],
)
def test_tracking_pixels_are_dropped(pixel: str) -> None:
    result = render_reader(f"<p>Story text.</p>{pixel}", HTML, BASE)
    assert result.images == ()
    assert result.markdown == "Story text."


@pytest.mark.parametrize(
    "dropped",
    [
        "<script>alert('SECRET')</script>",
        "<style>.SECRET { color: red }</style>",
        '<iframe src="https://ex.org/SECRET">SECRET</iframe>',
        '<form action="/x"><input name="q" value="SECRET"><button>SECRET</button></form>',
        '<object data="x.swf">SECRET</object>',
        '<embed src="SECRET.swf">',
        "<svg><title>SECRET</title><text>SECRET</text></svg>",
        "<noscript>SECRET</noscript>",
        '<div hidden>SECRET</div><p style="display: none">SECRET</p>',
        "<!-- SECRET -->",
    ],
)
def test_active_and_hidden_content_is_dropped(dropped: str) -> None:
    result = render_reader(f"<p>Before</p>{dropped}<p>After</p>", HTML, BASE)
    assert "SECRET" not in result.markdown
    assert result.markdown == "Before\n\nAfter"
    assert result.links == ()


def test_text_after_void_embeds_survives() -> None:
    html = (
        '<p>A</p><embed src="x.swf"><p>B</p><video src="/v.mp4"><track src="t.vtt"></video><p>C</p>'
    )
    result = render_reader(html, HTML, BASE)
    assert result.markdown == "A\n\nB\n\n[video] [1]\n\nC"
    assert result.links == ("https://example.com/v.mp4",)


def test_structure_survives() -> None:
    html = """
    <h2>Heading</h2>
    <p>Text with <strong>bold</strong> and <em>emphasis</em>.</p>
    <ul><li>one</li><li>two<ul><li>nested</li></ul></li></ul>
    <ol><li>first</li><li>second</li></ol>
    <blockquote><p>Quoted words</p></blockquote>
    <pre><code class="language-python">def f(x):
        return x * 2</code></pre>
    <p>Inline <code>x = y[0]</code> code.</p>
    <table><tr><th>Name</th><th>Value</th></tr><tr><td>a|b</td><td>2</td></tr></table>
    """
    md = render_reader(html, HTML, BASE).markdown
    assert "## Heading" in md
    assert "**bold**" in md and "*emphasis*" in md
    assert "- one\n- two\n  - nested" in md
    assert "1. first\n2. second" in md
    assert "> Quoted words" in md
    assert "```python\ndef f(x):\n        return x * 2\n```" in md
    assert "`x = y[0]`" in md
    assert "| Name | Value |" in md
    assert "| a\\|b | 2 |" in md


def test_code_block_cannot_be_closed_by_its_content() -> None:
    html = "<pre>before\n```\n<b>still code</b> [x](javascript:y)\n```</pre><p>after</p>"
    md = render_reader(html, HTML, BASE).markdown
    assert md.startswith("````\nbefore\n```\nstill code [x](javascript:y)\n```\n````")
    assert md.endswith("after")


def test_text_that_looks_like_markup_stays_text() -> None:
    html = (
        "<p>&lt;script&gt;alert(1)&lt;/script&gt; [a](javascript:alert(1)) "
        "[b]<span>(javascript:alert(2))</span> &lt;javascript:alert(3)&gt; "
        "![i](http://x/i.png) `tick` *star* __init__ snake_case</p>"
    )
    result = render_reader(html, HTML, BASE)
    assert result.links == ()
    assert result.images == ()
    assert live_markup(result.markdown) == []
    assert "snake_case" in result.markdown  # words keep their underscores unescaped


def test_link_marker_cannot_become_a_link() -> None:
    html = '<a href="https://ok.org/">ok</a>(javascript:alert(1)) <a href="/x">x</a>: evil'
    result = render_reader(html, HTML, BASE)
    assert live_markup(result.markdown) == []
    assert result.links == ("https://ok.org/", "https://example.com/x")


def test_control_characters_and_bidi_overrides_are_removed() -> None:
    html = "<p>a\x07b\x1b[31mc\u202ed&#x202e;e\x9bf\u2066g</p><a href='https://x.org/\u202e'>l</a>"
    result = render_reader(html, HTML, BASE)
    # escape sequences go whole: "\x1b[31m" leaves no "[31m", "\x9b" (CSI) takes its final "f"
    assert result.markdown.startswith("abcdeg")
    for bad in ("\x07", "\x1b", "\u202e", "\x9b", "\u2066"):
        assert bad not in result.markdown
        assert all(bad not in link for link in result.links)


def test_blank_lines_are_collapsed() -> None:
    html = "<p>a</p><br><br><br><p></p><div>\n\n\n</div><p>b</p>"
    md = render_reader(html, HTML, BASE).markdown
    assert "\n\n\n" not in md
    assert md.startswith("a") and md.endswith("b")


@pytest.mark.parametrize(
    ("broken", "words"),
    [
        ("<p>unclosed <b>bold <i>both", "unclosed **bold *both***"),
        ("</div></p>stray closers<td>cell", "stray closers cell"),
        ("<a href='http://[bad'>bad url</a>", "bad url"),
        ("<<<>>>&&&;;;<a <b <c", "<<<>>>&&&;;;"),
        ("<?xml version='1.0' encoding='utf-8'?><p>declared</p>", "declared"),
        ("<![CDATA[cdata]]><!DOCTYPE html><p>ok</p>", "ok"),
        ("\x00\x01<p>\x00nul</p>", "nul"),
        ('<img srcset=", ,"><img data-srcset="  " src="/s.png" alt="s"><p>after</p>', "after"),
        ("", ""),
        ("   ", ""),
        ("<soup>tag named like a method</soup><html>and html</html>", "and html"),
    ],
)
def test_broken_html_does_not_raise(broken: str, words: str) -> None:
    # The converter itself copes with these: none of them may fall back to plain text.
    result = render_reader(broken, HTML, BASE)
    assert not result.degraded
    assert DEGRADED_NOTE not in result.markdown
    assert words in result.markdown
    assert "\x00" not in result.markdown


def test_html_nested_too_deep_falls_back_to_plain_text_and_says_so(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.ERROR, logger="tuireader.content.reader"):
        result = render_reader("<div>" * 3000 + 'deep <a href="/x">link</a>', HTML, BASE)
    assert result.degraded
    assert result.markdown.startswith(DEGRADED_NOTE + "\n\n")
    assert result.markdown.endswith("deep link")
    [record] = caplog.records
    assert record.exc_info is not None and record.exc_info[0] is RecursionError


def test_a_degraded_body_is_never_empty() -> None:
    result = render_reader("<div>" * 3000, HTML, BASE)
    assert result.degraded
    assert result.markdown == DEGRADED_NOTE


def test_a_fault_in_the_converter_is_not_swallowed(monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(self: ReaderConverter, html: str) -> str:
        raise TypeError("a bug of ours")

    monkeypatch.setattr(ReaderConverter, "render", crash)
    with pytest.raises(TypeError, match="a bug of ours"):
        render_reader("<p>A normal story.</p>", HTML, BASE)


def test_the_converter_not_the_fallback_renders_a_normal_story(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []
    original = ReaderConverter.render

    def spy(self: ReaderConverter, html: str) -> str:
        calls.append(html)
        return original(self, html)

    monkeypatch.setattr(ReaderConverter, "render", spy)
    html = "<h2>News</h2><p>A <b>normal</b> story with <a href='/more'>a link</a>.</p>"
    result = render_reader(html, HTML, BASE)
    assert len(calls) == 1
    assert not result.degraded
    assert result.markdown == "## News\n\nA **normal** story with a link [1]."
    assert result.links == ("https://example.com/more",)


def test_markdown_input_keeps_shape_and_numbers_links() -> None:
    source = (
        "# Title\n\n"
        'See [the site](https://a.org/x "title") and [rel](/y) and [bad](javascript:alert(1)).\n'
        "A ![diagram](img/d.png) and a [ref][r] and <https://auto.org>.\n\n"
        "- item *one*\n- item two\n\n"
        "```\n[not a link](https://code.org) <b>code</b>\n```\n\n"
        "[r]: https://ref.org/\n"
    )
    result = render_reader(source, MARKDOWN, "https://base.org/dir/")
    md = result.markdown
    assert md.startswith("# Title\n\n")
    assert "the site [1]" in md
    assert "rel [2]" in md
    assert "and bad.\n" in md  # the javascript: link is left as its text, unnumbered
    assert "[image 1: diagram]" in md
    assert "ref [3]" in md
    assert "https://auto.org [4]" in md
    assert "- item *one*\n- item two" in md
    assert "```\n[not a link](https://code.org) <b>code</b>\n```" in md
    assert "[r]:" not in md
    assert result.links == (
        "https://a.org/x",
        "https://base.org/y",
        "https://ref.org/",
        "https://auto.org",
    )
    assert result.images == ("https://base.org/dir/img/d.png",)


def test_markdown_input_drops_raw_html() -> None:
    source = (
        "Text <span>kept</span> <script>alert(1)</script>\n\n"
        '<div onclick="x()">block</div>\n\n<a href="https://h.org">html link</a> '
        '<img src="https://h.org/i.png" alt="pic"><br>next'
    )
    result = render_reader(source, MARKDOWN, BASE)
    md = result.markdown
    assert "alert" not in md
    assert "<" not in md
    assert "kept" in md and "block" in md
    assert "html link [1]" in md
    assert "[image 1: pic]" in md
    assert result.links == ("https://h.org",)


def test_markdown_input_cannot_smuggle_non_http_links() -> None:
    source = (
        "[a](javascript:alert(1)) <javascript:alert(2)> [c][d]\n\n"
        "[d]: javascript:alert(3)\n\n"
        "\\`[e](javascript:alert(4))` `unclosed [f](file:///etc/passwd)\n\n"
        "- item\n  ```\n[g](javascript:alert(5))\n"
    )
    result = render_reader(source, MARKDOWN, BASE)
    assert result.links == ()
    assert live_markup(result.markdown) == []


def test_text_input_is_shown_literally() -> None:
    source = (
        "First paragraph\nsecond line with https://ex.org/page.\n\n\n\n"
        "# not a heading\n1. not a list\n> not a quote\n<b>not bold</b> [x](javascript:y) *a*"
    )
    result = render_reader(source, TEXT, BASE)
    md = result.markdown
    assert result.links == ("https://ex.org/page",)
    assert md.startswith("First paragraph  \nsecond line with https://ex.org/page [1].\n\n")
    assert "\n\n\n" not in md
    assert "\\# not a heading" in md
    assert "1\\. not a list" in md
    assert "\\> not a quote" in md
    assert live_markup(md) == []


def test_reader_text_is_frozen() -> None:
    result = render_reader("<p>x</p>", HTML)
    with pytest.raises(AttributeError):
        result.markdown = "y"  # type: ignore[misc]
