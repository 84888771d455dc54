"""Scratch databases for the benchmarks: a PostgreSQL database made for one run and dropped
after it, and a benchmark's child process run against SQLite or PostgreSQL."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any


def postgres_database(url: str, action: str) -> None:
    """Create (dropping any leftover) or drop the scratch database named in ``url``."""
    import psycopg
    from psycopg import sql

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True, connect_timeout=10) as conn:
        drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
        conn.execute(drop.format(sql.Identifier(name)))
        if action == "create":
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def run_child(script: str, db: str, argv: list[str], *, postgres_url: str) -> dict[str, Any]:
    """Run ``script --child DB ARGV... --out FILE`` with production settings on a scratch
    database (SQLite in a temporary data directory, or ``postgres_url`` made and dropped), and
    return the JSON the child wrote to ``FILE``."""
    data_dir = Path(tempfile.mkdtemp(prefix=f"lodestar-bench-{Path(script).stem}-{db}-"))
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"LODESTAR_DEBUG", "LODESTAR_TESTING", "DATABASE_URL"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="lodestar.config.settings",
        LODESTAR_DATA_DIR=str(data_dir),
        LODESTAR_SECRET_KEY=secrets.token_urlsafe(50),
    )
    if db == "postgres":
        env["DATABASE_URL"] = postgres_url
        postgres_database(postgres_url, "create")
    out = data_dir / "result.json"
    try:
        subprocess.run(  # noqa: S603 - a benchmark script, fixed arguments
            [sys.executable, script, "--child", db, *argv, "--out", str(out)],
            env=env,
            check=True,
        )
        result: dict[str, Any] = json.loads(out.read_text())
    finally:
        if db == "postgres":
            postgres_database(postgres_url, "drop")
        shutil.rmtree(data_dir, ignore_errors=True)
    return result
