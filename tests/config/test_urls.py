"""Page URL names are namespaced per context (``people:``, ``strategy:``, ``backlog:``), as the
API's are (``api:``), so two contexts can never claim one name and a renamed page fails loudly."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import Persona

SRC = Path(__file__).resolve().parents[2] / "src" / "lodestar"
NAMESPACES = {
    "people",
    "strategy",
    "backlog",
    "discovery",
    "portal",
    "coverage",
    "sprints",
    "sprint_flow",
    "decisions",
    "outcomes",
    "releases",
    "reports",
    "comments",
    "notifications",
    "interop",
}
URL_TAG = re.compile(r"""\{%\s*url\s+(['"])(?P<name>[^'"]+)\1""")


def _named_patterns(
    patterns: list[URLPattern | URLResolver], namespace: str | None = None
) -> list[tuple[str | None, str]]:
    found: list[tuple[str | None, str]] = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            found += _named_patterns(pattern.url_patterns, pattern.namespace or namespace)
        elif pattern.name:
            found.append((namespace, pattern.name))
    return found


def test_every_page_url_name_lives_in_its_context_namespace() -> None:
    names = _named_patterns(get_resolver().url_patterns)
    bare = sorted(name for namespace, name in names if namespace is None)
    assert not bare, f"URL names outside a namespace (give the urls.py an app_name): {bare}"
    assert {namespace for namespace, _ in names} == NAMESPACES | {"api"}


@pytest.mark.parametrize(
    ("name", "kwargs", "url"),
    [
        ("people:home", {}, "/"),
        ("people:login", {}, "/signin"),
        ("people:member_list", {"workspace_slug": "acme"}, "/w/acme/members"),
        ("strategy:product_list", {"workspace_slug": "acme"}, "/w/acme/products"),
        (
            "backlog:backlog",
            {"workspace_slug": "acme", "product_key": "ACME"},
            "/w/acme/products/ACME/backlog",
        ),
        (
            "backlog:item_detail",
            {"workspace_slug": "acme", "item_key": "ACME-1"},
            "/w/acme/items/ACME-1",
        ),
    ],
)
def test_namespaced_names_reverse_and_bare_ones_do_not(
    name: str, kwargs: dict[str, str], url: str
) -> None:
    assert reverse(name, kwargs=kwargs) == url
    with pytest.raises(NoReverseMatch):
        reverse(name.split(":", 1)[1], kwargs=kwargs)


def test_the_sign_in_settings_name_namespaced_pages() -> None:
    assert resolve_url(settings.LOGIN_URL) == "/signin"
    assert resolve_url(settings.LOGIN_REDIRECT_URL) == "/"
    assert resolve_url(settings.LOGOUT_REDIRECT_URL) == "/signin"


def test_every_url_tag_in_the_templates_names_a_namespace() -> None:
    tags = [
        (str(template.relative_to(SRC)), match.group("name"))
        for template in SRC.rglob("*.html")
        if "static" not in template.relative_to(SRC).parts
        for match in URL_TAG.finditer(template.read_text(encoding="utf-8"))
    ]
    assert tags, "no {% url %} tag found: the scan itself is broken"
    bare = sorted((where, name) for where, name in tags if name.split(":", 1)[0] not in NAMESPACES)
    assert not bare, f"{{% url %}} tags without a context namespace: {bare}"


def test_every_reverse_and_redirect_in_the_code_names_a_namespace() -> None:
    bare = []
    for module in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            callee = node.func.attr if isinstance(node.func, ast.Attribute) else None
            callee = node.func.id if isinstance(node.func, ast.Name) else callee
            if callee not in {"reverse", "reverse_lazy", "redirect"} or not node.args:
                continue
            first = node.args[0]
            if isinstance(first, ast.BoolOp):  # redirect(next_url or "people:home")
                first = first.values[-1]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                if first.value.startswith("/"):
                    continue
                if ":" not in first.value:
                    bare.append(f"{module.relative_to(SRC)}:{node.lineno} {first.value}")
    assert not bare, f"reverse()/redirect() of a URL name without its namespace: {bare}"


def test_the_navigation_links_every_context_page(client: Client, developer: Persona) -> None:
    client.force_login(developer.user)
    page = client.get("/w/acme/").content.decode()
    for key, href in [
        ("home", "/w/acme/"),
        ("members", "/w/acme/members"),
        ("teams", "/w/acme/teams"),
        ("who", "/w/acme/who"),
        ("products", "/w/acme/products"),
    ]:
        assert f'href="{href}" data-nav="{key}"' in page
