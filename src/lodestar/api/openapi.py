"""The OpenAPI document of the HTTP API, exported to ``docs/openapi.json``.

``python -m lodestar.api.openapi`` prints it (``make openapi`` writes the file); a test fails
when the committed file no longer matches the code.
"""

from __future__ import annotations

import json
import os
import sys


def openapi_json() -> str:
    """The OpenAPI document as stable text: sorted keys, two-space indent, final newline."""
    from lodestar.api.urls import api

    schema = api.get_openapi_schema()
    return json.dumps(schema, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    # Describing the API needs no production secret; a development setup is enough.
    os.environ.setdefault("LODESTAR_DEBUG", "1")
    from lodestar.config.bootstrap import setup_django

    setup_django()
    sys.stdout.write(openapi_json())


if __name__ == "__main__":
    main()
