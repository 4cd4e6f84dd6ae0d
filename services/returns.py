"""Work sent back: a task that runs again because a later decision returned it, who did so and why."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, select

from engine import runtime
from engine.forms import SENDS_BACK, sends_back
from engine.model import LoadedModel
from engine.runtime import DoneTask, ReadyTask
from models.tables import app_user, human_task

NOT_RETURNED: dict[str, Any] = {"returned_by": None, "returned_from": None, "return_reason": None}


_MARKED: dict[str, bool] = {}


def _marks_sending_back(model: LoadedModel) -> bool:
    """Return True if a form of *model* can send work back (remembered per model version)."""
    if model.content_hash not in _MARKED:
        _MARKED[model.content_hash] = any(
            isinstance(prop, dict) and SENDS_BACK in prop
            for form in model.forms.values() for prop in (form.get("properties") or {}).values())
    return _MARKED[model.content_hash]


def _senders(model: LoadedModel, done: Sequence[DoneTask]) -> list[tuple[DoneTask, str]]:
    found = []
    for task in done:
        if task.name in model.user_tasks:
            reason = sends_back(model.form_for(task.name), task.data)
            if reason is not None:
                found.append((task, reason))
    return found


def _completers(conn: Connection, ids: list[str]) -> dict[str, int | None]:
    if not ids:
        return {}
    rows = conn.execute(select(human_task.c.id, human_task.c.completed_by).where(human_task.c.id.in_(ids)))
    return {r.id: r.completed_by for r in rows}


def _marks(conn: Connection, model: LoadedModel, senders: list[tuple[DoneTask, str]], completed: str | None,
           actor_id: int | None) -> dict[str, Any]:
    current = [s for s in senders if s[0].id == completed]
    task, _reason = (current or senders)[-1]
    by = actor_id if task.id == completed else _completers(conn, [task.id]).get(task.id)
    if len(senders) == 1:
        reason = senders[0][1]
    else:
        reason = "\n".join(f"{model.user_tasks[t.name].title}：{r}" for t, r in senders if r)
    return {"returned_by": by, "returned_from": task.name, "return_reason": reason or None}


def returned(conn: Connection, model: LoadedModel, workflow: Any, new: Sequence[ReadyTask],
             completed: str | None, actor_id: int | None) -> dict[str, dict[str, Any]]:
    """Return the return columns of each new task that a decision sent back (who, from which step, why)."""
    if not new or not _marks_sending_back(model):
        return {}
    result = {}
    for task in new:
        done = runtime.done_since_previous_run(workflow, task.id)
        senders = _senders(model, done or [])
        if senders:
            result[task.id] = _marks(conn, model, senders, completed, actor_id)
    return result


RETURNER = app_user.alias("returner")
RETURN_COLUMNS = (human_task.c.returned_by, human_task.c.returned_from, human_task.c.return_reason,
                  RETURNER.c.display_name.label("returned_by_name"))


def with_returner(query: Any) -> Any:
    """Return *query* (over human_task) joined with the person who returned each task."""
    return query.outerjoin(RETURNER, RETURNER.c.id == human_task.c.returned_by)


def return_info(model: LoadedModel, row: Any) -> dict[str, Any] | None:
    """Return who sent a task back, from which step and why (None if it was not sent back)."""
    if not row.returned_from:
        return None
    info = model.user_tasks.get(row.returned_from)
    return {"by": row.returned_by_name or "", "step": row.returned_from,
            "step_title": info.title if info else row.returned_from, "reason": row.return_reason or ""}
