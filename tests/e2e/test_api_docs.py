"""The API reference page renders every operation from Lodestar's own files, offline."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_api_docs_list_the_operations_with_no_request_leaving_this_machine(
    page: Any, screenshot: Any
) -> None:
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).hostname or ""))
    page.goto("/api/v1/docs")
    operations = page.locator(".opblock")
    # Building the OpenAPI document and Swagger UI's script takes a while on a busy machine: a
    # generous wait for the page to appear (not a timing assertion).
    expect(operations.first).to_be_visible(timeout=30_000)
    # With this many operations Swagger UI draws only those near the viewport (a virtual
    # list): scroll down the page, collecting the operations drawn on the way.
    seen: set[str] = set()
    for _ in range(100):
        seen.update(operations.evaluate_all("elements => elements.map(e => e.id)"))
        if len(seen) > 20:
            break
        page.mouse.wheel(0, 600)
        page.wait_for_timeout(50)
    assert len(seen) > 20, seen
    page.evaluate("window.scrollTo(0, 0)")
    expect(page.get_by_text("/api/v1/workspaces/{workspace_slug}/items/{item_key}").first)
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    screenshot("api-docs")
    assert hosts == {"127.0.0.1"}, f"the docs page asked other hosts: {hosts - {'127.0.0.1'}}"
