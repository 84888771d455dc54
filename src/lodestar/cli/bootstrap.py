"""Django set-up for CLI commands (imported lazily so ``--help`` stays fast).

The set-up itself lives in ``lodestar.config.bootstrap``, shared with the API's entry points.
"""

from __future__ import annotations

from lodestar.config.bootstrap import setup_django

__all__ = ["setup_django"]
