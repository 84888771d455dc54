"""Secrets handed to people (API tokens, invitation links): generated here, stored hashed."""

from __future__ import annotations

import hashlib
import secrets

API_TOKEN_PREFIX = "lsk_"  # noqa: S105 - a public marker, not a secret


def new_secret(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    """SHA-256 of a high-entropy secret: enough, since the secret itself is never guessable."""
    return hashlib.sha256(secret.encode()).hexdigest()
