"""Money commands of the `yikatong` command line: `allocate` works out shares and stores nothing."""
from __future__ import annotations

import click

from services.money.shares import preview_shares
from web.cli import command_errors, print_json


@click.command("allocate")
@click.option("--pool", required=True, help="the year's pool in yuan, at most two decimals, e.g. 1000000.00")
@click.option("--cards", required=True, help="card counts per bank: BANK=COUNT,BANK=COUNT,...")
@command_errors
def allocate(pool: str, cards: str) -> None:
    """Print each bank's share of the pool in proportion to its cards (exact to the fen); store nothing."""
    print_json(preview_shares(pool, cards))
