"""Save one step of an instance: its state, columns, task projection and domain records."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Connection
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow

from engine import runtime
from engine.forms import form_patch
from engine.model import LoadedModel, UserTaskInfo
from engine.runtime import ReadyTask
from models import fastpath
from services import audit, returns
from services.clock import to_db
from services.context import Services
from services.errors import ConflictError, NotFound, ServiceError
from services.oversight import totals
from services.process_hooks import StepSaved, hooks_for
from services.users import org_id_by_code

SCOPED_LANES = {"department": "department_org_id", "bank": "bank_org_id"}
SUSPENDED = "suspended"
ORG_FROM = "orgFrom"


@dataclass(frozen=True)
class Locked:
    """The instance row a transaction holds, as read under its lock."""

    id: int
    model_id: int
    process_id: str
    version: int
    status: str
    stage: str
    title: str
    department_org_id: int | None
    bank_org_id: int | None
    state: bytes


def place(inst: Locked, stage: str | None = None, status: str | None = None) -> totals.Place:
    """Return where *inst* stands for the totals (with a new stage and status if given)."""
    return totals.Place(inst.bank_org_id, inst.department_org_id, inst.stage if stage is None else stage,
                        inst.status if status is None else status)


def lane_org(lane: str, inst: Locked) -> int | None:
    """Return the organisation that owns tasks of *lane* in *inst*, None for bureau-wide lanes."""
    column = SCOPED_LANES.get(lane)
    return getattr(inst, column) if column else None


def _value_at(data: Mapping[str, Any], path: str) -> Any:
    value: Any = data
    for part in path.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def task_org(conn: Connection, info: UserTaskInfo, inst: Locked, data: Mapping[str, Any]) -> int | None:
    """Return the organisation a task is scoped to: the one named in its data by `orgFrom`, else its lane's."""
    path = info.properties.get(ORG_FROM)
    if not path:
        return lane_org(info.lane, inst)
    code = _value_at(data, path)
    try:
        if not isinstance(code, str):
            raise NotFound(f"{path} is not an organisation code")
        return org_id_by_code(conn, code)
    except NotFound as exc:
        raise ServiceError(f"task {info.name}: {path} names no organisation ({code!r})") from exc


def _bank_org(conn: Connection, inst: Locked, before: Mapping[str, Any], after: Mapping[str, Any]) -> int | None:
    code = after.get("bank")
    if not code or code == before.get("bank"):
        return inst.bank_org_id
    return org_id_by_code(conn, code)


def _stage(model: LoadedModel, ready: Mapping[str, ReadyTask], ended: str | None, current: str) -> str:
    if ended:
        return ended
    for task in ready.values():
        return model.user_tasks[task.name].stage
    return current


def _task_row(ctx: Services, conn: Connection, model: LoadedModel, inst: Locked, task: ReadyTask,
              now: datetime) -> dict[str, Any]:
    info = model.user_tasks[task.name]
    patch = form_patch(model.forms[info.form], task.data, ctx.script_engine.environment.evaluator)
    return {
        "id": task.id, "instance_id": inst.id, "task_name": task.name, "title": info.title,
        "lane": info.lane, "org_id": task_org(conn, info, inst, task.data), "stage": info.stage,
        "status": "suspended" if inst.status == SUSPENDED else "ready",
        "form_patch": orjson.dumps(patch).decode(), "created_at": to_db(now),
        "due_at": to_db(task.due), "due_provisional": task.due_provisional,
    }


@dataclass
class StepWrites:
    """The rows one step writes to the hot tables, sent together when the step is done."""

    instance: dict[str, Any] | None = None
    closed: list[dict[str, Any]] = field(default_factory=list)
    new: list[dict[str, Any]] = field(default_factory=list)
    audits: list[dict[str, Any]] = field(default_factory=list)

    def audit(self, event: str, at: datetime, **details: Any) -> None:
        """Add an audit event to the batch."""
        self.audits.append(audit.event_row(event, at, **details))

    def flush(self, conn: Connection) -> None:
        """Write the batch; raise ConflictError if the instance changed since it was read."""
        counts = fastpath.write(conn, [("save_instance", [self.instance] if self.instance else []),
                                       ("close_task", self.closed), ("insert_task", self.new),
                                       ("audit", self.audits)])
        if self.instance and counts[0] != 1:
            raise ConflictError("the project was changed by someone else; reload and try again")


def _project_tasks(ctx: Services, conn: Connection, writes: StepWrites, model: LoadedModel, inst: Locked,
                   workflow: BpmnWorkflow, before: Mapping[str, ReadyTask], after: Mapping[str, ReadyTask],
                   completed: str | None, actor_id: int | None, now: datetime) -> None:
    if completed:
        writes.closed.append({"task_id": completed, "status": "completed", "completed_at": to_db(now),
                              "completed_by": actor_id})
    writes.closed += [{"task_id": task_id, "status": "cancelled", "completed_at": to_db(now), "completed_by": None}
                      for task_id in before if task_id not in after and task_id != completed]
    new = [t for task_id, t in after.items() if task_id not in before]
    marks = returns.returned(conn, model, workflow, new, completed, actor_id)
    writes.new += [{**_task_row(ctx, conn, model, inst, t, now), **marks.get(t.id, returns.NOT_RETURNED)} for t in new]


def save_step(ctx: Services, conn: Connection, inst: Locked, model: LoadedModel, workflow: BpmnWorkflow,
              before: Mapping[str, ReadyTask], before_data: Mapping[str, Any], writes: StepWrites, *,
              actor_id: int | None, completed: str | None = None) -> dict[str, Any]:
    """Add what one step changed to *writes* (flushed by the caller) and update the domain records."""
    now = ctx.clock.now()
    after = {t.id: t for t in runtime.ready_tasks(workflow)}
    data = runtime.current_data(workflow)
    ended = runtime.end_status(workflow)
    # A suspended instance stays suspended through a step the host takes for it (a recomputed deadline).
    status = ended or (SUSPENDED if inst.status == SUSPENDED else "running")
    old, inst = inst, replace(inst, bank_org_id=_bank_org(conn, inst, before_data, data))
    hooks = hooks_for(inst.process_id)
    values = {
        "state": runtime.dump(workflow), "version": inst.version + 1, "status": status,
        "stage": _stage(model, after, ended, inst.stage), "updated_at": to_db(now),
        "title": str(hooks.title(data) or inst.title)[:300],
        "bank_org_id": inst.bank_org_id, "next_timer_due": to_db(runtime.next_timer(workflow)),
        "completed_at": to_db(now) if ended else None,
    }
    writes.instance = {**values, "instance_id": inst.id, "old_version": inst.version}
    _project_tasks(ctx, conn, writes, model, inst, workflow, before, after, completed, actor_id, now)
    hooks.on_data(StepSaved(conn, inst.id, before_data, data, None if old.version == 0 else place(old),
                            place(inst, values["stage"], status)))
    if ended and inst.status in ("running", SUSPENDED):
        writes.audit("instance_ended", now, instance_id=inst.id, data={"status": status})
    ready = [{"id": t.id, "name": t.name, "title": model.user_tasks[t.name].title,
              "lane": model.user_tasks[t.name].lane} for t in after.values()]
    return {"instance_id": inst.id, "status": status, "stage": values["stage"], "bank_org_id": inst.bank_org_id,
            "ready": ready}
