"""A project's diagram as its viewers see it: the version it runs on, its state on each element, its path."""
from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import Connection, select

from engine import marks, runtime
from engine.graph import executable_processes, flow_index
from engine.xmlsafe import parse_xml
from models.tables import app_user, human_task, process_instance, process_model
from services import audit
from services.clock import from_db, to_db
from services.context import Services
from services.errors import Hidden, NotFound
from services.process_models import model_by_id
from services.users import Actor
from services.visibility import can_see_instance


@functools.lru_cache(maxsize=64)
def _flows(digest: str, bpmn_xml: str) -> dict[tuple[str, str], list[str]]:
    processes = executable_processes(parse_xml(bpmn_xml.encode("utf-8")))
    return flow_index(processes[0]) if processes else {}


def _instance(conn: Connection, instance_id: int) -> Any:
    return conn.execute(
        select(process_instance.c.id, process_instance.c.model_id, process_instance.c.process_id,
               process_instance.c.department_org_id, process_instance.c.bank_org_id, process_instance.c.state,
               process_instance.c.created_at, process_instance.c.started_by, process_model.c.version,
               process_model.c.bpmn_xml, process_model.c.content_hash)
        .join(process_model, process_model.c.id == process_instance.c.model_id)
        .where(process_instance.c.id == instance_id)).first()


def _task_rows(conn: Connection, instance_id: int) -> list[Any]:
    return list(conn.execute(
        select(human_task.c.task_name, human_task.c.status, human_task.c.due_at, human_task.c.completed_at,
               human_task.c.title, human_task.c.lane, app_user.c.display_name, app_user.c.username)
        .outerjoin(app_user, app_user.c.id == human_task.c.completed_by)
        .where(human_task.c.instance_id == instance_id,
               human_task.c.status.in_(("ready", "suspended", "completed")))
        .order_by(human_task.c.completed_at, human_task.c.created_at)))


def _starter(conn: Connection, user_id: int) -> tuple[str | None, str | None]:
    row = conn.execute(select(app_user.c.display_name, app_user.c.username).where(app_user.c.id == user_id)).first()
    return (row.display_name, row.username) if row else (None, None)


def _people(ctx: Services, conn: Connection, row: Any, states: dict[str, str],
            starts: list[str]) -> tuple[dict[str, list[dict[str, Any]]], list[dict[str, Any]]]:
    details: dict[str, list[dict[str, Any]]] = {}
    ready = []
    now = to_db(ctx.clock.now())
    for task in _task_rows(conn, row.id):
        if task.status == "completed" and task.completed_at is not None:
            details.setdefault(task.task_name, []).append({
                "by": task.display_name, "username": task.username, "at": from_db(task.completed_at).isoformat()})
        elif task.status in ("ready", "suspended"):  # a suspended project's step is still the one it waits at
            overdue = task.due_at is not None and task.due_at < now
            if overdue:
                marks.merge_state(states, task.task_name, "overdue")
            ready.append({"element": task.task_name, "title": task.title, "lane": task.lane, "overdue": overdue,
                          "due": from_db(task.due_at).isoformat() if task.due_at else None})
    name, username = _starter(conn, row.started_by)
    for start in starts:
        details.setdefault(start, []).append({"by": name, "username": username,
                                              "at": from_db(row.created_at).isoformat()})
    return details, ready


@audit.audit_denials
def project_diagram(ctx: Services, actor: Actor, instance_id: int) -> dict[str, Any]:
    """Return the diagram of the version a project runs on, with its state, path and who did what when."""
    with ctx.db.read() as conn:
        row = _instance(conn, instance_id)
        if row is None:
            raise NotFound(f"instance {instance_id} does not exist")
        if not can_see_instance(actor, row.department_org_id, row.bank_org_id):
            raise Hidden("instance", instance_id, instance_id)
        model = model_by_id(ctx, conn, row.model_id)
        workflow = runtime.restore(model, row.state, ctx.script_engine)
        states = marks.element_states(workflow)
        path = marks.taken_flows(workflow, _flows(row.content_hash, row.bpmn_xml))
        details, ready = _people(ctx, conn, row, states, marks.start_events(workflow))
    return {"instance_id": row.id, "process_id": row.process_id, "version": row.version, "bpmn": row.bpmn_xml,
            "states": states, "path": path, "details": details, "ready": ready}
