"""Move running projects to a newer version of their diagram: preview each, then move all that can, one
transaction per project, each move (or refusal) recorded in the project's history."""
from __future__ import annotations

import functools
from dataclasses import replace
from typing import Any

import orjson
from lxml import etree
from sqlalchemy import Connection, select, update

from engine import runtime
from engine.forms import form_patch
from engine.migration import REASONS, Migration, Version, plan_migration
from engine.model import LoadedModel
from engine.xmlsafe import parse_xml
from models.tables import human_task, process_instance, process_model
from services import audit
from services.clock import to_db
from services.context import Services
from services.errors import NotFound, ServiceError
from services.modeling.access import require_owner, require_reader
from services.process_models import model_by_id
from services.steps import ORG_FROM, Locked, StepWrites, save_step, task_org
from services.users import Actor

LOCK_COLUMNS = [process_instance.c[name] for name in (
    "id", "model_id", "process_id", "version", "status", "stage", "title", "department_org_id", "bank_org_id",
    "state")]


@functools.lru_cache(maxsize=16)
def _root(digest: str, bpmn_xml: str) -> etree._Element:
    return parse_xml(bpmn_xml.encode("utf-8"))


def _version(ctx: Services, conn: Connection, model_id: int) -> Version:
    """Return the model version *model_id* with its parsed diagram."""
    row = conn.execute(select(process_model.c.content_hash, process_model.c.bpmn_xml)
                       .where(process_model.c.id == model_id)).first()
    if row is None:
        raise NotFound(f"model version {model_id} does not exist")
    return Version(model_by_id(ctx, conn, model_id), _root(row.content_hash, row.bpmn_xml))


def _target(conn: Connection, process_id: str, version: int) -> Any:
    row = conn.execute(select(process_model.c.id, process_model.c.version, process_model.c.content_hash,
                              process_model.c.bpmn_xml)
                       .where(process_model.c.process_id == process_id, process_model.c.version == version)).first()
    if row is None:
        raise NotFound(f"process {process_id!r} has no version {version}")
    return row


def _candidates(conn: Connection, process_id: str, version: int) -> list[Any]:
    return list(conn.execute(
        select(process_instance.c.id, process_instance.c.title, process_model.c.version)
        .join(process_model, process_model.c.id == process_instance.c.model_id)
        .where(process_instance.c.process_id == process_id, process_instance.c.status == "running",
               process_model.c.version < version)
        .order_by(process_instance.c.id)))


def _result(instance_id: int, title: str, from_version: int, to_version: int, plan: Migration) -> dict[str, Any]:
    return {"instance_id": instance_id, "title": title, "from": from_version, "to": to_version, "ok": plan.ok,
            "code": plan.code, "reason": plan.reason}


def _locked(row: Any, model_id: int) -> Locked:
    return replace(Locked(*[row._mapping[c.name] for c in LOCK_COLUMNS]), model_id=model_id)


def _org_refusal(conn: Connection, plan: Migration, model: LoadedModel, inst: Locked) -> Migration | None:
    """Refuse if a kept task's organisation (see `task_org`) cannot be told from its data on the new version."""
    assert plan.workflow is not None
    for task in runtime.ready_tasks(plan.workflow):
        info = model.user_tasks[task.name]
        if task.id in plan.before:
            try:
                task_org(conn, info, inst, task.data)
            except ServiceError:
                detail = f"步骤“{info.title}”所属的机构（{info.properties.get(ORG_FROM)}）在项目数据中找不到"
                return Migration(False, "state", REASONS["state"].format(detail=detail))
    return None


def _plan(ctx: Services, conn: Connection, row: Any, target: Any) -> Migration:
    new = Version(model_by_id(ctx, conn, target.id), _root(target.content_hash, target.bpmn_xml))
    plan = plan_migration(_version(ctx, conn, row.model_id), row.state, new, ctx.script_engine)
    if plan.ok:
        return _org_refusal(conn, plan, new.model, _locked(row, target.id)) or plan
    return plan


def _instance(ctx: Services, conn: Connection, instance_id: int, lock: bool = False) -> Any:
    query = (select(*LOCK_COLUMNS, process_model.c.version.label("model_version"))
             .join(process_model, process_model.c.id == process_instance.c.model_id)
             .where(process_instance.c.id == instance_id))
    if lock and ctx.db.is_postgresql:
        query = query.with_for_update(of=process_instance)
    return conn.execute(query).first()


def preview_migration(ctx: Services, actor: Actor, process_id: str, to_version: int) -> list[dict[str, Any]]:
    """Return, for every running project on an older version, whether it can move to *to_version* and why not."""
    require_reader(actor)
    with ctx.db.read() as conn:
        target = _target(conn, process_id, to_version)
        candidates = _candidates(conn, process_id, to_version)
    results = []
    for candidate in candidates:
        with ctx.db.read() as conn:
            row = _instance(ctx, conn, candidate.id)
            plan = _plan(ctx, conn, row, target)
        results.append(_result(row.id, row.title, row.model_version, to_version, plan))
    return results


def _rewrite_kept(ctx: Services, conn: Connection, model: LoadedModel, inst: Locked, workflow: Any,
                  before: dict[str, runtime.ReadyTask]) -> None:
    evaluator = ctx.script_engine.environment.evaluator
    for task in runtime.ready_tasks(workflow):
        if task.id not in before:
            continue
        info = model.user_tasks[task.name]
        patch = form_patch(model.forms[info.form], task.data, evaluator)
        conn.execute(update(human_task).where(human_task.c.id == task.id).values(
            task_name=task.name, title=info.title, lane=info.lane, org_id=task_org(conn, info, inst, task.data),
            stage=info.stage, form_patch=orjson.dumps(patch).decode(), due_at=to_db(task.due),
            due_provisional=task.due_provisional))


def _save(ctx: Services, conn: Connection, actor: Actor, row: Any, plan: Migration, target: Any) -> None:
    model = model_by_id(ctx, conn, target.id)
    inst = _locked(row, target.id)
    workflow, writes = plan.workflow, StepWrites()
    writes.audit("instance_migrated", ctx.clock.now(), actor_id=actor.id, instance_id=inst.id,
                 data={"from": row.model_version, "to": target.version, "from_model_id": row.model_id,
                       "to_model_id": target.id})
    save_step(ctx, conn, inst, model, workflow, plan.before, runtime.current_data(workflow), writes,
              actor_id=actor.id)
    writes.flush(conn)
    conn.execute(update(process_instance).where(process_instance.c.id == inst.id).values(model_id=target.id))
    _rewrite_kept(ctx, conn, model, inst, workflow, plan.before)


def _migrate_one(ctx: Services, actor: Actor, instance_id: int, target: Any) -> dict[str, Any] | None:
    with ctx.db.write() as conn:
        row = _instance(ctx, conn, instance_id, lock=True)
        if row is None or row.status != "running" or row.model_version >= target.version:
            return None
        plan = _plan(ctx, conn, row, target)
        if plan.ok:
            _save(ctx, conn, actor, row, plan, target)
        else:
            audit.record(conn, "instance_migration_refused", ctx.clock.now(), actor_id=actor.id,
                         instance_id=row.id, data={"from": row.model_version, "to": target.version,
                                                   "code": plan.code, "reason": plan.reason})
        return _result(row.id, row.title, row.model_version, target.version, plan)


def migrate_instances(ctx: Services, actor: Actor, process_id: str, to_version: int,
                      dry_run: bool = False) -> list[dict[str, Any]]:
    """Move every running project of *process_id* on an older version to *to_version* if it can move."""
    if dry_run:
        return preview_migration(ctx, actor, process_id, to_version)
    require_owner(actor)
    with ctx.db.read() as conn:
        target = _target(conn, process_id, to_version)
        candidates = _candidates(conn, process_id, to_version)
    results = [_migrate_one(ctx, actor, c.id, target) for c in candidates]
    return [r for r in results if r is not None]
