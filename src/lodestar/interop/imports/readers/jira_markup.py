"""Jira's two ways of writing text, turned into Markdown: its wiki markup (the CSV export's
descriptions and comments) and the HTML its XML export renders them to. Only what is common
is converted (headings, bold, italic, strike-through, monospace, code and noformat blocks,
lists, links, quotes, tables, mentions); anything else stays as its text. The importer
sanitizes the result like typed text. No Django.
"""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

# Code and noformat blocks (their text is kept as it is), and quotes.
_BLOCK = re.compile(
    r"^[ \t]*\{(code|noformat)(?::([^}\n]*))?\}[ \t]*\n?(.*?)(?:\n?[ \t]*\{\1\}[ \t]*|\Z)",
    re.DOTALL | re.MULTILINE,
)
_QUOTE = re.compile(
    r"^[ \t]*\{quote\}[ \t]*\n?(.*?)(?:\n?[ \t]*\{quote\}[ \t]*|\Z)", re.DOTALL | re.M
)
# What a line starts with: a heading, a quote, a list item, a table row, a rule.
_LINE = re.compile(
    r"^(?:h(?P<heading>[1-6])\.[ \t]+"
    r"|(?P<quote>bq\.)[ \t]+"
    r"|(?P<bullet>[*#]+|-)[ \t]+(?=\S)"
    r"|[ \t]*(?P<table>\|\|?)(?P<cells>.*)\|[ \t]*$"
    r"|(?P<rule>-{4,})[ \t]*$)",
    re.MULTILINE,
)
# Inline markup, in one pass: monospace, colour, mentions, links, images, then emphasis
# (bold, italic, strike-through), each starting with its mark; what may not stand before the
# mark is checked after a match (``_emphasis``).
_INLINE = re.compile(
    r"\{\{(?P<mono>.+?)\}\}"
    r"|(?P<color>\{color(?::[^}\n]*)?\})"
    r"|\[~(?:accountid:)?(?P<mention>[^\]\n]+)\]"
    r"|\[(?P<label>[^\[\]|\n]*?)\|(?P<target>[^\[\]\n]+?)\]"
    r"|\[(?P<url>(?:https?|mailto):[^\[\]\s]+)\]"
    r"|!(?P<image>[^!\s|][^!|\n]*?)(?:\|[^!\n]*)?!"
    r"|\*(?=\S)(?P<bold>[^*\n]+?)(?<=\S)\*(?![\w*])"
    r"|_(?=\S)(?P<italic>[^_\n]+?)(?<=\S)_(?![\w_])"
    r"|-(?=[^\s-])(?P<strike>[^-\n]+?)(?<=[^\s-])-(?![\w-])"
)
_EMPHASIS = {"bold": "**", "italic": "*", "strike": "~~"}
_KEPT = re.compile("\x00(\\d+)\x00")

# A character that starts some markup; text without any is its own Markdown.
_ANY_MARKUP = re.compile(r"[*_{}\[\]!|#~^+\-]|^(?:h[1-6]|bq)\.", re.MULTILINE)


def wiki_to_markdown(text: str) -> str:
    """Jira wiki markup as Markdown."""
    if not text:
        return ""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _ANY_MARKUP.search(text) is None:
        return text.strip("\n")
    kept: list[str] = []  # code blocks and quotes, already Markdown, by their placeholder

    def keep(markdown: str) -> str:
        kept.append(markdown)
        return f"\x00{len(kept) - 1}\x00"

    if "{code" in text or "{noformat" in text:
        text = _BLOCK.sub(lambda m: keep(_fence(m)), text)
    if "{quote}" in text:
        text = _QUOTE.sub(lambda m: keep(_quoted(wiki_to_markdown(m.group(1)))), text)
    text = _LINE.sub(_line, text)
    text = _INLINE.sub(_inline, text)
    while "\x00" in text:
        text = _KEPT.sub(lambda m: kept[int(m.group(1))], text)
    return text.strip("\n")


def _fence(match: re.Match[str]) -> str:
    kind, language, body = match.group(1), (match.group(2) or ""), match.group(3)
    language = language.split("|")[0].strip()
    if kind == "noformat" or "=" in language:  # {code:title=Foo.java|borderStyle=solid}
        language = ""
    return "```" + language + "\n" + body.rstrip("\n") + "\n```"


def _quoted(markdown: str) -> str:
    return "\n".join(("> " + line).rstrip() for line in markdown.split("\n"))


def _line(match: re.Match[str]) -> str:
    kind = match.lastgroup
    if kind == "heading":
        return "#" * int(match.group("heading")) + " "
    if kind == "quote":
        return "> "
    if kind == "bullet":
        markers = match.group("bullet")
        return "   " * (len(markers) - 1) + ("1. " if markers[-1] == "#" else "- ")
    if kind == "rule":
        return "---"
    cells = [cell.strip() for cell in re.split(r"\|\|?", match.group("cells").rstrip("|"))]
    row = "| " + " | ".join(cells) + " |"
    if match.group("table") == "||":
        row += "\n|" + "|".join(" --- " for _ in cells) + "|"
    return row


def _inline(match: re.Match[str]) -> str:
    kind = str(match.lastgroup)
    mark = _EMPHASIS.get(kind)
    if mark is not None:
        start = match.start()
        if start:
            before = match.string[start - 1]
            if before.isalnum() or before == "_" or before == match.string[start]:
                return match.group(0)  # 2*3*4, snake_case_name, 2-3-4
        inner = match.group(kind)
        if not _MARKS.isdisjoint(inner):
            inner = _INLINE.sub(_inline, inner)
        return mark + inner + mark
    if kind == "mono":
        return "`" + match.group("mono") + "`"
    if kind == "color":
        return ""
    if kind == "mention":
        # Without "@": the name of someone in Jira is no handle here, and must not notify.
        return match.group("mention")
    if kind == "target":
        label, target = match.group("label").strip(), match.group("target").strip()
        if not target.startswith(("http://", "https://", "mailto:")):
            return label or target  # a link to a Jira page or an anchor: its words only
        return f"[{label or target}]({target})"
    if kind == "url":
        return "<" + match.group("url") + ">"
    return "(image: " + match.group("image") + ")"


_MARKS = frozenset("{[!*_-")


class _HtmlToMarkdown(HTMLParser):
    """Jira's rendered HTML (``<p>``, ``<b>``, ``<em>``, ``<a>``, lists, ``<pre>``, ``<tt>``,
    headings, block quotes, tables) as Markdown; other tags keep their text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.lists: list[str] = []  # "ul" / "ol"
        self.links: list[str] = []
        self.pre = 0
        self.quotes: list[int] = []  # where each open <blockquote> starts in ``out``
        self.cells = 0
        self.header_row = False

    def _break(self, blank: bool = True) -> None:
        self.out.append("\n\n" if blank else "\n")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("p", "div") and not self.pre:
            self._break()
        elif tag == "br":
            self._break(blank=False)
        elif tag in ("b", "strong"):
            self.out.append("**")
        elif tag in ("i", "em", "cite"):
            self.out.append("*")
        elif tag in ("del", "s", "strike"):
            self.out.append("~~")
        elif tag in ("tt", "code") and not self.pre:
            self.out.append("`")
        elif tag == "pre":
            language = next(
                (v[len("code-") :] for k, v in attrs if k == "class" and v and "code-" in v), ""
            )
            self.pre += 1
            self.out.append("\n\n```" + language + "\n")
        elif re.fullmatch(r"h[1-6]", tag):
            self._break()
            self.out.append("#" * int(tag[1]) + " ")
        elif tag in ("ul", "ol"):
            self.lists.append(tag)
            if len(self.lists) == 1:
                self._break()
        elif tag == "li":
            depth = max(len(self.lists) - 1, 0)
            bullet = "1." if self.lists and self.lists[-1] == "ol" else "-"
            self.out.append("\n" + "   " * depth + bullet + " ")
        elif tag == "blockquote":
            self.quotes.append(len(self.out))
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            self.links.append(href)
            if href:  # an anchor (<a name=...>) is no link
                self.out.append("[")
        elif tag == "tr":
            self.cells = 0
            self.header_row = False
            self.out.append("\n|")
        elif tag in ("td", "th"):
            self.cells += 1
            self.header_row = self.header_row or tag == "th"
            self.out.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("p", "div") and not self.pre:
            self._break()
        elif tag in ("b", "strong"):
            self.out.append("**")
        elif tag in ("i", "em", "cite"):
            self.out.append("*")
        elif tag in ("del", "s", "strike"):
            self.out.append("~~")
        elif tag in ("tt", "code") and not self.pre:
            self.out.append("`")
        elif tag == "pre" and self.pre:
            self.pre -= 1
            self.out.append("\n```\n\n")
        elif re.fullmatch(r"h[1-6]", tag):
            self._break()
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
            if not self.lists:
                self._break()
        elif tag == "blockquote" and self.quotes:
            start = self.quotes.pop()
            inner = re.sub(r"\n{3,}", "\n\n", "".join(self.out[start:]).strip())
            del self.out[start:]
            self._break()
            self.out.append("\n".join(("> " + line).rstrip() for line in inner.split("\n")))
            self._break()
        elif tag == "a" and self.links:
            href = self.links.pop()
            if href:
                self.out.append(f"]({href})")
        elif tag in ("td", "th"):
            self.out.append(" |")
        elif tag == "tr" and self.cells and self.header_row:
            self.out.append("\n|" + "|".join(" --- " for _ in range(self.cells)) + "|")

    def handle_data(self, data: str) -> None:
        if self.pre:
            self.out.append(data)
            return
        self.out.append(re.sub(r"\s+", " ", data))

    def markdown(self) -> str:
        return _tidy("".join(self.out))


def _tidy(text: str) -> str:
    """No trailing spaces, at most one blank line in a row, none around."""
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()


_BLANK_LINES = re.compile(r"\n{3,}")
_TAG = re.compile(r"<[^>]*>")
# The tags of most of Jira's rendered text (paragraphs, breaks, bold, italic, monospace):
# HTML of these alone is converted by substitution, the rest by the parser.
_SIMPLE_TAG = re.compile(r"<(/?)(p|br|b|strong|i|em|tt)\s*/?>")
_SIMPLE_MARKS = {"p": "\n\n", "br": "\n", "b": "**", "strong": "**", "i": "*", "em": "*", "tt": "`"}
_SPACES = re.compile(r"\s+")


def html_to_markdown(html: str) -> str:
    """Jira's rendered HTML as Markdown."""
    if not html or not html.strip():
        return ""
    if all(_SIMPLE_TAG.fullmatch(tag) for tag in _TAG.findall(html)):
        text = _SIMPLE_TAG.sub(_simple_mark, _SPACES.sub(" ", html))
        return _tidy(unescape(text))
    parser = _HtmlToMarkdown()
    parser.feed(html)
    parser.close()
    return parser.markdown()


def _simple_mark(match: re.Match[str]) -> str:
    name = match.group(2)
    if name == "br" and match.group(1):
        return ""
    return _SIMPLE_MARKS[name]
