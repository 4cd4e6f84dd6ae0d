"""Copies of one instance, as many as a test or a bench needs, each with task ids of its own.

Driving hundreds of projects through every step would take minutes; copying the rows of one
(instance, open tasks, project) with Core inserts takes a moment. Every task id in the stored
state is replaced by a fresh one per copy, consistently in the state and the task rows, so the
copies are independent instances: their timers, task rows and notifications do not collide.
"""
from __future__ import annotations

import re
import uuid

from sqlalchemy import Connection, insert, select

from models.tables import human_task, process_instance, project
from services.context import Services

UUID_TEXT = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
BATCH = 500


def _renamed(state: bytes) -> tuple[bytes, dict[str, str]]:
    mapping: dict[bytes, bytes] = {}

    def fresh(match: re.Match[bytes]) -> bytes:
        return mapping.setdefault(match.group(0), str(uuid.uuid4()).encode())

    return UUID_TEXT.sub(fresh, state), {k.decode(): v.decode() for k, v in mapping.items()}


def _copy_batch(conn: Connection, inst: dict, tasks: list[dict], proj: dict | None, count: int) -> list[int]:
    ids = []
    for _ in range(count):
        state, names = _renamed(inst["state"])
        new_id = conn.execute(insert(process_instance).values(
            **{k: v for k, v in inst.items() if k not in ("id", "state")}, state=state)).inserted_primary_key[0]
        ids.append(new_id)
        if tasks:
            conn.execute(insert(human_task), [{**t, "id": names.get(t["id"], str(uuid.uuid4())),
                                               "instance_id": new_id} for t in tasks])
        if proj is not None:
            conn.execute(insert(project).values(**{**proj, "instance_id": new_id}))
    return ids


def clone_instance(ctx: Services, instance_id: int, count: int) -> list[int]:
    """Insert *count* copies of instance *instance_id* with its open tasks and project row; return their ids."""
    with ctx.db.read() as conn:
        inst = dict(conn.execute(select(process_instance).where(process_instance.c.id == instance_id)).one()._mapping)
        tasks = [dict(r._mapping) for r in conn.execute(select(human_task).where(
            human_task.c.instance_id == instance_id, human_task.c.status == "ready"))]
        row = conn.execute(select(project).where(project.c.instance_id == instance_id)).first()
    proj = dict(row._mapping) if row else None
    ids: list[int] = []
    for start in range(0, count, BATCH):
        with ctx.db.write() as conn:
            ids += _copy_batch(conn, inst, tasks, proj, min(BATCH, count - start))
    return ids
