"""Moving running projects to a newer version: a preview per project, then one action that moves them all."""
from __future__ import annotations

from flask import Blueprint, render_template, request

from services.modeling.access import may_manage_models, require_reader
from services.modeling.catalog import process_versions
from services.modeling.migration import migrate_instances, preview_migration
from web.app import services as ctx
from web.pages.auth import actor

bp = Blueprint("migrations", __name__, url_prefix="/models")


def _target(info: dict[str, object], raw: str | None) -> int:
    numbers = [v["version"] for v in info["versions"]]  # type: ignore[attr-defined,index]
    return int(raw) if raw and raw.isdigit() and int(raw) in numbers else int(info["latest_version"])  # type: ignore[arg-type]


@bp.get("/<process_id>/migrate")
def preview(process_id: str) -> str:
    """Show, per running project on an older version, whether it can move to the chosen version."""
    info = process_versions(ctx(), actor(), process_id)
    target = _target(info, request.args.get("to"))
    results = preview_migration(ctx(), actor(), process_id, target)
    return render_template("models/migrate.html", info=info, target=target, results=results, done=False,
                           may_manage=may_manage_models(actor()))


@bp.post("/<process_id>/migrate")
def run(process_id: str) -> str:
    """Move every project that can move, each in its own transaction, and show the report."""
    info = process_versions(ctx(), actor(), process_id)
    target = _target(info, request.form.get("to"))
    results = migrate_instances(ctx(), actor(), process_id, target)
    return render_template("models/migrate.html", info=info, target=target, results=results, done=True,
                           may_manage=may_manage_models(actor()))


@bp.before_request
def readers_only() -> None:
    """Refuse role users before any migration page runs."""
    user = actor()
    if user is not None:
        require_reader(user)
