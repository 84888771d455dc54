"""The API reference page is served from Lodestar's own files."""

from __future__ import annotations

import re

import pytest
from django.test import Client


@pytest.mark.django_db  # the API counts every request in the database (its rate limit)
def test_the_docs_page_loads_nothing_from_another_host_and_has_no_inline_script(
    client: Client,
) -> None:
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in html
    assert "/static/lodestar/api-docs.js" in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "an inline script"
    assert 'data-openapi-url="/api/v1/openapi.json"' in html
