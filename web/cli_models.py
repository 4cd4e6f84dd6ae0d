"""Commands of process owners: `yikatong validate FILE.bpmn` and `yikatong migrate PROCESS_ID --to VERSION`."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from services.modeling.migration import migrate_instances
from services.modeling.validation import validate_model
from services.process_models import read_forms
from services.errors import ValidationError
from web.cli import EXIT_INVALID, actor, command_errors, ctx_services


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@command_errors
def validate(file: Path) -> None:
    """Print the validation report of a diagram (forms from forms/ beside it); exit 2 if it has problems."""
    if not file.is_file():
        raise ValidationError(f"{file}: no such file")
    report = validate_model(file.read_bytes(), read_forms(file)).as_dict()
    click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    if not report["ok"]:
        click.echo(f"error: {file.name} has {len(report['problems'])} problem(s)", err=True)
        sys.exit(EXIT_INVALID)


@click.command()
@click.argument("process_id")
@click.option("--to", "version", type=int, required=True, help="the version to move running projects to")
@click.option("--dry-run", is_flag=True, help="only tell, per project, whether it can move")
@click.option("--as", "username", required=True, help="a process owner")
@command_errors
def migrate(process_id: str, version: int, dry_run: bool, username: str) -> None:
    """Move the running projects of a process to a version; print one line of JSON per project."""
    for result in migrate_instances(ctx_services(), actor(username), process_id, version, dry_run=dry_run):
        click.echo(json.dumps({k: result[k] for k in ("instance_id", "from", "to", "ok", "reason")},
                              ensure_ascii=False))
