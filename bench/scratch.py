"""Scratch databases of one benchmark run: SQLite files in a temp folder, PostgreSQL databases of
its own; everything is removed by ``close()``, which the runner calls even on error."""
from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from models.db import Database, normalize_url
from models.migrate import upgrade
from services.context import Services
from services.demo import seed_demo
from services.process_models import deploy, read_forms

BENCH_DIR = Path(__file__).resolve().parent
LINEAR_BPMN = BENCH_DIR / "linear.bpmn"
PG_ADMIN_URL = os.environ.get("YIKATONG_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PREFIX = "yikatong_bench_"


def deploy_linear(ctx: Services) -> None:
    """Deploy the benchmark's five-task linear diagram."""
    deploy(ctx, LINEAR_BPMN.read_bytes(), read_forms(LINEAR_BPMN), LINEAR_BPMN.name)


def seed(url: str, files: Path) -> None:
    """Migrate and seed the database at *url* like the tests do, plus the linear diagram."""
    ctx = Services(db=Database(url), files_dir=files)
    try:
        upgrade(ctx.db.engine)
        seed_demo(ctx)
        deploy_linear(ctx)
    finally:
        ctx.db.dispose()


class Scratch:
    """Creates the run's databases and removes every one of them on close."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix=PREFIX))
        self.run_id = uuid.uuid4().hex[:8]
        self._template: Path | None = None
        self._pg_names: list[str] = []
        self._admin = None

    def files_dir(self, name: str) -> Path:
        """Return a folder for uploaded files of the database *name*."""
        return self.folder / f"files-{name}"

    def sqlite(self, name: str) -> str:
        """Return the URL of a new seeded SQLite file (a copy of one seeded template)."""
        if self._template is None:
            self._template = self.folder / "template.sqlite3"
            seed(f"sqlite:///{self._template}", self.files_dir("template"))
        path = self.folder / f"{name}.sqlite3"
        shutil.copy(self._template, path)
        return f"sqlite:///{path}"

    def postgresql(self, name: str) -> str:
        """Return the URL of a new seeded PostgreSQL database owned by this run."""
        if self._admin is None:
            self._admin = create_engine(normalize_url(PG_ADMIN_URL), isolation_level="AUTOCOMMIT")
        database = f"{PREFIX}{self.run_id}_{name}"
        with self._admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{database}"'))
        self._pg_names.append(database)
        url = make_url(normalize_url(PG_ADMIN_URL)).set(database=database).render_as_string(hide_password=False)
        seed(url, self.files_dir(name))
        return url

    def postgresql_available(self) -> str | None:
        """Return None if the PostgreSQL server answers, else the reason it does not."""
        try:
            engine = create_engine(normalize_url(PG_ADMIN_URL))
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            engine.dispose()
        except Exception as exc:  # noqa: BLE001 - any failure means: skip PostgreSQL
            return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        return None

    def close(self) -> list[str]:
        """Drop this run's PostgreSQL databases and delete its folder; return what was dropped."""
        dropped = []
        if self._admin is not None:
            with self._admin.connect() as conn:
                for database in self._pg_names:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
                    dropped.append(database)
            self._admin.dispose()
        self._pg_names.clear()
        shutil.rmtree(self.folder, ignore_errors=True)
        return dropped
