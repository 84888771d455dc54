"""Markdown rendering: the useful parts come through, every script vector is removed."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import unquote

import pytest
from django.template import Context, Template
from hypothesis import given, settings
from hypothesis import strategies as st

from lodestar.core.markdown import (
    _PLAIN,
    ALLOWED_TAGS,
    LINK_REL,
    _plain_html,
    _renderer,
    markdown_renderer,
    render_markdown,
    sanitize_html,
)


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def _tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Collect()
    parser.feed(html)
    parser.close()
    return parser.tags


_CONTROL = re.compile(r"[\x00-\x20\x7f]+")


def _looks_like_script_url(url: str) -> bool:
    plain = _CONTROL.sub("", unquote(url)).lower()
    return plain.startswith(("javascript:", "vbscript:", "data:", "livescript:"))


def assert_harmless(html: str) -> None:
    """No tag outside the allow-list, no event or style attribute, no script URL."""
    for tag, attrs in _tags(html):
        assert tag in ALLOWED_TAGS, (tag, html)
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name, html)
            assert name not in {"style", "srcdoc", "formaction", "action", "target"}, html
            if name in {"href", "src", "xlink:href", "action"}:
                assert value is not None
                assert not _looks_like_script_url(value), (value, html)
        if tag == "a" and "href" in attrs:
            assert attrs.get("rel") == LINK_REL
        if tag == "input":
            assert attrs.get("type") in {None, "checkbox"}
            assert "disabled" in attrs
    assert "<script" not in html.lower()


XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.test/x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    "<img src=x onerror=alert(1)//",
    "<svg onload=alert(1)><circle r=1 /></svg>",
    "<svg><script>alert(1)</script></svg>",
    '<math><mtext><table><mglyph><style><img src=x onerror="alert(1)"></style></mglyph>',
    "<iframe src=javascript:alert(1)></iframe>",
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "<object data=javascript:alert(1)></object>",
    "<embed src=javascript:alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href=" javascript:alert(1)">click</a>',
    '<a href="jav&#x09;ascript:alert(1)">click</a>',
    '<a href="jav&#09;ascript:alert(1)">click</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href="&#x6A;avascript&colon;alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="https://ok.test" onclick="alert(1)" target="_blank">x</a>',
    '<form action="javascript:alert(1)"><button>go</button></form>',
    '<button formaction="javascript:alert(1)">go</button>',
    '<input type="text" autofocus onfocus="alert(1)">',
    '<p style="background:url(javascript:alert(1))">styled</p>',
    '<div style="position:fixed;inset:0">overlay</div>',
    "<style>body{display:none}</style>",
    '<link rel="stylesheet" href="https://evil.test/x.css">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="https://evil.test/">',
    '<details open ontoggle="alert(1)"><summary>s</summary></details>',
    '<body onload="alert(1)">',
    "<!-- <img src=x onerror=alert(1)> -->",
    '<a href="#" onmouseover="alert(1)">hover</a>',
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    "<template><script>alert(1)</script></template>",
    '<table><td background="javascript:alert(1)">x</td></table>',
    # Markdown syntax, not raw HTML.
    "[click](javascript:alert(1))",
    "[click](JAVASCRIPT:alert(1))",
    "[click](javascript&#58;alert(1))",
    "[click](jav&#x09;ascript:alert(1))",
    "[click](<javascript:alert(1)>)",
    "[click](data:text/html,<script>alert(1)</script>)",
    "![img](javascript:alert(1))",
    "![img](data:image/svg+xml,<svg onload=alert(1)>)",
    "<javascript:alert(1)>",
    "[ref]\n\n[ref]: javascript:alert(1)",
    '[x](https://ok.test "title" onclick=alert(1))',
    "```html\n<script>alert(1)</script>\n```",
    "`<img src=x onerror=alert(1)>`",
    "| a |\n|---|\n| <img src=x onerror=alert(1)> |",
    "- [ ] <img src=x onerror=alert(1)>",
]


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_xss_payloads_are_rendered_harmless(payload: str) -> None:
    html = render_markdown(payload)
    assert_harmless(html)


@pytest.mark.parametrize(
    "payload",
    ["<script>alert(1)</script>", "<style>body{display:none}</style>", "<iframe>x</iframe>"],
)
def test_script_and_style_blocks_are_dropped_with_their_content(payload: str) -> None:
    assert render_markdown(f"before\n\n{payload}\n\nafter") == "<p>before</p>\n\n<p>after</p>\n"


def test_code_shows_html_as_text() -> None:
    html = render_markdown("```html\n<script>alert(1)</script>\n```")
    assert html == (
        '<pre><code class="language-html">&lt;script&gt;alert(1)&lt;/script&gt;\n</code></pre>\n'
    )
    assert render_markdown("`<b>`") == "<p><code>&lt;b&gt;</code></p>\n"


def test_prose_comes_through() -> None:
    html = render_markdown(
        "# Goal\n\nShip **faster** with *less* ~~waste~~.\n\n> quoted\n\n1. one\n2. two\n\n---"
    )
    assert "<h1>Goal</h1>" in html
    assert "<strong>faster</strong>" in html
    assert "<em>less</em>" in html
    assert "<s>waste</s>" in html
    assert "<blockquote>" in html
    assert "<ol>" in html
    assert "<hr>" in html


def test_links_get_safe_rel_and_keep_their_address() -> None:
    html = render_markdown("[docs](https://example.test/a?b=1) and mail <ops@example.test>")
    assert (
        '<a href="https://example.test/a?b=1" rel="noopener noreferrer nofollow">docs</a>' in html
    )
    assert 'href="mailto:ops@example.test"' in html
    assert_harmless(html)


def test_relative_links_are_kept() -> None:
    html = render_markdown("[item](/w/acme/items/ACME-1) [anchor](#ready) [q](?page=2)")
    assert 'href="/w/acme/items/ACME-1"' in html
    assert 'href="#ready"' in html
    assert 'href="?page=2"' in html


def test_bare_urls_become_links() -> None:
    html = render_markdown("see https://example.test/page for details")
    assert '<a href="https://example.test/page" rel="noopener noreferrer nofollow">' in html


def test_file_names_are_not_taken_for_links() -> None:
    assert render_markdown("edit README.md and setup.py") == "<p>edit README.md and setup.py</p>\n"


def test_images_keep_http_sources_only() -> None:
    assert 'src="https://example.test/a.png"' in render_markdown(
        "![chart](https://example.test/a.png)"
    )
    assert "src=" not in render_markdown("![x](data:image/png;base64,iVBORw0KGgo=)")


def test_tables_keep_alignment_without_style() -> None:
    html = render_markdown("| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |")
    assert '<th align="left">a</th>' in html
    assert '<td align="center">2</td>' in html
    assert '<td align="right">3</td>' in html
    assert "style" not in html


def test_task_lists_render_as_disabled_checkboxes() -> None:
    html = render_markdown("- [ ] open\n- [x] done")
    assert '<ul class="contains-task-list">' in html
    assert html.count('<li class="task-list-item">') == 2
    checkboxes = [attrs for tag, attrs in _tags(html) if tag == "input"]
    assert len(checkboxes) == 2
    assert all(a["type"] == "checkbox" and "disabled" in a for a in checkboxes)
    assert "checked" not in checkboxes[0]
    assert "checked" in checkboxes[1]


def test_unknown_classes_are_dropped() -> None:
    html = render_markdown('<p class="admin-only">x</p><code class="language-py evil">y</code>')
    assert "admin-only" not in html
    assert 'class="language-py"' in html
    assert "evil" not in html


def test_harmless_raw_html_is_kept() -> None:
    html = render_markdown(
        "Press <kbd>c</kbd>.\n\n<details><summary>More</summary>\n\nText\n\n</details>"
    )
    assert "<kbd>c</kbd>" in html
    assert "<details><summary>More</summary>" in html


def test_empty_text_renders_nothing() -> None:
    assert render_markdown("") == ""


@given(
    st.text(
        alphabet=st.sampled_from(list("<>\"'=/ :&#;()[]!`\n-|*_~abjsvcriptonladerfmg1x")),
        max_size=120,
    )
)
@settings(max_examples=300, deadline=None)
def test_any_text_renders_harmless(text: str) -> None:
    assert_harmless(render_markdown(text))


def test_template_filter_renders_safe_html() -> None:
    template = Template("{% load lodestar %}<div>{{ text|markdown }}</div>")
    out = template.render(Context({"text": "**hi** <img src=x onerror=alert(1)>"}))
    assert out == '<div><p><strong>hi</strong> <img src="x"></p>\n</div>'


def test_template_filter_accepts_none() -> None:
    template = Template("{% load lodestar %}{{ text|markdown }}")
    assert template.render(Context({"text": None})) == ""


def _full_path(text: str) -> str:
    return sanitize_html(_renderer().render(text))


_LINE = st.text(
    alphabet=st.sampled_from(list("aZé9 ,;'\"?()/%.!+=-_*`[]<>&#:@~|\\\tw1ß")),
    min_size=1,
    max_size=30,
)


# Text the fast path takes (mostly), with the characters around its edges.
_PLAIN_LINE = st.from_regex(r"[A-Za-zé][A-Za-z0-9é ,;'\"?()/%.!+=-]{0,30}", fullmatch=True)


@settings(max_examples=500, deadline=None)
@given(st.one_of(_LINE, _PLAIN_LINE))
def test_plain_lines_skip_the_parser_with_the_same_result(text: str) -> None:
    assert render_markdown(text) == _full_path(text)


@pytest.mark.parametrize(
    "text",
    [
        "Works with a keyboard alone",
        "Loads in under a second on a 100-item list.",
        'The user\'s "export" (CSV, 10%) - done!',
        "See www.example.com first",
        "Go to WWW.example.com",
        "a) not a list",
        "Données exportées à 100 %",
        "x = y + 1",
        "Trailing space ",
        "Ends with a colon:",
    ],
)
def test_plain_lines_render_as_the_parser_renders_them(text: str) -> None:
    assert render_markdown(text) == _full_path(text)


# Lines with emphasis, colons and the characters around them: the fast path takes some of
# them, the parser the rest, and the two must agree.
_EMPHASIS_LINE = st.lists(
    st.one_of(
        st.from_regex(r"[A-Za-zé9][A-Za-z0-9é ,:;'()-]{0,8}", fullmatch=True),
        st.sampled_from(["*", "**", "***", " ", ":", ". ", "//", "a:", "e.g. ", "(", ")"]),
    ),
    min_size=1,
    max_size=12,
).map("".join)


@settings(max_examples=2000, deadline=None)
@given(_EMPHASIS_LINE)
def test_lines_with_emphasis_render_as_the_parser_renders_them(text: str) -> None:
    assert render_markdown(text) == _full_path(text)


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("Looks **good**.", "<p>Looks <strong>good</strong>.</p>\n"),
        ("*a* and **b c**: done", "<p><em>a</em> and <strong>b c</strong>: done</p>\n"),
        ("**Bold** first", "<p><strong>Bold</strong> first</p>\n"),
        ("Note: see the spec", "<p>Note: see the spec</p>\n"),
    ],
)
def test_simple_emphasis_and_colons_take_the_fast_path(text: str, html: str) -> None:
    assert _plain_html(text) == html
    assert _full_path(text) == html


@pytest.mark.parametrize(
    "text",
    [
        "See //example.com now",
        "see https://example.test/page",
        "*a **b** c*",
        "***a***",
        "a (**b**)",
        "**a**b",
        "a**b**c",
        "* a list",
        "**unclosed",
        "1. **a** list",
    ],
)
def test_links_and_other_emphasis_go_to_the_parser(text: str) -> None:
    assert _plain_html(text) is None
    assert render_markdown(text) == _full_path(text)


def test_a_batch_renders_each_distinct_text_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import lodestar.core.markdown as markdown

    calls: list[str] = []
    real = markdown.render_markdown

    def counted(text: str) -> str:
        calls.append(text)
        return real(text)

    monkeypatch.setattr(markdown, "render_markdown", counted)
    render = markdown_renderer()
    texts = ["**a**", "- b", "**a**", "", "- b"]
    assert [render(text) for text in texts] == [real(text) for text in texts]
    assert calls == ["**a**", "- b", ""]


def test_the_fast_path_is_taken_for_plain_lines_only() -> None:
    assert _PLAIN.fullmatch("Loads in under a second on a 100-item list.")
    assert not _PLAIN.fullmatch("Uses **bold**")
    assert not _PLAIN.fullmatch("1. a list")
    assert not _PLAIN.fullmatch("two\nlines")
