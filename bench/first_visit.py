"""Sign-in and the backlog page in a real browser, against a real ``lodestar serve``.

    .venv/bin/python bench/first_visit.py [--runs 5] [--out FILE.json]

Loads the demo into a scratch data directory (production settings), starts ``lodestar serve``
on a free port of 127.0.0.1 and drives Chromium (``/usr/bin/chromium``, Playwright) through,
for each run, a new browser session (an empty cache and no cookies):

- **sign-in**: the sign-in page is open; from the click on "Sign in" to the ``load`` event of
  the page the redirects end on (the POST with its password check, the redirects, that page
  and what it loads);
- **backlog, first visit**: then going to the demo product's backlog page in the same session
  (what the sign-in's page loaded is in the cache; the backlog's own files are not): from the
  navigation to its ``load`` event, with the server's time for the HTML (Navigation Timing:
  request sent to first byte) and the bytes of every file the page fetched;
- **backlog, again**: a second visit to the page in that session (everything cached).

Also: the server's time of the sign-in POST alone, and of the backlog page's HTML alone, each
measured with a plain HTTP client (no browser), median of 20. Prints Markdown; medians over
``--runs``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
EMAIL = "quinn@acme.example"
PASSWORD = "lodestar-demo"  # the demo's published password
BACKLOG = "/w/acme/products/ACME/backlog"


def _env(data_dir: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"LODESTAR_DEBUG", "LODESTAR_TESTING", "DATABASE_URL"}
    }
    env.update(
        LODESTAR_DATA_DIR=str(data_dir),
        LODESTAR_SECRET_KEY=secrets.token_urlsafe(50),
        LODESTAR_INSECURE_HTTP="1",
        LODESTAR_ALLOWED_HOSTS="127.0.0.1,localhost",
        # Every run signs in from 127.0.0.1: the throttle counts failures only, but be safe.
        LODESTAR_LOGIN_ADDRESS_FAILURES="100000",
    )
    return env


def _lodestar(*args: str, env: dict[str, str]) -> None:
    command = [str(Path(sys.executable).with_name("lodestar")), *args]
    subprocess.run(command, env=env, check=True, capture_output=True, timeout=600)  # noqa: S603


def _timing(page: Any) -> dict[str, float]:
    """Navigation Timing of the page's document, milliseconds."""
    entry = page.evaluate(
        "() => JSON.stringify(performance.getEntriesByType('navigation')[0].toJSON())"
    )
    nav = json.loads(entry)
    return {
        "server (request to first byte)": nav["responseStart"] - nav["requestStart"],
        "html bytes (transferred)": nav["transferSize"],
        "html bytes (decoded)": nav["decodedBodySize"],
        "dom content loaded": nav["domContentLoadedEventEnd"],
        "load": nav["loadEventEnd"],
    }


def _resources(page: Any) -> list[dict[str, Any]]:
    entries = page.evaluate(
        "() => JSON.stringify(performance.getEntriesByType('resource').map(e => e.toJSON()))"
    )
    return [
        {
            "name": urllib.parse.urlsplit(e["name"]).path,
            "transfer": e["transferSize"],
            "decoded": e["decodedBodySize"],
            "ms": round(e["duration"], 1),
        }
        for e in json.loads(entries)
    ]


def browser_runs(base: str, runs: int) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    rows: dict[str, list[float]] = {}
    resources: list[dict[str, Any]] = []

    def add(name: str, value: float) -> None:
        rows.setdefault(name, []).append(value)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for run in range(runs + 1):  # the first run warms the server up, not counted
                context = browser.new_context()
                page = context.new_page()
                page.goto(f"{base}/signin")
                page.fill("input[name=email]", EMAIL)
                page.fill("input[name=password]", PASSWORD)
                start = time.perf_counter()
                with page.expect_navigation(wait_until="load"):
                    page.click("button[type=submit]")
                signed_in = (time.perf_counter() - start) * 1000
                assert "/signin" not in page.url, page.url
                start = time.perf_counter()
                page.goto(f"{base}{BACKLOG}", wait_until="load")
                first = (time.perf_counter() - start) * 1000
                timing = _timing(page)
                if run == runs:
                    resources = _resources(page)
                start = time.perf_counter()
                page.goto(f"{base}{BACKLOG}", wait_until="load")
                again = (time.perf_counter() - start) * 1000
                again_timing = _timing(page)
                context.close()
                if run == 0:
                    continue
                server = "server (request to first byte)"
                add("sign-in, click to the load of the page it ends on", signed_in)
                add("backlog, first visit: navigation to load", first)
                add(f"backlog, first visit: {server}", timing[server])
                add("backlog, first visit: HTML bytes sent", timing["html bytes (transferred)"])
                add("backlog, first visit: HTML bytes decoded", timing["html bytes (decoded)"])
                add("backlog, again: navigation to load", again)
                add(f"backlog, again: {server}", again_timing[server])
        finally:
            browser.close()
    return {
        "medians": {k: round(statistics.median(v), 1) for k, v in rows.items()},
        "all": {k: [round(x, 1) for x in v] for k, v in rows.items()},
        "first visit files": resources,
    }


def _request(
    port: int, method: str, path: str, body: str = "", headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes, float]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    start = time.perf_counter()
    connection.request(method, path, body=body or None, headers=headers or {})
    answer = connection.getresponse()
    content = answer.read()
    ms = (time.perf_counter() - start) * 1000
    found = {k.lower(): v for k, v in answer.getheaders()}
    cookies = answer.msg.get_all("Set-Cookie") or []
    found["set-cookie"] = "\n".join(cookies)
    connection.close()
    return answer.status, found, content, ms


def _cookies(header: str) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    for line in header.splitlines():
        jar.load(line)
    return {name: morsel.value for name, morsel in jar.items()}


def server_times(port: int, samples: int = 20) -> dict[str, Any]:
    """The sign-in POST and the backlog HTML as the server answers them (no browser)."""
    sign_in: list[float] = []
    page: list[float] = []
    size = 0
    for _ in range(samples + 2):
        _, headers, _, _ = _request(port, "GET", "/signin")
        cookies = _cookies(headers["set-cookie"])
        csrf = cookies["csrftoken"]
        body = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": csrf, "email": EMAIL, "password": PASSWORD}
        )
        status, headers, _, ms = _request(
            port,
            "POST",
            "/signin",
            body,
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={csrf}",
                "Referer": f"http://127.0.0.1:{port}/signin",
            },
        )
        assert status == 302, status
        sign_in.append(ms)
        session = _cookies(headers["set-cookie"])["sessionid"]
        status, _, content, ms = _request(
            port, "GET", BACKLOG, headers={"Cookie": f"sessionid={session}"}
        )
        assert status == 200, status
        page.append(ms)
        size = len(content)
    return {
        "sign-in POST (password check included)": round(statistics.median(sign_in[2:]), 1),
        "backlog HTML": round(statistics.median(page[2:]), 1),
        "backlog HTML bytes": size,
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    from harness.server import running_server

    data_dir = Path(tempfile.mkdtemp(prefix="lodestar-first-visit-"))
    env = _env(data_dir)
    _lodestar("migrate", env=env)
    _lodestar("demo", env=env)
    result: dict[str, Any] = {"load": [os.getloadavg()[0]]}
    with running_server(data_dir / "serve.log", env) as port:
        result["server"] = server_times(port)
        result["browser"] = browser_runs(f"http://127.0.0.1:{port}", args.runs)
    result["load"].append(os.getloadavg()[0])
    if args.out:
        args.out.write_text(json.dumps(result, indent=2))
    print("| measure | median |\n|---|---|")
    for name, value in {**result["server"], **result["browser"]["medians"]}.items():
        print(f"| {name} | {value:,} |")
    print("\n| first visit file | transferred | decoded | ms |\n|---|---|---|---|")
    for row in result["browser"]["first visit files"]:
        print(f"| {row['name']} | {row['transfer']:,} | {row['decoded']:,} | {row['ms']} |")
    print(f"\nload average at start / end: {result['load']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
