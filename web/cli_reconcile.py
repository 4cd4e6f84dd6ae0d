"""Reconciliation commands: `yikatong reconcile start|list|schedule`."""
from __future__ import annotations

import click

from services.errors import ValidationError
from services.reconciliation.listing import list_reconciliations
from services.reconciliation.schedule import start_due
from services.reconciliation.start import start_reconciliation
from web.cli import actor, command_errors, ctx_services, print_json


@click.group("reconcile")
def reconcile_group() -> None:
    """Reconciliation with the cooperating banks (§10)."""


@reconcile_group.command("start")
@click.option("--bank", required=True, help="the bank's organisation code, e.g. bank-icbc")
@click.option("--period", required=True, help="an ended period: a quarter 2026Q3, a month 2026-07 or a year 2026")
@click.option("--as", "username", required=True, help="a bureau user")
@command_errors
def reconcile_start(bank: str, period: str, username: str) -> None:
    """Start the bank's reconciliation for the period (one live per bank and period: a terminated one frees it)."""
    try:
        print_json(start_reconciliation(ctx_services(), actor(username), bank, period))
    except ValidationError as exc:
        if not exc.fields:
            raise
        raise ValidationError("; ".join(f"--{e.path}: {e.message}" for e in exc.fields)) from exc


@reconcile_group.command("list")
@click.option("--as", "username", required=True, help="the user whose view to print (a bank sees its own)")
@command_errors
def reconcile_list(username: str) -> None:
    """Print the reconciliations the user may see, with their lines and explanations."""
    print_json(list_reconciliations(ctx_services(), actor(username)))


@reconcile_group.command("schedule")
@command_errors
def reconcile_schedule() -> None:
    """Start the due reconciliations of the last ended quarter now (what the worker does on each pass)."""
    print_json(start_due(ctx_services()))
