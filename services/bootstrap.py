"""Build the services from the environment: database URL and instance folder."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from models.db import Database
from models.migrate import upgrade
from services.context import Services

ROOT = Path(__file__).resolve().parent.parent


def instance_path() -> Path:
    """Return the folder for local state: $YIKATONG_INSTANCE_PATH, else ./instance of a checkout."""
    configured = os.environ.get("YIKATONG_INSTANCE_PATH")
    if configured:
        return Path(configured).resolve()
    if "site-packages" in ROOT.parts:
        return Path(sys.prefix) / "var" / "yikatong-instance"
    return ROOT / "instance"


def database_url(folder: Path | None = None) -> str:
    """Return $YIKATONG_DATABASE_URL, else a SQLite file in the instance folder."""
    configured = os.environ.get("YIKATONG_DATABASE_URL")
    if configured:
        return configured
    folder = folder or instance_path()
    return f"sqlite:///{folder / 'yikatong.sqlite3'}"


def build_services(url: str | None = None, folder: Path | None = None) -> Services:
    """Return the services for *url* (or the configured database) with files under *folder*."""
    folder = folder or instance_path()
    folder.mkdir(parents=True, exist_ok=True)
    return Services(db=Database(url or database_url(folder)), files_dir=folder / "files")


def upgrade_database(ctx: Services) -> str:
    """Apply every migration; return the revision the database is now at."""
    ctx.db.ping()
    return upgrade(ctx.db.engine)
