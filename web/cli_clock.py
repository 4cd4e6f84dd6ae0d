"""Commands of the statutory clock: `timers`, `worker` and `calendar`."""
from __future__ import annotations

import json
import logging

import click

from services import timers, worker
from services.calendar import admin as calendar_admin
from web.cli import command_errors, ctx_services, print_json


@click.group("timers")
def timers_group() -> None:
    """Timer commands."""


@timers_group.command("run-due")
@command_errors
def run_due() -> None:
    """Advance every instance whose timer is due."""
    print_json(timers.fire_due_timers(ctx_services()))


@timers_group.command("status")
@command_errors
def timers_status() -> None:
    """Show the workers' heartbeats and the instances whose timers failed."""
    print_json(worker.overview(ctx_services(), None))


@timers_group.command("retry")
@click.argument("instance_id", type=int)
@command_errors
def timers_retry(instance_id: int) -> None:
    """Let the worker try a failed instance's timers again."""
    print_json(worker.retry(ctx_services(), None, instance_id))


@click.command("worker")
@click.option("--interval", default=worker.DEFAULT_INTERVAL_SECONDS, show_default=True, type=float,
              help="seconds between passes")
@click.option("--once", is_flag=True, help="one pass, then exit")
@command_errors
def worker_command(interval: float, once: bool) -> None:
    """Advance instances whose timers are due and send pending e-mails, until stopped."""
    services = ctx_services()
    if once:
        done = worker.run_once(services, worker.register(services))
        print_json({"fired": done.fired, "failed": done.failed})
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("spiff").setLevel(logging.WARNING)  # SpiffWorkflow logs every task state change at INFO
    try:
        worker.run_forever(services, interval)
    except KeyboardInterrupt:
        pass


@click.group("calendar")
def calendar_group() -> None:
    """Working days under the Chinese statutory calendar, and its overrides."""


@calendar_group.command("due")
@click.argument("start")
@click.argument("count")
@command_errors
def calendar_due(start: str, count: str) -> None:
    """Print the day COUNT working days after START (START itself not counted)."""
    click.echo(json.dumps(calendar_admin.due(ctx_services(), start, count)))


@calendar_group.command("overrides")
@command_errors
def calendar_overrides() -> None:
    """List the administrators' overrides."""
    print_json(calendar_admin.list_overrides(ctx_services()))


@calendar_group.command("set")
@click.argument("day")
@click.option("--workday/--rest-day", required=True, help="a working day, or a day off")
@click.option("--name", required=True, help="e.g. 春节 or 春节调休上班")
@click.option("--source", required=True, help="the document that fixes the day")
@command_errors
def calendar_set(day: str, workday: bool, name: str, source: str) -> None:
    """Override one day (wins over every other source) and recompute deadlines."""
    print_json(calendar_admin.add_override(ctx_services(), None, day, workday, name, source))


@calendar_group.command("unset")
@click.argument("day")
@command_errors
def calendar_unset(day: str) -> None:
    """Remove the override of one day and recompute deadlines."""
    print_json(calendar_admin.remove_override(ctx_services(), None, day))


@calendar_group.command("official")
@click.argument("year", type=int)
@click.option("--source", default="", help="the State Council notice")
@click.option("--revoke", is_flag=True, help="the year's overrides are not official after all")
@command_errors
def calendar_official(year: int, source: str, revoke: bool) -> None:
    """Declare that YEAR's overrides are the official notice: its days are no longer provisional."""
    print_json(calendar_admin.mark_year(ctx_services(), None, year, not revoke, source))
