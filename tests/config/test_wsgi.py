"""The WSGI module warms the process up before gunicorn forks its workers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PROBE = """
import json, sys
import lodestar.config.wsgi
from django.template import engines
loader = engines["django"].engine.template_loaders[0]
print(json.dumps({
    "views": sorted(m for m in sys.modules if m.startswith("lodestar.") and ".views" in m),
    "templates": sorted(str(key) for key in loader.get_template_cache),
}))
"""


def test_importing_the_wsgi_module_imports_the_views_and_compiles_the_templates(
    tmp_path: Path,
) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        "LODESTAR_TESTING": "1",
        "LODESTAR_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "lodestar.config.settings",
    }
    done = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert "lodestar.backlog.views.backlog" in found["views"]
    assert "lodestar.people.views" in found["views"]
    assert any("backlog/backlog.html" in key for key in found["templates"])
    assert any("base.html" in key for key in found["templates"])
