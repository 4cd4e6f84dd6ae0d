"""`yikatong suspend|resume|terminate INSTANCE_ID` and `yikatong reassign TASK_ID`: administrators' actions."""
from __future__ import annotations

import click

from services.oversight import actions
from services.oversight.reassign import reassign as reassign_task
from web.cli import actor, command_errors, ctx_services, print_json

REASON = click.option("--reason", required=True, help="why (recorded in the project's history)")
AS = click.option("--as", "username", required=True, help="the administrator who acts")


@click.command()
@click.argument("instance_id", type=int)
@REASON
@AS
@command_errors
def suspend(instance_id: int, reason: str, username: str) -> None:
    """Suspend a running project: its tasks cannot be completed and its timers wait."""
    print_json(actions.suspend(ctx_services(), actor(username), instance_id, reason))


@click.command()
@click.argument("instance_id", type=int)
@REASON
@AS
@command_errors
def resume(instance_id: int, reason: str, username: str) -> None:
    """Resume a suspended project (a timer that fell due meanwhile fires at the next timer run)."""
    print_json(actions.resume(ctx_services(), actor(username), instance_id, reason))


@click.command()
@click.argument("instance_id", type=int)
@REASON
@AS
@command_errors
def terminate(instance_id: int, reason: str, username: str) -> None:
    """End a running or suspended project for good; its open tasks are cancelled."""
    print_json(actions.terminate(ctx_services(), actor(username), instance_id, reason))


@click.command()
@click.argument("task_id")
@click.option("--to", "to", required=True, help="user name of the new assignee (holds the task's role)")
@REASON
@AS
@command_errors
def reassign(task_id: str, to: str, reason: str, username: str) -> None:
    """Give a ready task to one named user, who alone may then complete it."""
    print_json(reassign_task(ctx_services(), actor(username), task_id, to, reason))
