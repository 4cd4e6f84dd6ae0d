"""Operations commands: `backup` and `restore` of the live database, `keys purge`."""
from __future__ import annotations

from pathlib import Path

import click

from services import backup as backups
from services import idempotency
from web.cli import command_errors, ctx_services, print_json


@click.command("backup")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="overwrite PATH if it exists")
@command_errors
def backup(path: Path, force: bool) -> None:
    """Write a consistent copy of the live database to PATH (SQLite file, or pg_dump custom archive)."""
    print_json(backups.backup(ctx_services(), path, force=force))


@click.command("restore")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="replace a database that is not empty")
@command_errors
def restore(path: Path, force: bool) -> None:
    """Load the backup at PATH into the configured database (refused if it holds rows, unless --force)."""
    print_json(backups.restore(ctx_services(), path, force=force))


@click.group("keys")
def keys_group() -> None:
    """The API's idempotency keys."""


@keys_group.command("purge")
@command_errors
def keys_purge() -> None:
    """Delete the idempotency keys older than 24 hours (the worker does this on every pass)."""
    print_json({"purged": idempotency.purge(ctx_services())})
