"""The front-end bundle for tests: installed from the lock file and built once per run."""
from __future__ import annotations

import functools
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FRONTEND = ROOT / "frontend"
DIST = ROOT / "web" / "static" / "dist"


@functools.cache
def built() -> Path:
    """Install the front-end's packages if needed (npm ci), build the bundle, and return its folder."""
    npm = shutil.which("npm")
    assert npm, "npm is needed to build the diagram widgets (scripts/test installs Node.js)"
    if not (FRONTEND / "node_modules").is_dir():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=FRONTEND, check=True, capture_output=True)
    subprocess.run([npm, "run", "build"], cwd=FRONTEND, check=True, capture_output=True)
    return DIST
