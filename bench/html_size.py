"""What the backlog page's HTML is made of, in bytes.

    .venv/bin/python bench/html_size.py [--user quinn@acme.example] [--out FILE.json]

Loads the demo into a scratch data directory (production settings), renders the demo
product's backlog page as the user sees it (Django's test client, signed in) and splits its
bytes: the page around the list and the rows; within the rows, the ``title`` attributes (hover
text), other attributes, inline SVG, whitespace between tags and the text people read. Also the
size gzip makes of it (what a compressing proxy would send).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import secrets
import sys
import tempfile
from pathlib import Path
from typing import Any

ROW = re.compile(r'<li class="bl-row.*?</li>', re.S)
TITLE_ATTR = re.compile(r'\stitle="[^"]*"')
ATTR = re.compile(r'\s[a-zA-Z_:][-a-zA-Z0-9_:.]*="[^"]*"')
SVG = re.compile(r"<svg.*?</svg>", re.S)
BETWEEN_TAGS = re.compile(r">(\s+)<")
TAG = re.compile(r"<[^>]*>")


def _parts(html: str) -> dict[str, int]:
    """Bytes of each kind in ``html`` (they overlap: SVG holds attributes, and so on)."""
    size = len(html.encode())
    return {
        "total": size,
        "title attributes": sum(len(m.group(0).encode()) for m in TITLE_ATTR.finditer(html)),
        "all attributes": sum(len(m.group(0).encode()) for m in ATTR.finditer(html)),
        "inline svg": sum(len(m.group(0).encode()) for m in SVG.finditer(html)),
        "whitespace between tags": sum(len(m.group(1)) for m in BETWEEN_TAGS.finditer(html)),
        "text (outside tags)": len(TAG.sub("", html).encode()),
        "gzip": len(gzip.compress(html.encode())),
    }


def measure(user: str) -> dict[str, Any]:
    from django.test import Client

    from lodestar.people.models import User

    client = Client()
    client.force_login(User.objects.get(email=user))
    answer = client.get("/w/acme/products/ACME/backlog")
    assert answer.status_code == 200, answer.status_code
    html = answer.content.decode()
    rows = ROW.findall(html)
    list_html = "".join(rows)
    rest = html.replace(list_html, "") if rows else html
    # Big blocks outside the rows: each inline <svg> sprite and each <script>/<template>.
    blocks = {
        f"sprite {i + 1}": len(m.group(0).encode())
        for i, m in enumerate(re.finditer(r'<svg class="svg-sprite".*?</svg>', rest, re.S))
    }
    return {
        "user": user,
        "page": _parts(html),
        "rows": len(rows),
        "rows part": _parts(list_html),
        "per row (mean)": {k: round(v / max(len(rows), 1)) for k, v in _parts(list_html).items()},
        "outside the rows": _parts(rest),
        "outside blocks": blocks,
        "largest row": max((len(r.encode()) for r in rows), default=0),
        "smallest row": min((len(r.encode()) for r in rows), default=0),
        "sample row": rows[0] if rows else "",
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--user", default="quinn@acme.example")
    parser.add_argument("--data-dir", type=Path, help="a data directory with the demo loaded")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="lodestar-html-"))
    for name in ("LODESTAR_DEBUG", "LODESTAR_TESTING", "DATABASE_URL"):
        os.environ.pop(name, None)
    os.environ.update(
        DJANGO_SETTINGS_MODULE="lodestar.config.settings",
        LODESTAR_DATA_DIR=str(data_dir),
        LODESTAR_SECRET_KEY=secrets.token_urlsafe(50),
        LODESTAR_INSECURE_HTTP="1",
        LODESTAR_ALLOWED_HOSTS="testserver",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from lodestar.people.models import User

    if not User.objects.exists():
        from lodestar.cli.server import _seed_demo

        _seed_demo()
    result = measure(args.user)
    if args.out:
        args.out.write_text(json.dumps(result, indent=2))
    print(
        f"rows: {result['rows']}, largest {result['largest row']:,} B, "
        f"smallest {result['smallest row']:,} B"
    )
    print("| bytes | whole page | the rows | per row | outside the rows |")
    print("|---|---|---|---|---|")
    for key in result["page"]:
        print(
            f"| {key} | {result['page'][key]:,} | {result['rows part'][key]:,} | "
            f"{result['per row (mean)'][key]:,} | {result['outside the rows'][key]:,} |"
        )
    for name, size in result["outside blocks"].items():
        print(f"| {name} (outside the rows) | {size:,} | | | |")
    print("\nA row:\n" + result["sample row"])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
