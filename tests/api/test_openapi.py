from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.conf import settings

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


# The published operation ids: a renamed or removed id breaks every generated client.
OPERATIONS = Path(__file__).resolve().parents[2] / "docs" / "api-operations.txt"
OPERATION_ID = re.compile(r"^[a-z]+(?:_[a-z]+)+$")


def _live_operations() -> list[tuple[str, str, str]]:
    paths = json.loads(openapi_json())["paths"]
    return sorted(
        (operation["operationId"], method.upper(), path)
        for path, operations in paths.items()
        for method, operation in operations.items()
    )


def _published_operations() -> list[tuple[str, str, str]]:
    lines = OPERATIONS.read_text(encoding="utf-8").splitlines()
    rows = [tuple(line.split()) for line in lines if line.strip() and not line.startswith("#")]
    malformed = [row for row in rows if len(row) != 3]
    assert not malformed, f"docs/api-operations.txt lines must be 'id METHOD path': {malformed}"
    return sorted((row[0], row[1], row[2]) for row in rows)


def test_every_operation_declares_its_id() -> None:
    from lodestar.api.urls import api

    implicit = sorted(
        f"{method} {prefix.rstrip('/')}{path} ({view_func.__module__}.{view_func.__name__})"
        for prefix, router in api._routers
        for path, view in router.path_operations.items()
        for operation in view.operations
        for method in operation.methods
        if not operation.operation_id
        for view_func in [operation.view_func]
    )
    assert not implicit, (
        "Give these operations an explicit operation_id='<thing>_<verb>' in their decorator:\n  "
        + "\n  ".join(implicit)
    )


def test_operation_ids_are_unique_thing_verb_names() -> None:
    ids = [operation_id for operation_id, _, _ in _live_operations()]
    assert ids
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert not duplicates, f"operation ids used twice: {duplicates}"
    derived = [i for i in ids if i.startswith("lodestar_") or not OPERATION_ID.match(i)]
    assert not derived, f"operation ids must be <thing>_<verb> in snake case: {derived}"


def test_the_published_operation_ids_match_the_schema() -> None:
    published, live = set(_published_operations()), set(_live_operations())
    renamed = "\n  ".join(f"- {' '.join(row)}" for row in sorted(published - live))
    added = "\n  ".join(f"+ {' '.join(row)}" for row in sorted(live - published))
    assert published == live, (
        "The API's operations differ from docs/api-operations.txt. A published id is part of "
        "the contract: rename one only with a new API version, and publish a new operation by "
        f"adding its line.\n  {renamed}\n  {added}"
    )
    assert len(published) == len(_published_operations()), "a line is repeated"


def test_the_api_and_the_cli_do_not_import_each_other() -> None:
    src = Path(__file__).resolve().parents[2] / "src" / "lodestar"

    def imports(package: str) -> set[tuple[str, str]]:
        found = set()
        for module in (src / package).rglob("*.py"):
            for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.module:
                    found.add((module.name, node.module))
                elif isinstance(node, ast.Import):
                    found.update((module.name, alias.name) for alias in node.names)
        return found

    assert not {i for i in imports("api") if i[1].startswith("lodestar.cli")}
    assert not {i for i in imports("cli") if i[1].startswith("lodestar.api")}


def _operations() -> list[tuple[str, str, dict[str, object]]]:
    paths = json.loads(openapi_json())["paths"]
    return [
        (method, path, operation)
        for path, operations in paths.items()
        for method, operation in operations.items()
    ]


def test_every_error_answer_is_declared_as_problem_json() -> None:
    wrong = sorted(
        f"{method.upper()} {path} {status}: {sorted(response.get('content', {}))}"
        for method, path, operation in _operations()
        for status, response in operation["responses"].items()  # type: ignore[attr-defined]
        if int(status) >= 400 and list(response.get("content", {})) != ["application/problem+json"]
    )
    assert not wrong, "error answers must be application/problem+json:\n  " + "\n  ".join(wrong)


def test_every_operation_declares_what_the_layers_before_it_answer() -> None:
    """401 and 429 (authentication, the rate limit) everywhere; 413, 415 and 422 (the body
    checks) on every method with a body; the Idempotency-Key header on every POST."""
    from lodestar.api.parser import UPLOAD_MAX_BYTES, UPLOAD_SUFFIX

    missing = []
    for method, path, operation in _operations():
        statuses = {int(s) for s in operation["responses"]}  # type: ignore[attr-defined]
        needed = {401, 429} | ({413, 415, 422} if method in {"post", "put", "patch"} else set())
        if needed - statuses:
            missing.append(f"{method.upper()} {path}: {sorted(needed - statuses)}")
        if method in {"post", "put", "patch"}:
            # An upload (a file sent to an import) has its own limit (api/parser.py).
            upload = path.endswith(UPLOAD_SUFFIX)
            size = f"{UPLOAD_MAX_BYTES if upload else settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} bytes"
            assert size in operation["responses"]["413"]["description"], path  # type: ignore[index]
        retry_after = operation["responses"]["429"].get("headers", {})  # type: ignore[index]
        assert "Retry-After" in retry_after, path
        headers = {
            p["name"]: p["schema"]
            for p in operation.get("parameters", [])  # type: ignore[attr-defined]
            if p["in"] == "header"
        }
        if method == "post":
            assert headers.get("Idempotency-Key", {}).get("maxLength") == 255, path
    assert not missing, "undeclared answers:\n  " + "\n  ".join(missing)


def test_the_operations_that_read_if_match_declare_it() -> None:
    """``openapi_extra=IF_MATCH`` on exactly the handlers that call ``if_match``."""
    from lodestar.api.urls import api

    reads = {
        operation.operation_id
        for _, router in api._routers
        for view in router.path_operations.values()
        for operation in view.operations
        if "if_match" in operation.view_func.__code__.co_names
    }
    declared = {
        operation["operationId"]
        for _, _, operation in _operations()
        if any(p["name"] == "If-Match" for p in operation.get("parameters", []))  # type: ignore[attr-defined]
    }
    assert reads
    assert declared == reads


def test_the_document_is_built_once_and_each_caller_gets_a_copy(monkeypatch: Any) -> None:
    from ninja import NinjaAPI

    from lodestar.api.urls import api as fresh

    monkeypatch.setitem(fresh.__dict__, "_documents", {})
    builds: list[int] = []
    original = NinjaAPI.get_openapi_schema

    def counting(self: NinjaAPI, **kwargs: Any) -> Any:
        builds.append(1)
        return original(self, **kwargs)

    monkeypatch.setattr(NinjaAPI, "get_openapi_schema", counting)
    first = fresh.get_openapi_schema()
    first["info"]["title"] = "changed by a caller"
    second = fresh.get_openapi_schema()
    assert len(builds) == 1
    assert second["info"]["title"] != "changed by a caller"


def _subclasses(cls: type) -> list[type]:
    found: list[type] = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


def test_no_two_schemas_share_a_name() -> None:
    # The OpenAPI document names each schema by its class name: a second class of the same
    # name silently takes the first one's place (a problem+json answer described as a
    # customer problem, say).
    from pydantic import BaseModel

    import lodestar.api.urls  # noqa: F401 - every router, so every schema, is imported

    modules: dict[str, set[str]] = {}
    for cls in _subclasses(BaseModel):
        if cls.__module__.startswith("lodestar.") and "[" not in cls.__name__:
            modules.setdefault(cls.__name__, set()).add(cls.__module__)
    clashes = {name: sorted(where) for name, where in modules.items() if len(where) > 1}
    assert not clashes, f"Schema names used by more than one module: {clashes}"
