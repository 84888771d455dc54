"""The data directory holds the embedded database (and so the session keys) and the secret key:
only the user who runs Lodestar may read it. New files are made private (``private_umask``);
existing ones are checked at start-up and a loose mode is reported, never changed silently."""

from __future__ import annotations

import os
import stat
from pathlib import Path

# Owner only: directories rwx------, files rw-------.
PRIVATE_UMASK = 0o077


def private_umask() -> None:
    """Files and directories this process creates are readable by its user alone."""
    os.umask(PRIVATE_UMASK)


def loose_permissions(data_dir: Path) -> list[str]:
    """A warning for the data directory and each file in it that others may read or write."""
    if not data_dir.is_dir():
        return []
    warnings = []
    for path in [data_dir, *sorted(p for p in data_dir.iterdir() if p.is_file())]:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            wanted = "700" if path.is_dir() else "600"
            warnings.append(
                f"Warning: {path} can be read by other users of this machine (mode "
                f"{mode:o}); it holds Lodestar's data. Run: chmod {wanted} '{path}'"
            )
    return warnings
