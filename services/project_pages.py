"""A project as a person sees it: its record, the forms that label its history, and what they may do."""
from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import Connection

from engine.model import LoadedModel
from services import audit, forms
from services.context import Services
from services.instances import shown_in
from services.process_models import cached_model, model_by_id
from services.tasks import may_complete
from services.form_sources import options_for
from services.users import Actor, as_writer
from services.withdraw import WITHDRAWABLE_STAGES


@functools.lru_cache(maxsize=256)
def _option_names(digest: str) -> frozenset[str]:
    model = cached_model(digest)
    return frozenset().union(*(forms.sources_of(model.form_for(name))[0] for name in model.user_tasks))


@functools.lru_cache(maxsize=256)
def _labelled(digest: str, options: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]
              ) -> dict[str, dict[str, Any]]:
    """Return the model's step forms with their choices labelled: shared between requests, never mutated."""
    model = cached_model(digest)
    chosen = {name: list(choices) for name, choices in options}
    return {name: forms.with_options(model.form_for(name), chosen) for name in model.user_tasks}


def _forms(conn: Connection, model: LoadedModel) -> dict[str, dict[str, Any]]:
    """Return every step form of *model* with today's choices, prepared once per model and choices."""
    return dict(_labelled(model.content_hash, options_for(conn, _option_names(model.content_hash), display=True)))


def _actionable(actor: Actor, ready: list[Any]) -> list[str]:
    return [r.id for r in ready if may_complete(actor, r.lane, r.org_id, r.assignee_id)]


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
    shown = shown_in(ctx, conn, actor, instance_id)
    info = shown.instance
    return {
        **info,
        "forms": _forms(conn, model_by_id(ctx, conn, shown.model_id)),
        "organizations": shown.organizations,
        "actionable": _actionable(actor, shown.ready),
        "may_withdraw": may_withdraw(actor, info),
        "may_comment": may_comment(actor, info),
    }
