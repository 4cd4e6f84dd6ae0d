"""The `yikatong` command line: JSON on stdout, one-line errors on stderr, meaningful exit codes."""
from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import click

from services import admin, demo, demo_projects, files, inbox, instances, integrity, process_models, tasks
from services.official import keys as official_keys
from services.bootstrap import build_services, upgrade_database
from services.context import Services
from services.errors import (
    ConflictError, DatabaseUnavailable, NotFound, PermissionDenied, ServiceError, ValidationError,
)
from services.input_limits import check_depth, deep_message
from services.modeling.validation import ModelRejected
from services.users import ROLES, Actor, load_actor
from web.cli_documents import documents_group, rmb

EXIT_FAILURE, EXIT_INVALID, EXIT_DENIED, EXIT_CONFLICT = 1, 2, 3, 4


def _fail(message: str, code: int) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def print_json(value: Any) -> None:
    """Print *value* as JSON on stdout."""
    click.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


_print = print_json


def command_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn service errors into one line on stderr and the matching exit code."""
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (ValidationError, NotFound) as exc:
            _fail(str(exc), EXIT_INVALID)
        except PermissionDenied as exc:
            _fail(str(exc), EXIT_DENIED)
        except ConflictError as exc:
            _fail(str(exc), EXIT_CONFLICT)
        except (ServiceError, DatabaseUnavailable) as exc:
            _fail(str(exc), EXIT_FAILURE)
    return wrapper


def parse_json(text: str | None, what: str = "--data") -> Any:
    """Return the JSON value of *text*; malformed JSON is invalid input."""
    if text is None:
        return None
    try:
        value = json.loads(text)
    except RecursionError as exc:
        raise ValidationError(deep_message(what)) from exc
    except ValueError as exc:
        raise ValidationError(f"{what} is not valid JSON: {exc}") from exc
    check_depth(value, what)
    return value


def ctx_services() -> Services:
    """Return the services of the current command."""
    return click.get_current_context().ensure_object(dict).setdefault("services", build_services())


def actor(username: str) -> Actor:
    """Return the user the command acts as."""
    return load_actor(ctx_services(), username)


@click.group()
def main() -> None:
    """yikatong: the Taicang "One Card" cooperative bank funds process system."""


@main.group()
def db() -> None:
    """Database schema commands."""


@db.command("upgrade")
@command_errors
def db_upgrade() -> None:
    """Apply every migration."""
    _print({"revision": upgrade_database(ctx_services())})


@main.command("demo")
@click.option("--with-projects", is_flag=True, help="also create sample projects at several stages (once)")
@command_errors
def demo_command(with_projects: bool) -> None:
    """Create demo organisations and users (password yikatong-demo), a demo seal CA, and deploy every diagram."""
    services = ctx_services()
    upgrade_database(services)
    users = demo.seed_demo(services)
    ca = official_keys.ensure_demo_ca(services)
    if ca is not None:
        click.echo(f"official documents are sealed with the demo CA in {ca} (not for production)", err=True)
    if with_projects and demo_projects.seed_sample_projects(services):
        demo_projects.seed_sample_plans(services)
    _print(users)


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@command_errors
def deploy(file: Path) -> None:
    """Check and deploy a BPMN diagram (forms are read from forms/ beside it)."""
    if not file.is_file():
        raise ValidationError(f"{file}: no such file")
    try:
        result = process_models.deploy(ctx_services(), file.read_bytes(), process_models.read_forms(file), file.name)
    except ModelRejected as exc:
        _print(exc.report.as_dict())
        raise
    _print({k: result[k] for k in ("process_id", "version", "hash", "created")})


@main.command()
@click.argument("process_id")
@click.option("--as", "username", required=True, help="the user who starts it")
@click.option("--data", help="JSON for the first form")
@command_errors
def start(process_id: str, username: str, data: str | None) -> None:
    """Start a process instance."""
    payload = parse_json(data)
    result = instances.start_instance(ctx_services(), actor(username), process_id, payload)
    _print(_instance_summary(result))


@main.command("tasks")
@click.option("--as", "username", required=True)
@command_errors
def tasks_command(username: str) -> None:
    """List the tasks waiting for a user, with their forms."""
    items = inbox.tasks_for(ctx_services(), actor(username), with_forms=True)
    _print([{k: t[k] for k in ("id", "instance_id", "name", "title", "lane", "form", "due", "returned")}
            for t in items])


@main.command()
@click.argument("task_id")
@click.option("--as", "username", required=True)
@click.option("--data", required=True, help="JSON object with the form's fields")
@command_errors
def complete(task_id: str, username: str, data: str) -> None:
    """Complete a task with form data."""
    payload = parse_json(data)
    _print(_instance_summary(tasks.complete_task(ctx_services(), actor(username), task_id, payload)))


@main.command()
@click.argument("instance_id", type=int)
@click.option("--as", "username", help="show only what this user may see")
@command_errors
def show(instance_id: int, username: str | None) -> None:
    """Show an instance: status, stage, open tasks and history."""
    who = actor(username) if username else None
    _print(instances.show_instance(ctx_services(), who, instance_id))


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--as", "username", required=True)
@command_errors
def upload(file: Path, username: str) -> None:
    """Store a document (PDF, image, Word, Excel) and print its sha256 for use in forms."""
    if not file.is_file():
        raise ValidationError(f"{file}: no such file")
    _print(files.store_file(ctx_services(), actor(username), file.name, file.read_bytes()))


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--production", is_flag=True,
              help="serve under gunicorn with several processes; run `yikatong worker` beside it")
@click.option("--workers", type=click.IntRange(1, 256), help="gunicorn worker processes (default: cores + 1)")
@click.option("--threads", type=click.IntRange(1, 64), help="threads per worker process (default: 4)")
def serve(host: str, port: int, production: bool, workers: int | None, threads: int | None) -> None:
    """Serve the web application (embedded: waitress with the timer worker in a thread)."""
    from services.official.rendering import renderer_choice

    try:
        renderer_choice()
    except ValueError as exc:
        _fail(str(exc), EXIT_INVALID)
    if not production:
        if workers or threads:
            _fail("--workers and --threads go with --production", EXIT_INVALID)
        from web.server import run

        run(host, port)
        return
    from web import production as gunicorn_server

    if build_services().db.is_sqlite:
        click.echo("warning: production serving is meant for PostgreSQL ($YIKATONG_DATABASE_URL); "
                   "SQLite lets one writer in at a time", err=True)
    gunicorn_server.run(host, port, workers or gunicorn_server.default_workers(),
                        threads or gunicorn_server.DEFAULT_THREADS)


@main.command("check")
@command_errors
def check_command() -> None:
    """Check the invariants (audit, task table, money, totals, SQLite file); exit 1 on any violation."""
    result = integrity.check(ctx_services())
    _print(result)
    if not result["ok"]:
        sys.exit(EXIT_FAILURE)


def _instance_summary(result: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in result.items() if k != "bank_org_id"}


@main.group("user")
def user_group() -> None:
    """Users, their organisation and roles (as an administrator)."""


def _password(value: str | None, from_stdin: bool) -> str | None:
    if value is not None and from_stdin:
        raise ValidationError("give either --password or --password-stdin, not both")
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return value


@user_group.command("list")
@command_errors
def user_list() -> None:
    """List every user with organisation, roles and whether it may sign in."""
    _print(admin.list_users(ctx_services()))


@user_group.command("add")
@click.argument("username")
@click.option("--org", "org_code", required=True, help="organisation code, e.g. bank-icbc")
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice(ROLES), help="repeatable")
@click.option("--name", "display_name", default="", help="display name (default: the user name)")
@click.option("--password", help="the password (prefer --password-stdin)")
@click.option("--password-stdin", is_flag=True, help="read the password from the first line of stdin")
@click.option("--email", default="", help="e-mail address for notifications")
@command_errors
def user_add(username: str, org_code: str, roles: tuple[str, ...], display_name: str, password: str | None,
             password_stdin: bool, email: str) -> None:
    """Create a user."""
    secret = _password(password, password_stdin)
    if not secret:
        raise ValidationError("a password is required: --password or --password-stdin")
    _print(admin.add_user(ctx_services(), None, username, secret, display_name, org_code, list(roles), email=email))


@user_group.command("set")
@click.argument("username")
@click.option("--org", "org_code", help="move the user to this organisation")
@click.option("--role", "roles", multiple=True, type=click.Choice(ROLES), help="replace the roles (repeatable)")
@click.option("--name", "display_name", help="new display name")
@click.option("--active/--inactive", default=None, help="allow or refuse sign-in")
@click.option("--password", help="new password (prefer --password-stdin)")
@click.option("--password-stdin", is_flag=True, help="read the new password from the first line of stdin")
@click.option("--email", help="e-mail address for notifications ('' removes it)")
@command_errors
def user_set(username: str, org_code: str | None, roles: tuple[str, ...], display_name: str | None,
             active: bool | None, password: str | None, password_stdin: bool, email: str | None) -> None:
    """Change a user's organisation, roles, name, password, e-mail or whether it may sign in."""
    _print(admin.update_user(ctx_services(), None, username, roles=list(roles) or None, org_code=org_code,
                             active=active, display_name=display_name,
                             password=_password(password, password_stdin), email=email))


main.add_command(rmb)
main.add_command(documents_group)


def _register() -> None:
    from web import cli_admin_actions, cli_clock, cli_models, cli_money, cli_ops  # they use the helpers above
    from web import cli_reconcile

    main.add_command(cli_clock.timers_group)
    main.add_command(cli_clock.worker_command)
    main.add_command(cli_clock.calendar_group)
    main.add_command(cli_models.validate)
    main.add_command(cli_models.migrate)
    main.add_command(cli_money.allocate)
    main.add_command(cli_reconcile.reconcile_group)
    main.add_command(cli_admin_actions.suspend)
    main.add_command(cli_admin_actions.resume)
    main.add_command(cli_admin_actions.terminate)
    main.add_command(cli_admin_actions.reassign)
    main.add_command(cli_ops.backup)
    main.add_command(cli_ops.restore)
    main.add_command(cli_ops.keys_group)


_register()
