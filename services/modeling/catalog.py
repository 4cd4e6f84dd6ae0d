"""The deployed process models: each process, its versions, who deployed them and what runs on them."""
from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, case, func, select

from models.tables import app_user, process_instance, process_model
from services.clock import from_db
from services.context import Services
from services.errors import NotFound
from services.modeling.access import require_reader
from services.users import Actor


def _instance_counts(conn: Connection, model_ids: list[int]) -> dict[int, tuple[int, int]]:
    if not model_ids:
        return {}
    running = func.sum(case((process_instance.c.status == "running", 1), else_=0))
    rows = conn.execute(
        select(process_instance.c.model_id, func.count(), running)
        .where(process_instance.c.model_id.in_(model_ids)).group_by(process_instance.c.model_id))
    return {r[0]: (int(r[1]), int(r[2] or 0)) for r in rows}


def _version_rows(conn: Connection, process_id: str | None = None) -> list[Any]:
    query = (select(process_model.c.id, process_model.c.process_id, process_model.c.version,
                    process_model.c.name, process_model.c.content_hash, process_model.c.created_at,
                    app_user.c.username, app_user.c.display_name)
             .outerjoin(app_user, app_user.c.id == process_model.c.created_by)
             .order_by(process_model.c.process_id, process_model.c.version.desc()))
    if process_id is not None:
        query = query.where(process_model.c.process_id == process_id)
    return list(conn.execute(query))


def _version(row: Any, counts: dict[int, tuple[int, int]]) -> dict[str, Any]:
    total, running = counts.get(row.id, (0, 0))
    return {"version": row.version, "hash": row.content_hash, "name": row.name,
            "created_at": from_db(row.created_at).isoformat(), "created_by": row.username,
            "created_by_name": row.display_name, "instances": total, "running": running}


def list_processes(ctx: Services, actor: Actor) -> list[dict[str, Any]]:
    """Return every deployed process with its newest version and how many instances run on it."""
    require_reader(actor)
    with ctx.db.read() as conn:
        rows = _version_rows(conn)
        counts = _instance_counts(conn, [r.id for r in rows])
    processes: dict[str, dict[str, Any]] = {}
    for row in rows:
        entry = processes.setdefault(row.process_id, {
            "process_id": row.process_id, "name": row.name, "latest_version": row.version,
            "versions": 0, "instances": 0, "running": 0, "updated_at": from_db(row.created_at).isoformat()})
        total, running = counts.get(row.id, (0, 0))
        entry["versions"] += 1
        entry["instances"] += total
        entry["running"] += running
    return list(processes.values())


def process_versions(ctx: Services, actor: Actor, process_id: str) -> dict[str, Any]:
    """Return a process with every version, newest first: number, hash, deployer, instances."""
    require_reader(actor)
    with ctx.db.read() as conn:
        rows = _version_rows(conn, process_id)
        if not rows:
            raise NotFound(f"no process {process_id!r} is deployed")
        counts = _instance_counts(conn, [r.id for r in rows])
    return {"process_id": process_id, "name": rows[0].name, "latest_version": rows[0].version,
            "versions": [_version(r, counts) for r in rows]}


def model_source(ctx: Services, actor: Actor, process_id: str, version: int) -> dict[str, Any]:
    """Return the diagram (BPMN XML) and the form schemas of one version."""
    require_reader(actor)
    with ctx.db.read() as conn:
        row = conn.execute(
            select(process_model.c.bpmn_xml, process_model.c.forms_json, process_model.c.name)
            .where(process_model.c.process_id == process_id, process_model.c.version == version)).first()
    if row is None:
        raise NotFound(f"process {process_id!r} has no version {version}")
    return {"process_id": process_id, "version": version, "name": row.name, "bpmn": row.bpmn_xml,
            "forms": json.loads(row.forms_json), "filename": f"{process_id}.bpmn"}


def form_text(schema: Any) -> str:
    """Return a form schema as the JSON text people edit and download."""
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"
