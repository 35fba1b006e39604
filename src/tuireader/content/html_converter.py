"""Story HTML to reader Markdown, on top of markdownify."""

from __future__ import annotations

import re
from typing import Any, cast

from bs4 import BeautifulSoup
from bs4.element import (
    Comment,
    Declaration,
    Doctype,
    NavigableString,
    PageElement,
    ProcessingInstruction,
    Tag,
)
from markdownify import ATX, STRIP, MarkdownConverter

from tuireader.content.escape import code_fence, escape_text
from tuireader.content.links import LinkTable, image_placeholder, is_tracker_url

# Elements whose whole subtree is dropped: active content, embeds, forms, page chrome.
# Not <embed>: it is void, but the parser may hang what follows it inside; it has no text.
_DROPPED = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "iframe",
        "frame",
        "frameset",
        "object",
        "applet",
        "param",
        "form",
        "input",
        "button",
        "select",
        "textarea",
        "svg",
        "canvas",
        "map",
        "head",
        "title",
        "meta",
        "link",
        "base",
        "nav",
        "dialog",
    }
)
# markdownify methods named like a converter for a tag, which a story could name.
_NOT_TAG_CONVERTERS = frozenset({"soup"})
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_TINY_STYLE = re.compile(
    r"(?:^|;)\s*(?:width|height)\s*:\s*[0-2](?:\.\d*)?\s*(?:px)?\s*(?:;|$|!)", re.I
)
_NUMBER = re.compile(r"\s*(\d+)\s*(?:px)?\s*$")
_LANGUAGE = re.compile(r"^(?:language|lang)-([\w+#.-]{1,30})$")
# What markdownify treats as blocks: whitespace inside and around them is not text.
_BLOCKS = frozenset(
    {"p", "blockquote", "article", "div", "section", "ol", "ul", "li", "dl", "dt", "dd"}
    | {"table", "thead", "tbody", "tfoot", "tr", "td", "th"}
)
_HEADING = re.compile(r"h\d+$")
_INLINE_CONTEXT = frozenset({"td", "th"})
_NOFORMAT_CONTEXT = frozenset({"pre", "code", "kbd", "samp"})
_SPACES = re.compile(r"[\t \r\n]+")
_HELD = re.compile(r"\x00(\d{1,9})\x00")
_BACKTICKS = re.compile(r"`+")
_LAZY_SOURCES = ("data-src", "data-original", "data-lazy-src", "data-srcset", "srcset")


def _attr(el: Tag, name: str) -> str:
    value = el.get(name)
    if value is None:
        return ""
    return value if isinstance(value, str) else " ".join(value)


def _trims_whitespace(el: PageElement | None) -> bool:
    """Whether whitespace just inside ``el`` is dropped (a block element)."""
    name = getattr(el, "name", None)
    return name is not None and (name in _BLOCKS or _HEADING.match(name) is not None)


def _trims_outside(el: PageElement | None) -> bool:
    """Whether whitespace just outside ``el`` is dropped (a block element or ``<pre>``)."""
    return _trims_whitespace(el) or getattr(el, "name", None) == "pre"


def _ignorable_space(space: PageElement, trim_inside: bool) -> bool:
    """Whether a whitespace-only text node sits at the edge of, or next to, a block."""
    before, after = space.previous_sibling, space.next_sibling
    if trim_inside and (before is None or after is None):
        return True
    return _trims_outside(before) or _trims_outside(after)


def _join_blocks(strings: list[str]) -> str:
    """Join converted children, letting the newlines where two blocks meet add up to two."""
    parts: list[str] = []
    trailing = ""
    for string in strings:
        body = string.lstrip("\n")
        leading = string[: len(string) - len(body)]
        content = body.rstrip("\n")
        if trailing and leading:
            leading = "\n" * min(2, max(len(trailing), len(leading)))
            trailing = ""
        parts.append(trailing)
        parts.append(leading)
        parts.append(content)
        trailing = body[len(content) :]
    parts.append(trailing)
    return "".join(parts)


def _chomp(text: str) -> tuple[str, str, str]:
    """Leading space, stripped text, trailing space: so ``<b> x</b>`` keeps its gap outside."""
    prefix = " " if text[:1] == " " else ""
    suffix = " " if text[-1:] == " " else ""
    return prefix, text.strip(), suffix


def _is_tiny(value: str) -> bool:
    match = _NUMBER.match(value) if value else None
    return match is not None and int(match.group(1)) <= 2


class ReaderConverter(MarkdownConverter):
    """A markdownify converter that writes numbered links and image placeholders.

    Links become ``text [N]`` and images ``[image N: alt]``, numbered in ``table``; active
    content, embeds, forms and tracking pixels are dropped; text is escaped so that no raw
    HTML, link or image syntax reaches the Markdown.
    """

    def __init__(self, table: LinkTable) -> None:
        super().__init__(
            autolinks=False,
            bs4_options="lxml",
            bullets="-",
            escape_asterisks=False,
            escape_underscores=False,
            escape_misc=False,
            heading_style=ATX,
            strip_document=STRIP,
            wrap=True,
            wrap_width=None,
        )
        self._table = table
        self._held: list[str] = []
        self._converters: dict[str, Any] = {}
        self._items_seen: dict[int, int] = {}

    def render(self, html: str) -> str:
        """The Markdown for one HTML document or fragment."""
        # Wrapped, so bs4 never takes the body for XML or for a file name or URL and warns.
        soup = BeautifulSoup(f"<div>{html}</div>", "lxml")
        return self.convert_soup(soup)

    def restore_code(self, markdown: str) -> str:
        """``markdown`` with the code spans held out of it by the conversion put back.

        Code spans are held out so that prose-wide passes (:func:`guard_links`) leave them be.
        """
        held = self._held
        return _HELD.sub(
            lambda m: held[int(m.group(1))] if int(m.group(1)) < len(held) else "", markdown
        )

    # -- tree walking ------------------------------------------------------------------------

    def get_conv_fn(self, tag_name: str) -> Any:
        """The ``convert_<tag>`` method for a tag, but never one of markdownify's own."""
        if tag_name.lower() in _NOT_TAG_CONVERTERS:
            return None
        return cast(Any, super()).get_conv_fn(tag_name)

    def process_tag(self, node: Tag, parent_tags: set[str] | None = None) -> str:
        """Convert ``node``, or drop it when it is active, hidden or chrome.

        The same walk as markdownify's, but asking ``parent_tags`` rather than the tree
        whether we are inside ``<pre>``: bs4 searches cost more than the conversion itself.
        """
        name = node.name
        if name in _DROPPED:
            return ""
        if node.attrs and ("hidden" in node.attrs or _HIDDEN_STYLE.search(_attr(node, "style"))):
            return ""
        if parent_tags is None:
            parent_tags = set()
        trim_inside = _trims_whitespace(node)
        children: list[PageElement] = []
        for child in node.children:
            if isinstance(child, Tag):
                children.append(child)
            elif isinstance(child, (Comment, Doctype, ProcessingInstruction, Declaration)):
                continue
            elif str(child).strip() or not _ignorable_space(child, trim_inside):
                children.append(child)

        child_tags = set(parent_tags)
        child_tags.add(name)
        if name in _INLINE_CONTEXT or _HEADING.match(name):
            child_tags.add("_inline")
        if name in _NOFORMAT_CONTEXT:
            child_tags.add("_noformat")
        strings = []
        for child in children:
            if isinstance(child, Tag):
                converted = self.process_tag(child, child_tags)
            else:
                converted = self.process_text(cast(NavigableString, child), child_tags)
            if converted:
                strings.append(converted)

        in_pre = name == "pre" or "pre" in parent_tags
        text = "".join(strings) if in_pre else _join_blocks(strings)
        convert = self.get_conv_fn_cached(name)
        if convert is not None:
            text = convert(node, text, parent_tags=parent_tags)
        return text

    def get_conv_fn_cached(self, tag_name: str) -> Any:
        """The conversion method for ``tag_name``, looked up once per converter."""
        try:
            return self._converters[tag_name]
        except KeyError:
            convert = self._converters[tag_name] = self.get_conv_fn(tag_name)
            return convert

    def process_text(self, el: NavigableString, parent_tags: set[str] | None = None) -> str:
        """Convert a text node: whitespace folded (but in ``<pre>``) and Markdown escaped."""
        if parent_tags is None:
            parent_tags = set()
        text = str(el)
        if "pre" not in parent_tags:
            text = _SPACES.sub(" ", text)
        if "_noformat" not in parent_tags:
            text = self.escape(text, parent_tags)
        before, after, parent = el.previous_sibling, el.next_sibling, el.parent
        if _trims_outside(before) or (before is None and _trims_whitespace(parent)):
            text = text.lstrip(" \t\r\n")
        if _trims_outside(after) or (after is None and _trims_whitespace(parent)):
            text = text.rstrip()
        return text

    def escape(self, text: str, parent_tags: set[str]) -> str:
        """Escape a text node so Markdown shows it literally."""
        if not text:
            return ""
        text = escape_text(text)
        if "td" in parent_tags or "th" in parent_tags:
            text = text.replace("|", "\\|")
        return text

    # -- elements ----------------------------------------------------------------------------

    def convert_a(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        """``text [N]`` for an http(s) link; just the text for any other."""
        if "_noformat" in parent_tags:
            return text
        prefix, text, suffix = _chomp(text)
        if not text:
            return ""
        url = self._table.resolve(_attr(el, "href"))
        if not url:
            return f"{prefix}{text}{suffix}"
        return f"{prefix}{text} [{self._table.add_link(url)}]{suffix}"

    def convert_img(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        """``[image N: alt]``; nothing for a tracking pixel."""
        if _is_tiny(_attr(el, "width")) or _is_tiny(_attr(el, "height")):
            return ""
        if _TINY_STYLE.search(_attr(el, "style")):
            return ""
        url = self._table.resolve(self._image_source(el))
        if url and is_tracker_url(url):
            return ""
        alt = _attr(el, "alt") or _attr(el, "title")
        if not url:
            return image_placeholder(None, alt) if alt.strip() else ""
        return image_placeholder(self._table.add_image(url), alt)

    def _image_source(self, el: Tag) -> str:
        src = _attr(el, "src").strip()
        if src and not src.startswith("data:"):
            return src
        for name in _LAZY_SOURCES:
            # A srcset lists "url width, url width": take the first URL (it may list none).
            first = _attr(el, name).split(",", 1)[0].split()
            if first:
                return first[0]
        return src

    def convert_video(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        """``[video] [N]`` linking to the media file; its fallback text is dropped."""
        label = el.name or "video"
        src = _attr(el, "src")
        if not src:
            source = el.find("source", src=True)
            src = _attr(source, "src") if isinstance(source, Tag) else ""
        url = self._table.resolve(src)
        if not url:
            return ""
        return f"[{label}] [{self._table.add_link(url)}]"

    convert_audio = convert_video

    def convert_code(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        """A code span, held out of the text until :meth:`restore_code`."""
        if "_noformat" in parent_tags:
            return text
        prefix, text, suffix = _chomp(text)
        if not text:
            return ""
        longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
        delimiter = "`" * (longest + 1)
        if longest:
            text = f" {text} "
        self._held.append(f"{delimiter}{text}{delimiter}")
        return f"{prefix}\x00{len(self._held) - 1}\x00{suffix}"

    convert_kbd = convert_code
    convert_samp = convert_code

    def convert_li(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        """A list item; ordered items counted as they come, not by searching siblings."""
        parent = el.parent
        number = 0
        if parent is not None and parent.name == "ol":
            number = self._items_seen.get(id(parent), 0)
            self._items_seen[id(parent)] = number + 1
            start = _attr(parent, "start").strip()
            number += int(start) if start.isdigit() and len(start) < 10 else 1
        text = text.strip()
        if not text:
            return "\n"
        bullet = f"{number}. " if number else "- "
        indent = " " * len(bullet)
        lines = [indent + line if line else "" for line in text.split("\n")]
        return bullet + "\n".join(lines)[len(bullet) :] + "\n"

    def convert_pre(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        """A fenced code block that the code inside cannot close."""
        text = text.strip("\n")
        if not text.strip():
            return ""
        fence = code_fence(text)
        language = self._language(el)
        if language:
            fence = fence.replace("\n", language + "\n", 1)
        return f"\n\n{fence}\n\n"

    def _language(self, el: Tag) -> str:
        classes = _attr(el, "class").split()
        code = el.find("code")
        if isinstance(code, Tag):
            classes += _attr(code, "class").split()
        for name in classes:
            match = _LANGUAGE.match(name)
            if match:
                return match.group(1)
        return ""

    def _block(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        if "_inline" in parent_tags:
            return f" {text.strip()} "
        text = text.strip()
        return f"\n\n{text}\n\n" if text else ""

    convert_main = _block
    convert_header = _block
    convert_footer = _block
    convert_aside = _block
    convert_figure = _block
    convert_details = _block
    convert_summary = _block
    convert_center = _block
    convert_address = _block
