"""HTTP API router of this context (thin: parse, access, service or selector, render)."""

from __future__ import annotations

from ninja import Router

router = Router()
