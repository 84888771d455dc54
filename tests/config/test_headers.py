"""Security headers: the Content-Security-Policy, the Permissions-Policy and Django's own."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

from lodestar.config.headers import OTHER_POLICY, page_policy
from tests.conftest import Persona

SRC = Path(__file__).resolve().parents[2] / "src" / "lodestar"


def _directives(policy: str) -> dict[str, str]:
    return {
        part.strip().split(" ", 1)[0]: part.strip().partition(" ")[2]
        for part in policy.split(";")
        if part.strip()
    }


def test_a_page_gets_the_strict_policy(client: Client) -> None:
    response = client.get("/signin")
    assert response["Content-Type"].startswith("text/html")
    policy = _directives(response["Content-Security-Policy"])
    assert policy == {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": "'self' data:",
        "font-src": "'self'",
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "frame-ancestors": "'none'",
        "form-action": "'self'",
    }


def test_a_workspace_page_without_external_images_allows_none(
    client: Client, owner: Persona
) -> None:
    client.force_login(owner.user)
    response = client.get("/w/acme/")
    assert response.status_code == 200
    assert _directives(response["Content-Security-Policy"])["img-src"] == "'self' data:"


@pytest.mark.django_db  # the API counts every request in the database (its rate limit)
def test_an_api_answer_gets_a_policy_that_allows_nothing(client: Client) -> None:
    response = client.get("/api/v1/workspaces/acme")
    assert response.status_code == 401
    assert response["Content-Security-Policy"] == OTHER_POLICY


def test_the_error_pages_get_the_policy_too(client: Client) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert response["Content-Security-Policy"] == page_policy(external_images=False)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/signin", "/api/v1/workspaces/acme"])
def test_every_answer_denies_the_browser_features_lodestar_never_uses(
    client: Client, path: str
) -> None:
    features = dict(
        item.strip().split("=", 1) for item in client.get(path)["Permissions-Policy"].split(",")
    )
    for feature in ("camera", "microphone", "geolocation", "payment", "usb", "serial"):
        assert features[feature] == "()"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/signin", "/api/v1/workspaces/acme"])
def test_django_security_headers_are_sent(client: Client, path: str) -> None:
    response = client.get(path)
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


# The policy refuses these; a template that brings one back would break in the browser.
_INLINE = {
    "an inline script": re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")"),
    "a <style> element": re.compile(r"<style[\s>]"),
    "a style attribute": re.compile(r"\sstyle="),
    "an event handler attribute": re.compile(r"\son[a-z]+\s*="),
    "an hx-on attribute": re.compile(r"\s(data-)?hx-on"),
    "an htmx event filter (evaluated code)": re.compile(r"hx-trigger=\"[^\"]*\["),
    "a javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}


# Templates served with a policy of their own that allows what they hold: the printable report
# is one self-contained file, its one stylesheet allowed by its hash (reports/printable.py,
# checked in tests/reports/test_views.py).
_OWN_POLICY = {"reports/templates/reports/printable.html": {"a <style> element"}}
# The HTML parts of emails (``<context>/templates/<context>/email/``) are read by mail clients,
# never served under the policy; mail clients want their styles inline.
_EMAIL = re.compile(r"^[a-z_]+/templates/[a-z_]+/email/")

_COMMENT = re.compile(r"\{#.*?#\}|\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}", re.DOTALL)


def test_no_template_has_what_the_policy_refuses() -> None:
    found = [
        f"{path.relative_to(SRC)}: {what}"
        for path in SRC.rglob("*.html")
        for what, pattern in _INLINE.items()
        if pattern.search(_COMMENT.sub("", path.read_text()))
        and what not in _OWN_POLICY.get(str(path.relative_to(SRC)), set())
        and not (what == "a style attribute" and _EMAIL.match(str(path.relative_to(SRC))))
    ]
    assert found == []
