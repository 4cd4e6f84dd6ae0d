"""Statements and in-process server time of the HTML pages, for the demo users on the demo projects.

    .venv/bin/python -m bench.pages [--url postgresql://postgres@127.0.0.1:5432/postgres] [--runs 200] [--sql]

Builds a fresh database (dropped at the end) with the demo users and sample projects, signs in
through the sign-in form with Flask's test client and, for each page and user: one warm-up request,
one counted request (the counter of tests/web/test_page_queries.py), then *runs* timed requests
(median and 90th percentile of the whole request through the test client).
"""
from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select

from bench.fresh import fresh_database
from models.db import Database
from models.migrate import upgrade
from models.tables import human_task, process_instance, project
from services import demo, demo_projects
from services.context import Services
from services.inbox import tasks_for
from services.official import keys as official_keys
from services.users import load_actor
from services.visibility import visible_instances
from tests.web.site import Site
from tests.web.test_page_queries import counting
from web.app import create_app

USERS = ("hrss_clerk", "icbc_user", "health_user", "bdc_reviewer", "supervisor")


@contextmanager
def _logged(ctx: Services) -> Iterator[list[str]]:
    seen: list[str] = []

    def _statement(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(" ".join(statement.split())[:160])

    event.listen(ctx.db.engine, "before_cursor_execute", _statement)
    try:
        yield seen
    finally:
        event.remove(ctx.db.engine, "before_cursor_execute", _statement)


def _seed(ctx: Services) -> None:
    upgrade(ctx.db.engine)
    demo.seed_demo(ctx)
    official_keys.ensure_demo_ca(ctx)
    demo_projects.seed_sample_projects(ctx)
    demo_projects.seed_sample_plans(ctx)


def _richest_project(ctx: Services, username: str) -> int | None:
    """Return the project with the most steps that *username* may see."""
    query = (select(human_task.c.instance_id)
             .join(project, project.c.instance_id == human_task.c.instance_id)
             .join(process_instance, process_instance.c.id == human_task.c.instance_id)
             .where(visible_instances(load_actor(ctx, username)))
             .group_by(human_task.c.instance_id).order_by(func.count().desc(), human_task.c.instance_id).limit(1))
    with ctx.db.read() as conn:
        return conn.execute(query).scalar()


def _urls(ctx: Services, username: str) -> dict[str, str]:
    urls = {"task list": "/", "project list": "/projects/"}
    project_id = _richest_project(ctx, username)
    if project_id:
        urls["project page"] = f"/projects/{project_id}"
    with ctx.db.read() as conn:
        projects = set(conn.execute(select(project.c.instance_id)).scalars())
    tasks = sorted(tasks_for(ctx, load_actor(ctx, username)), key=lambda t: t["instance_id"] not in projects)
    if tasks:
        urls["task page"] = f"/tasks/{tasks[0]['id']}"
    if username in ("supervisor", "hrss_clerk", "bdc_reviewer"):
        urls["dashboard"] = "/dashboard/"
    return urls


class Turns:
    """Take turns with another run of this script (another checkout), so that both see the same machine load."""

    def __init__(self, spec: str | None) -> None:
        self.path, self.me, self.other = (spec.split(":") if spec else (None, None, None))

    def wait(self) -> None:
        while self.path and Path(self.path).read_text().strip() != self.me:
            time.sleep(0.05)

    def done(self) -> None:
        if self.path and self.other:
            Path(self.path).write_text(self.other)


def _timed(user: Any, url: str, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter_ns()
        user.get(url, follow_redirects=True)
        times.append((time.perf_counter_ns() - start) / 1e6)
    return times


def _measure(site: Site, ctx: Services, username: str, url: str, runs: int, show_sql: bool,
             turns: Turns, rounds: int) -> dict[str, Any]:
    user = site.user(username)
    status = user.get(url, follow_redirects=True).status_code
    with counting(ctx) as counted, _logged(ctx) as sql:
        user.get(url, follow_redirects=True)
    times = []
    for _ in range(rounds):
        turns.wait()
        times += _timed(user, url, runs // rounds)
        turns.done()
    if show_sql:
        print(f"--- {username} {url}", *sql, sep="\n    ")
    times.sort()
    return {"status": status, "statements": counted.statements, "transactions": counted.transactions,
            "median_ms": statistics.median(times), "p90_ms": times[int(len(times) * 0.9) - 1] if times else None}


def main(argv: list[str] | None = None) -> None:
    """Print each page's statements and server time per demo user."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=None, help="a PostgreSQL maintenance URL (default: a SQLite file)")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--sql", action="store_true", help="print each page's statements")
    parser.add_argument("--turns", help="FILE:ME:OTHER: time in turns with another run, FILE naming whose turn it is")
    parser.add_argument("--rounds", type=int, default=1, help="turns per page (the runs are split among them)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder, fresh_database(args.url, Path(folder)) as url:
        os.environ.setdefault("YIKATONG_INSTANCE_PATH", str(Path(folder) / "instance"))
        os.environ.setdefault("YIKATONG_SECRET_KEY", "bench-pages")
        ctx = Services(db=Database(url), files_dir=Path(folder) / "files")
        _seed(ctx)
        site = Site(create_app({"TESTING": True}, services_=ctx))
        print(f"{'user':14} {'page':14} {'status':>6} {'stmts':>5} {'median':>8} {'p90':>8}  transactions")
        for username in USERS:
            for name, url in _urls(ctx, username).items():
                r = _measure(site, ctx, username, url, args.runs, args.sql, Turns(args.turns), args.rounds)
                print(f"{username:14} {name:14} {r['status']:>6} {r['statements']:>5} "
                      f"{r['median_ms']:>8.2f} {r['p90_ms']:>8.2f}  {r['transactions']} {url}")
        ctx.db.dispose()


if __name__ == "__main__":
    main()
