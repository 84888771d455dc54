"""Jira's two ways of writing text, turned into Markdown: its wiki markup (the CSV export's
descriptions and comments) and the HTML its XML export renders them to. Only what is common
is converted (headings, bold, italic, strike-through, monospace, code and noformat blocks,
lists, links, quotes, tables, mentions); anything else stays as its text. The importer
sanitizes the result like typed text. No Django.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_HEADING = re.compile(r"^h([1-6])\.\s+(.*)$")
_LIST = re.compile(r"^([*#-]+)\s+(.*)$")
_BLOCK = re.compile(r"^\s*\{(code|noformat)(?::([^}]*))?\}(.*)$")
_QUOTE_LINE = re.compile(r"^bq\.\s+(.*)$")
_TABLE = re.compile(r"^\s*\|\|?.*\|\s*$")

_MONO = re.compile(r"\{\{(.+?)\}\}")
_LINK = re.compile(r"\[([^\[\]|]*?)\|([^\[\]]+?)\]|\[((?:https?|mailto):[^\[\]\s]+)\]")
_MENTION = re.compile(r"\[~(?:accountid:)?([^\]]+)\]")
_IMAGE = re.compile(r"!([^!\s|][^!|]*?)(?:\|[^!]*)?!")
_BOLD = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])")
_STRIKE = re.compile(r"(?<![\w-])-(?=[^\s-])([^-\n]+?)(?<=[^\s-])-(?![\w-])")
_COLOR = re.compile(r"\{color(?::[^}]*)?\}")
_PLACEHOLDER = "\x00{}\x00"


def wiki_to_markdown(text: str) -> str:
    """Jira wiki markup as Markdown."""
    if not text:
        return ""
    out: list[str] = []
    block: str | None = None  # "code" / "noformat" / "quote" while inside one
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if block in ("code", "noformat"):
            marker = "{" + block + "}"
            end = raw.find(marker)
            if end >= 0:
                if raw[:end].strip():
                    out.append(raw[:end])
                out.append("```")
                block = None
                tail = raw[end + len(marker) :].strip()
                if tail:
                    out.append(_line(tail))
            else:
                out.append(raw)
            continue
        line = raw.rstrip()
        opening = _BLOCK.match(line)
        if opening:
            kind, language, rest = opening.groups()
            language = (language or "").split("|")[0].strip()
            if "=" in language:  # {code:title=Foo.java|borderStyle=solid}
                language = ""
            out.append("```" + ("" if kind == "noformat" else language))
            closing = rest.find("{" + kind + "}")
            if closing >= 0:
                out.append(rest[:closing])
                out.append("```")
            else:
                if rest.strip():
                    out.append(rest)
                block = kind
            continue
        if line.strip() == "{quote}" or line.strip().startswith("{quote}"):
            inner = line.strip()[len("{quote}") :]
            if block == "quote":
                block = None
            else:
                block = "quote"
                if inner.endswith("{quote}"):
                    out.append("> " + _inline(inner[: -len("{quote}")]))
                    block = None
                elif inner:
                    out.append("> " + _inline(inner))
            continue
        if block == "quote":
            if line.endswith("{quote}"):
                line = line[: -len("{quote}")]
                block = None
            out.append(("> " + _inline(line)).rstrip())
            continue
        out.append(_line(line))
    if block in ("code", "noformat"):
        out.append("```")
    return "\n".join(out).strip("\n")


def _line(line: str) -> str:
    heading = _HEADING.match(line)
    if heading:
        return "#" * int(heading.group(1)) + " " + _inline(heading.group(2))
    quote = _QUOTE_LINE.match(line)
    if quote:
        return "> " + _inline(quote.group(1))
    if _TABLE.match(line):
        return _table_row(line)
    listed = _LIST.match(line)
    if listed and not (listed.group(1) == "-" * len(listed.group(1)) and len(listed.group(1)) > 1):
        markers = listed.group(1)
        depth = len(markers) - 1
        bullet = "1." if markers[-1] == "#" else "-"
        return "   " * depth + bullet + " " + _inline(listed.group(2))
    if line.strip() == "----":
        return "---"
    return _inline(line)


def _table_row(line: str) -> str:
    stripped = line.strip()
    header = stripped.startswith("||")
    cells = [cell.strip() for cell in re.split(r"\|\|?", stripped.strip("|"))]
    row = "| " + " | ".join(_inline(cell) for cell in cells) + " |"
    if header:
        row += "\n|" + "|".join(" --- " for _ in cells) + "|"
    return row


def _inline(text: str) -> str:
    kept: list[str] = []

    def keep(markdown: str) -> str:
        kept.append(markdown)
        return _PLACEHOLDER.format(len(kept) - 1)

    text = _MONO.sub(lambda m: keep("`" + m.group(1) + "`"), text)
    text = _MENTION.sub(lambda m: keep("@" + m.group(1)), text)
    text = _LINK.sub(lambda m: keep(_link(m)), text)
    text = _IMAGE.sub(lambda m: keep(f"(image: {m.group(1)})"), text)
    text = _COLOR.sub("", text)
    text = _BOLD.sub(r"**\1**", text)
    text = _ITALIC.sub(r"*\1*", text)
    text = _STRIKE.sub(r"~~\1~~", text)
    for index, markdown in enumerate(kept):
        text = text.replace(_PLACEHOLDER.format(index), markdown)
    return text


def _link(match: re.Match[str]) -> str:
    if match.group(3):
        return f"<{match.group(3)}>"
    label, target = match.group(1).strip(), match.group(2).strip()
    if not re.match(r"(?:https?|mailto):", target):
        return label or target  # a link to a Jira page or an anchor: its words only
    return f"[{label or target}]({target})"


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
        text = "".join(self.out)
        lines = [line.rstrip() for line in text.split("\n")]
        text = "\n".join(lines)
        text = re.sub(r"\n{3,}", "\n\n", text)
        return text.strip()


def html_to_markdown(html: str) -> str:
    """Jira's rendered HTML as Markdown."""
    if not html or not html.strip():
        return ""
    parser = _HtmlToMarkdown()
    parser.feed(html)
    parser.close()
    return parser.markdown()
