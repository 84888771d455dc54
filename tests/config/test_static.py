"""Static files in production: content-hashed names, cached for good, with gzip copies."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, override_settings

from lodestar.cli.server import _collect_static
from lodestar.config.static import hashed

HASHED = {"BACKEND": "lodestar.config.static.StaticStorage"}
PRODUCTION = {**settings.STORAGES, "staticfiles": HASHED}
TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "lodestar"
STATIC_TAG = re.compile(r"""\{% static ['"]([^'"]+)['"] %\}""")


def test_tests_and_development_serve_the_files_as_they_are() -> None:
    assert not hashed(settings.STORAGES)
    assert hashed(PRODUCTION)


@pytest.mark.django_db
def test_a_production_page_links_hashed_files_cached_for_good_and_gzipped(
    tmp_path: Path,
) -> None:
    with override_settings(STORAGES=PRODUCTION, STATIC_ROOT=tmp_path):
        _collect_static()  # what `lodestar web` does before it starts
        client = Client()
        page = client.get("/signin").content.decode()
        links = re.findall(r'(?:href|src)="(/static/[^"]+)"', page)
        assert links, page[:500]
        for link in links:
            assert re.search(r"\.[0-9a-f]{12}\.\w+$", link), link
            answer = client.get(link, headers={"Accept-Encoding": "gzip"})
            assert answer.status_code == 200, link
            assert "immutable" in answer["Cache-Control"], link
            if link.endswith((".css", ".js")):
                assert answer["Content-Encoding"] == "gzip", link
            b"".join(answer.streaming_content)  # type: ignore[attr-defined]
            answer.close()


@pytest.mark.django_db
def test_every_static_file_a_template_names_is_collected(tmp_path: Path) -> None:
    """A template naming a missing file would fail only in production (the manifest is
    strict): every ``{% static %}`` of every template must be in it."""
    from django.contrib.staticfiles.storage import staticfiles_storage

    named = {
        name
        for template in TEMPLATES.rglob("*.html")
        for name in STATIC_TAG.findall(template.read_text())
    }
    assert "lodestar/app.css" in named
    with override_settings(STORAGES=PRODUCTION, STATIC_ROOT=tmp_path):
        _collect_static()
        for name in sorted(named):
            assert re.search(r"\.[0-9a-f]{12}\.", staticfiles_storage.url(name)), name


@pytest.mark.django_db
def test_a_server_started_without_collecting_still_serves_the_files(tmp_path: Path) -> None:
    """Another way to start the server than `lodestar web` (no collected files): pages link
    the files by their own names, which are served from the source tree."""
    with override_settings(STORAGES=PRODUCTION, STATIC_ROOT=tmp_path):
        client = Client()
        answer = client.get("/signin")
        assert answer.status_code == 200
        link = re.findall(r'href="(/static/lodestar/app[^"]*)"', answer.content.decode())[0]
        assert link == "/static/lodestar/app.css"
        served = client.get(link)
        assert served.status_code == 200
        b"".join(served.streaming_content)  # type: ignore[attr-defined]
        served.close()
