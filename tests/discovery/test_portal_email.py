"""How the portal's email leaves: the settings read from the environment, and the file backend
writing the confirmation message a visitor would receive."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from lodestar.discovery.portal_services import portal_update
from lodestar.strategy.models import Product
from tests.conftest import Persona

PROBE = """
import json
from django.conf import settings
print(json.dumps({
    "backend": settings.EMAIL_BACKEND,
    "file_path": str(settings.EMAIL_FILE_PATH),
    "host": settings.EMAIL_HOST,
    "port": settings.EMAIL_PORT,
    "tls": settings.EMAIL_USE_TLS,
    "ssl": settings.EMAIL_USE_SSL,
    "sender": settings.DEFAULT_FROM_EMAIL,
    "base_url": settings.BASE_URL,
}))
"""


def _settings(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("LODESTAR_EMAIL") and k not in ("DATABASE_URL", "LODESTAR_BASE_URL")
    }
    return subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", PROBE],
        env={
            **clean,
            "LODESTAR_TESTING": "1",
            "LODESTAR_DATA_DIR": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "lodestar.config.settings",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_email_settings_come_from_the_environment(tmp_path: Path) -> None:
    default = _settings(tmp_path)
    assert default.returncode == 0, default.stderr[-2000:]
    assert json.loads(default.stdout)["backend"].endswith("console.EmailBackend")
    assert json.loads(default.stdout)["file_path"] == str(tmp_path / "mail")

    smtp = _settings(
        tmp_path,
        LODESTAR_EMAIL_BACKEND="SMTP",
        LODESTAR_EMAIL_HOST="mail.example.com",
        LODESTAR_EMAIL_PORT="465",
        LODESTAR_EMAIL_USE_SSL="1",
        LODESTAR_EMAIL_FROM="Acme <ideas@example.com>",
        LODESTAR_BASE_URL="https://pm.example.com/",
    )
    assert smtp.returncode == 0, smtp.stderr[-2000:]
    assert json.loads(smtp.stdout) | {"file_path": ""} == {
        "backend": "django.core.mail.backends.smtp.EmailBackend",
        "file_path": "",
        "host": "mail.example.com",
        "port": 465,
        "tls": False,
        "ssl": True,
        "sender": "Acme <ideas@example.com>",
        "base_url": "https://pm.example.com",
    }


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"LODESTAR_EMAIL_BACKEND": "carrier-pigeon"}, "LODESTAR_EMAIL_BACKEND must be one of"),
        ({"LODESTAR_EMAIL_USE_TLS": "1", "LODESTAR_EMAIL_USE_SSL": "1"}, "not both"),
        ({"LODESTAR_EMAIL_PORT": "smtp"}, "LODESTAR_EMAIL_PORT must be a whole number"),
    ],
)
def test_bad_email_settings_stop_the_server_saying_why(
    tmp_path: Path, env: dict[str, str], message: str
) -> None:
    done = _settings(tmp_path, **env)
    assert done.returncode != 0
    assert message in done.stderr


def test_the_file_backend_writes_the_confirmation_a_visitor_follows(
    po: Persona, product: Product, settings: Any, tmp_path: Path
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path
    settings.BASE_URL = "https://pm.example.com"
    portal_update(actor=po.actor, product=product, enabled=True, title="Acme ideas")
    client = Client()
    sent = client.post(
        "/portal/acme/ACME/ideas", {"title": "Dark mode", "email": "ana@example.com"}
    )
    assert sent.status_code == 302
    (written,) = tmp_path.iterdir()
    text = written.read_text()
    assert "To: ana@example.com" in text
    assert "Subject: Confirm your idea for Acme ideas" in text
    link = next(line for line in text.splitlines() if line.startswith("https://pm.example.com/"))
    path = link.removeprefix("https://pm.example.com")
    assert b"Thank you" in client.post(path).content
    assert b"Already confirmed" in client.post(path).content
