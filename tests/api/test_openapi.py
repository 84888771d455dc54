from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from lodestar.api.openapi import openapi_json

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def test_the_committed_openapi_document_matches_the_code() -> None:
    assert COMMITTED.is_file(), "docs/openapi.json is missing; run `make openapi`"
    assert COMMITTED.read_text(encoding="utf-8") == openapi_json(), (
        "docs/openapi.json is out of date with the API; run `make openapi` and commit it"
    )


def test_the_document_is_stable_text() -> None:
    text = openapi_json()
    assert text == openapi_json()
    assert text.endswith("}\n")
    assert json.dumps(json.loads(text), sort_keys=True, indent=2, ensure_ascii=False) + "\n" == text


def test_every_request_body_refuses_unknown_fields() -> None:
    schemas = json.loads(openapi_json())["components"]["schemas"]
    bodies = {
        ref.rsplit("/", 1)[-1]
        for path in json.loads(openapi_json())["paths"].values()
        for operation in path.values()
        for media in operation.get("requestBody", {}).get("content", {}).values()
        for ref in [media["schema"].get("$ref", "")]
        if ref
    }
    assert bodies
    lax = sorted(name for name in bodies if schemas[name].get("additionalProperties") is not False)
    assert not lax, f"request bodies must derive from api.schemas.InSchema: {lax}"


def test_the_module_prints_the_document(tmp_path: Path) -> None:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LODESTAR_DATA_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-m", "lodestar.api.openapi"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == openapi_json()
