"""Markdown to safe HTML: markdown-it-py renders, nh3 sanitizes.

Users write Markdown in descriptions, acceptance criteria, visions and notes; the HTML that comes
out is shown to everyone in the workspace and in shared read-only pages, so nothing in it may
run script, load styles or point a link at ``javascript:``. Raw HTML in the source is allowed
through the same allow-list (so ``<kbd>`` or ``<details>`` work), never trusted.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Callable
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from mdit_py_plugins.tasklists import tasklists_plugin

# Prose, code, tables and task lists; nothing that loads, runs, embeds or submits.
ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl",
        "dt", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "input", "ins", "kbd",
        "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span", "strong", "sub",
        "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
    }
)  # fmt: skip
# Tags whose content goes too (the rest are unwrapped and keep their text).
DROPPED_WITH_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "template"})
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    # Only the classes below survive (see _filter_attribute).
    "code": {"class"},
    "li": {"class"},
    "ul": {"class"},
    "input": {"class", "checked"},
}
_ALIGNMENTS = {"left", "center", "right"}
ATTRIBUTE_VALUES: dict[str, dict[str, set[str]]] = {
    # A task-list checkbox is the only input there is.
    "input": {"type": {"checkbox"}},
    "td": {"align": _ALIGNMENTS},
    "th": {"align": _ALIGNMENTS},
}
# A checkbox in rendered text shows state; it is never a form control.
FORCED_ATTRIBUTES = {"input": {"disabled": "disabled"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer nofollow"

_CLASSES = {
    "ul": {"contains-task-list"},
    "li": {"task-list-item"},
    "input": {"task-list-item-checkbox"},
}
_LANGUAGE_CLASS = re.compile(r"language-[A-Za-z0-9_+#.-]{1,40}")
_TEXT_ALIGN = re.compile(r"text-align:(left|center|right)")


_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_URL_ATTRIBUTES = frozenset({"href", "src"})


def _safe_url(value: str) -> str | None:
    """``value`` if it is an allowed absolute URL or a plain relative one, else None.

    nh3 already checks schemes; this also refuses relative-looking values with a colon before
    the path (``jav%09ascript:``), which no legitimate link in Markdown needs.
    """
    stripped = value.strip()
    scheme = _SCHEME.match(stripped)
    if scheme:
        return value if scheme.group(1).lower() in URL_SCHEMES else None
    head = re.split(r"[/?#]", stripped, maxsplit=1)[0]
    return None if ":" in head else value


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    if attribute in _URL_ATTRIBUTES:
        return _safe_url(value)
    if attribute != "class":
        return value
    if tag == "code":
        kept = [name for name in value.split() if _LANGUAGE_CLASS.fullmatch(name)]
    else:
        kept = [name for name in value.split() if name in _CLASSES.get(tag, set())]
    return " ".join(kept) or None


def _alignment_without_style(state: StateCore) -> None:
    """Table cells carry alignment as ``align`` rather than a style attribute, which is dropped."""
    for token in state.tokens:
        if token.type in ("th_open", "td_open") and token.attrs:
            style = str(token.attrs.pop("style", ""))
            match = _TEXT_ALIGN.fullmatch(style)
            if match:
                token.attrs["align"] = match.group(1)


@lru_cache(maxsize=1)
def _renderer() -> MarkdownIt:
    # Bare URLs become links when linkify-it-py (a dependency) is installed.
    linkify = importlib.util.find_spec("linkify_it") is not None
    md = MarkdownIt("commonmark", {"html": True, "linkify": linkify, "typographer": False})
    md.enable(["table", "strikethrough"])
    if linkify and md.linkify is not None:
        md.enable("linkify")
        # Only addresses with a scheme (and e-mail addresses): "fuzzy" links would turn file
        # names such as README.md or setup.py into links to hosts of those country domains.
        md.linkify.set({"fuzzy_link": False})
    md.use(tasklists_plugin)
    md.core.ruler.push("lodestar_table_alignment", _alignment_without_style)
    return md


def sanitize_html(html: str) -> str:
    """``html`` with everything outside the allow-list removed."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_filter_attribute,
        strip_comments=True,
        link_rel=LINK_REL,
        tag_attribute_values=ATTRIBUTE_VALUES,
        set_tag_attribute_values=FORCED_ATTRIBUTES,
        url_schemes=set(URL_SCHEMES),
    )


# One line that no Markdown rule, link detection or sanitizing changes: letters, digits, spaces
# and plain punctuation, starting with a letter and ending with no space. It is one paragraph,
# so the parser is skipped: most acceptance criteria and many imported texts are such lines, and
# parsing costs ten times the check (tests compare the two paths on generated text). A colon is
# plain unless it starts a link: links need "//" (``http://``, or "//host" alone, which link
# detection also takes) or "@" (``mailto:``), and a line with "//" or "www" is not plain.
_PLAIN = re.compile(r"[^\W\d_](?:[^\W_]|[ ,;:'\"?()/%.!+=-])*")
# Emphasis the fast path also takes: ``*word*`` or ``**a few words**`` after a space (or at the
# start), before a space, plain punctuation or the end, beginning and ending with a letter or
# digit and holding no "*". Such a run opens and closes as CommonMark says for any neighbours,
# so the parser would make exactly ``<em>`` or ``<strong>`` of it; anything else with "*" goes
# to the parser.
_EMPHASIS = re.compile(r"(?:(?<= )|^)(\*\*?)([^\W_](?:[^*\n]*[^\W_])?)\1(?=[ .,;:!?]|$)")
_TAGS = {"*": "em", "**": "strong"}


def _emphasis(match: re.Match[str]) -> str:
    tag = _TAGS[match.group(1)]
    return f"<{tag}>{match.group(2)}</{tag}>"


def _plain_html(text: str) -> str | None:
    """The HTML the parser would make of ``text`` when it is a plain line (with simple
    emphasis at most), without parsing it; None for any other text."""
    if text[-1].isspace() or "//" in text or "www" in text.lower():
        return None
    if "*" not in text:
        return f"<p>{text}</p>\n" if _PLAIN.fullmatch(text) else None
    # The words without their emphasis marks must be plain (no "*" left, nothing else).
    if not _PLAIN.fullmatch(_EMPHASIS.sub(r"\2", text)):
        return None
    return f"<p>{_EMPHASIS.sub(_emphasis, text)}</p>\n"


def render_markdown(text: str) -> str:
    """Sanitized HTML for the Markdown ``text`` (CommonMark, tables, strikethrough, task lists)."""
    if not text:
        return ""
    html = _plain_html(text)
    if html is not None:
        return html
    return sanitize_html(_renderer().render(text))


def markdown_renderer() -> Callable[[str], str]:
    """``render_markdown`` for a batch (an import, a bulk write): each distinct text is rendered
    once, a text seen before in the batch takes its HTML from then. Keep it for the batch only:
    it remembers every text it was given."""
    seen: dict[str, str] = {}

    def render(text: str) -> str:
        html = seen.get(text)
        if html is None:
            html = seen[text] = render_markdown(text)
        return html

    return render
