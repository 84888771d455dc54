"""The report pages: the page with its presets and charts, the period form refusing bad input
with the field to fix, the Markdown download, and the printable file (self-contained, its
inline stylesheet allowed by hash, viewable or downloaded); viewers read them all."""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

import pytest
from django.test import Client

from lodestar.strategy.models import Product
from tests.conftest import Persona
from tests.reports.conftest import HOSTILE, World

pytestmark = pytest.mark.django_db

PAGE = "/w/acme/reports/ACME"
Q4 = {"since": "2026-10-01", "until": "2026-12-31"}


def _as(persona: Persona) -> Client:
    client = Client()
    client.force_login(persona.user)
    return client


def _text(response: Any) -> str:
    return response.content.decode()


def test_a_viewer_reads_the_report_page_with_its_charts(viewer: Persona, world: World) -> None:
    client = _as(viewer)
    # The sidebar's entry leads to the only product's report.
    assert client.get("/w/acme/reports")["Location"] == PAGE
    response = client.get(PAGE, Q4)
    assert response.status_code == 200
    page = _text(response)
    for section in ("goals", "sprints", "releases", "decisions", "problems"):
        assert f'data-testid="report-{section}"' in page
    assert 'id="report-velocity"' in page
    assert 'id="report-timeline"' in page
    assert "1 Oct \N{EN DASH} 31 Dec 2026 (92 days)" in page
    # Titles are escaped, never markup.
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    # The presets: the last 90 days, then quarters, the chosen one marked.
    assert 'aria-current="page">Q4 2026</a>' in page
    assert ">Last 90 days</a>" in page
    assert "markdown?since=2026-10-01&amp;until=2026-12-31" in page
    # Titles lead to their pages.
    assert f'href="/w/acme/releases/ACME/{world.live.pk}"' in page
    assert 'href="/w/acme/decisions/ACME/1"' in page


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ({"since": "2026-02-30"}, "Since: must be a date like 2026-10-01"),
        ({"since": "2026-12-01", "until": "2026-10-01"}, "Since: must be on or before until"),
        ({"since": "2024-01-01", "until": "2026-01-01"}, "a report covers at most 366"),
    ],
)
def test_a_bad_period_shows_the_form_again_naming_what_to_fix(
    owner: Persona, product: Product, query: dict[str, str], words: str
) -> None:
    response = _as(owner).get(PAGE, query)
    assert response.status_code == 422
    page = _text(response)
    assert 'data-testid="report-error"' in page
    assert words in page
    assert 'data-testid="report-goals"' not in page
    # What was typed stays in the form.
    assert f'value="{query["since"]}"' in page


def test_the_markdown_downloads(viewer: Persona, world: World) -> None:
    response = _as(viewer).get(PAGE + "/markdown", Q4)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="ACME-report-2026-10-01-to-2026-12-31.md"'
    )
    text = _text(response)
    assert text.startswith("# ACME Acme Analytics: stakeholder update\n")
    assert r"Pipes \| and new lines" in text


def test_the_printable_file_is_self_contained(viewer: Persona, world: World) -> None:
    response = _as(viewer).get(PAGE + "/print", Q4)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("inline; filename=")
    html = _text(response)
    assert "<script" not in html.replace("&lt;script", "")
    assert "<link" not in html
    assert 'src="' not in html
    assert "<svg" in html
    # A saved file has no server to lead to: no links into the app.
    assert 'href="/w/' not in html
    assert 'id="report-velocity"' in html
    assert "@media print" in html
    # The inline stylesheet is the only one the policy allows, by its hash.
    css = re.search(r"<style>(.*?)</style>", html, re.S)
    assert css is not None
    digest = base64.b64encode(hashlib.sha256(css.group(1).encode()).digest()).decode()
    policy = response["Content-Security-Policy"]
    assert f"style-src 'sha256-{digest}'" in policy
    assert "default-src 'none'" in policy
    assert "script-src" not in policy
    # The charts keep their colours: the app's variables and chart rules came along.
    assert "--chart-1:" in css.group(1)
    assert ".chart .c1" in css.group(1)
    assert " ".join(HOSTILE.split()).replace("<", "&lt;").replace(">", "&gt;")[:40] in html

    download = _as(viewer).get(PAGE + "/print", {**Q4, "download": "1"})
    assert download["Content-Disposition"] == (
        'attachment; filename="ACME-report-2026-10-01-to-2026-12-31.html"'
    )


@pytest.mark.parametrize("suffix", ["", "/markdown", "/print"])
def test_other_products_and_outsiders_get_404(
    owner: Persona, outsider: Persona, product: Product, foreign_product: Product, suffix: str
) -> None:
    client = _as(owner)
    assert client.get(f"/w/acme/reports/NOPE{suffix}").status_code == 404
    assert client.get(f"/w/acme/reports/GLOB{suffix}").status_code == 404
    assert _as(outsider).get(PAGE + suffix).status_code == 404
    anonymous = Client().get(PAGE + suffix)
    assert anonymous.status_code == 302
    assert "/signin" in anonymous["Location"]


@pytest.mark.parametrize("suffix", ["/markdown", "/print"])
def test_the_files_refuse_a_bad_period(owner: Persona, product: Product, suffix: str) -> None:
    response = _as(owner).get(PAGE + suffix, {"since": "2026-12-01", "until": "2026-10-01"})
    assert response.status_code == 422
    assert "must be on or before until" in _text(response)
