"""A project as a person sees it: its record, the forms that label its history, and what they may do."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from engine.model import LoadedModel
from models.tables import human_task, organization, process_model
from services import audit, forms
from services.context import Services
from services.instances import show_instance_in
from services.process_models import model_by_id
from services.tasks import may_complete
from services.form_sources import options_for
from services.users import Actor, as_writer
from services.withdraw import WITHDRAWABLE_STAGES


def _model(ctx: Services, conn: Connection, process_id: str, version: int) -> LoadedModel:
    model_id = conn.execute(select(process_model.c.id).where(
        process_model.c.process_id == process_id, process_model.c.version == version)).scalar_one()
    return model_by_id(ctx, conn, model_id)


def _forms(conn: Connection, model: LoadedModel) -> dict[str, dict[str, Any]]:
    names = frozenset().union(*(forms.sources_of(model.form_for(name))[0] for name in model.user_tasks))
    options = {name: list(choices) for name, choices in options_for(conn, names, display=True)}
    return {name: forms.with_options(model.form_for(name), options) for name in model.user_tasks}


def _organizations(conn: Connection, *codes: str | None) -> dict[str, dict[str, str]]:
    wanted = {c for c in codes if c}
    if not wanted:
        return {}
    rows = conn.execute(select(organization.c.code, organization.c.name, organization.c.name_en)
                        .where(organization.c.code.in_(wanted)))
    return {r.code: {"code": r.code, "name": r.name, "name_en": r.name_en} for r in rows}


def _actionable(conn: Connection, actor: Actor, instance_id: int) -> list[str]:
    rows = conn.execute(select(human_task.c.id, human_task.c.lane, human_task.c.org_id, human_task.c.assignee_id)
                        .where(human_task.c.instance_id == instance_id, human_task.c.status == "ready"))
    return [r.id for r in rows if may_complete(actor, r.lane, r.org_id, r.assignee_id)]


def may_comment(actor: Actor, info: dict[str, Any]) -> bool:
    """Return True if *actor* takes part in the project with a role that may write."""
    writer = as_writer(actor)
    return bool(writer.roles) and (writer.sees_all or writer.org_code in (info.get("department"), info.get("bank")))


def may_withdraw(actor: Actor, info: dict[str, Any]) -> bool:
    """Return True if *actor* is the declaring department and the project awaits review."""
    return ("department" in actor.roles and info.get("department") == actor.org_code
            and info["status"] == "running" and info["stage"] in WITHDRAWABLE_STAGES)


@audit.audit_denials
def project_page(ctx: Services, actor: Actor, instance_id: int) -> dict[str, Any]:
    """Return an instance as *actor* may see it, with its forms, organisations and allowed actions.

    One read transaction (one snapshot) for the whole page, the calendar's revision included.
    """
    with ctx.db.read() as conn, ctx.calendars.using(conn):
        return project_page_in(ctx, conn, actor, instance_id)


def project_page_in(ctx: Services, conn: Connection, actor: Actor, instance_id: int) -> dict[str, Any]:
    """Return what `project_page` returns, read in the caller's transaction (denials are not audited here)."""
    info = show_instance_in(ctx, conn, actor, instance_id)
    model = _model(ctx, conn, info["process_id"], info["model_version"])
    return {
        **info,
        "forms": _forms(conn, model),
        "organizations": _organizations(conn, info.get("department"), info.get("bank")),
        "actionable": _actionable(conn, actor, instance_id),
        "may_withdraw": may_withdraw(actor, info),
        "may_comment": may_comment(actor, info),
    }
