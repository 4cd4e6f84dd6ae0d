"""What the host does for each kind of process beside running it, keyed by process id.

A process's hooks write its own domain records (the project row, payments, the fixed
allocation), check what the engine cannot (a bank listed twice), add figures only the host
knows to a submitted form (the system's own records in a reconciliation), and name its instances.
Generic code asks `hooks_for(process_id)` and never tests a process id itself.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from services import fund_project
from services.context import Services
from services.money import allocation_process
from services.official import issue as official_documents
from services.plans import ends as plan_ends, process as fund_plan
from services.reconciliation import process as reconciliation
from services.oversight.totals import Place


@dataclass(frozen=True)
class TaskDone:
    """A user task just completed inside the caller's transaction."""

    conn: Connection
    instance_id: int
    task_name: str
    data: Mapping[str, Any]
    submitted: Mapping[str, Any]
    bank_org_id: int | None
    actor_id: int
    at: datetime
    task_id: str | None = None
    ctx: Services | None = None  # for the steps that issue an official document


@dataclass(frozen=True)
class StepSaved:
    """One step of an instance being saved inside the caller's transaction: its data and its place."""

    conn: Connection
    instance_id: int
    before: Mapping[str, Any]
    after: Mapping[str, Any]
    was: Place | None
    now: Place


def _nothing(*_args: Any) -> None:
    return None


def _no_data(*_args: Any) -> Mapping[str, Any]:
    return {}


@dataclass(frozen=True)
class ProcessHooks:
    """The host's part of one process; every hook is optional."""

    start_title: str = ""
    on_start: Callable[[Connection, int], None] = _nothing
    on_data: Callable[[StepSaved], None] = _nothing
    check_task: Callable[[Connection, int, str, Mapping[str, Any]], None] = _nothing
    check_step: Callable[[Connection, str, Mapping[str, Any], int | None], None] = _nothing
    on_task_completed: Callable[[TaskDone], None] = _nothing
    title: Callable[[Mapping[str, Any]], str | None] = _nothing
    host_data: Callable[[Connection, int, str, Mapping[str, Any]], Mapping[str, Any]] = _no_data
    started_by_host: bool = False  # only the host starts its instances (a plan, when a project joins it)
    on_terminated: Callable[[Services, Connection, int, int, datetime], None] = _nothing


def _fund_project_done(done: TaskDone) -> None:
    if done.task_name == "assign_bank":
        _join_plan(done)
    fund_project.on_task_completed(done.conn, done.instance_id, done.task_name, done.data, done.bank_org_id,
                                   done.actor_id, done.at, done.task_id)
    if done.ctx is not None:
        official_documents.on_task_completed(done.ctx, done.conn, done.instance_id, done.task_name, done.data,
                                             done.actor_id, done.at, done.task_id)


def _join_plan(done: TaskDone) -> None:
    from services.plans.joining import join_plan  # it starts plan instances through services.instances

    if done.ctx is None:
        raise ValueError("assigning a bank needs the services to start the bank's plan")
    join_plan(done.ctx, done.conn, done.instance_id, done.data, done.actor_id, done.at)


def _fund_plan_done(done: TaskDone) -> None:
    # The submitted form only: a reason or remarks left in the data by an earlier round do not count again.
    fund_plan.on_task_completed(done.ctx, done.conn, done.instance_id, done.task_name, done.submitted,
                                done.actor_id, done.at, done.task_id)
    if (done.ctx is not None and done.task_name == "plan_signoff"
            and done.data.get("plan_signoff_decision") == "approve"):  # Attachment 1, on the plan's instance
        official_documents.issue_plan_document(done.ctx, done.conn, done.instance_id, done.actor_id, done.at,
                                               done.task_id)


def _fund_project_step(step: StepSaved) -> None:
    fund_project.on_data(step.conn, step.instance_id, step.before, step.after, step.was, step.now)


def _allocation_step(step: StepSaved) -> None:
    allocation_process.on_data(step.conn, step.instance_id, step.before, step.after)


def _allocation_done(done: TaskDone) -> None:
    allocation_process.on_task_completed(done.conn, done.instance_id, done.task_name, done.submitted,
                                         done.data, done.actor_id, done.at)


def _reconciliation_step(step: StepSaved) -> None:
    reconciliation.on_data(step.conn, step.instance_id, step.before, step.after,
                           step.now.status == "completed" and (step.was is None or step.was.status != "completed"))


def _reconciliation_done(done: TaskDone) -> None:
    reconciliation.on_task_completed(done.conn, done.instance_id, done.task_name, done.data, done.submitted,
                                     done.actor_id, done.at)


HOOKS: dict[str, ProcessHooks] = {
    fund_project.PROCESS_ID: ProcessHooks(
        start_title=fund_project.UNTITLED, on_start=fund_project.on_start, on_data=_fund_project_step,
        check_step=fund_project.check_task, on_task_completed=_fund_project_done, title=fund_project.title,
        on_terminated=plan_ends.project_terminated),
    allocation_process.PROCESS_ID: ProcessHooks(
        start_title=allocation_process.UNTITLED, on_start=allocation_process.on_start,
        on_data=_allocation_step, check_task=allocation_process.check_task,
        on_task_completed=_allocation_done, title=allocation_process.title),
    fund_plan.PROCESS_ID: ProcessHooks(
        start_title=fund_plan.UNTITLED, check_task=fund_plan.check_task, on_task_completed=_fund_plan_done,
        title=fund_plan.title, started_by_host=True, on_terminated=plan_ends.plan_terminated),
    reconciliation.PROCESS_ID: ProcessHooks(
        start_title=reconciliation.UNTITLED, on_data=_reconciliation_step, check_task=reconciliation.check_task,
        host_data=reconciliation.host_data, on_task_completed=_reconciliation_done, title=reconciliation.title,
        on_terminated=reconciliation.on_terminated),
}
DEFAULT = ProcessHooks()


def hooks_for(process_id: str) -> ProcessHooks:
    """Return the hooks of *process_id* (none for a process the host knows nothing about)."""
    return HOOKS.get(process_id, DEFAULT)
