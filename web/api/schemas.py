"""Marshmallow schemas of /api/v1 requests and of tokens, tasks and errors (also OpenAPI components)."""
from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

MONEY_PATTERN = r"^-?(0|[1-9][0-9]*)\.[0-9]{2}$"


class Money(fields.String):
    """Yuan with exactly two decimals, as a string ("1150000.00")."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("metadata", {"pattern": MONEY_PATTERN, "example": "1150000.00"})
        super().__init__(**kwargs)


class Timestamp(fields.String):
    """An ISO 8601 instant with its offset, as the services write it."""


class Day(fields.String):
    """An ISO 8601 calendar date (YYYY-MM-DD)."""


def _text(description: str, **kwargs: Any) -> fields.String:
    return fields.String(metadata={"description": description}, **kwargs)


# Requests
class TokenRequest(Schema):
    """Credentials exchanged for a bearer token."""

    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=1024))


class CompleteRequest(Schema):
    """The values of a task's form."""

    data = fields.Dict(required=True, metadata={"description": "Field values, as the task's form schema says."})


class StartRequest(Schema):
    """Optionally, the values of the declaration form to submit at once."""

    data = fields.Dict(load_default=None, allow_none=True,
                       metadata={"description": "Declaration form values; leave out to only start."})


class TaskQuery(Schema):
    """Filters of a task list."""

    stage = fields.String(validate=validate.Length(max=40), metadata={"description": "Step, e.g. review."})
    year = fields.Integer(validate=validate.Range(min=1900, max=9999))
    round = fields.String(validate=validate.Length(max=20), metadata={"description": "annual or supplementary"})
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class ProjectQuery(Schema):
    """Filters and paging of a project list."""

    year = fields.Integer(validate=validate.Range(min=1900, max=9999))
    round = fields.String(validate=validate.Length(max=20))
    stage = fields.String(validate=validate.Length(max=40))
    status = fields.String(validate=validate.Length(max=20),
                           metadata={"description": "running, completed, rejected or withdrawn"})
    q = fields.String(validate=validate.Length(max=200), metadata={"description": "Text in the project name."})
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


# Responses
class Error(Schema):
    """Every error the API answers."""

    message = fields.String(required=True)
    errors = fields.Dict(keys=fields.String(), values=fields.String(), required=True,
                         metadata={"description": "One message per field path."})
    details = fields.List(fields.Dict(keys=fields.String(), values=fields.String()), required=True,
                          metadata={"description": "Objects with path, code and message."})


class Token(Schema):
    """A bearer token and when it expires."""

    token = fields.String(required=True)
    token_type = fields.String(required=True, metadata={"example": "Bearer"})
    expires_at = Timestamp(required=True)


class ReadyTask(Schema):
    """A task that became ready."""

    id = fields.String(required=True)
    name = fields.String(required=True)
    title = fields.String(required=True)
    lane = _text("The role that completes it.", required=True)


def PROVISIONAL() -> fields.Boolean:  # noqa: N802 - reads like the field types beside it
    """Return the field telling that a due date is provisional."""
    return fields.Boolean(required=True, metadata={
        "description": "True if the due date was counted without its year's official holiday calendar "
                       "(Monday to Friday only), so it may still change."})


class Returned(Schema):
    """Who sent a task back for revision, from which step, and why."""

    by = _text("The display name of the person who sent it back.", required=True)
    step = _text("The step (task name) that sent it back.", required=True)
    step_title = fields.String(required=True)
    reason = _text("The opinion given with the decision (may be empty).", required=True)


class TaskSummary(Schema):
    """One task in a user's list."""

    id = fields.String(required=True)
    instance_id = fields.Integer(required=True)
    name = fields.String(required=True)
    title = fields.String(required=True)
    lane = fields.String(required=True)
    stage = fields.String(required=True)
    project = _text("The project's title.", required=True)
    due = Timestamp(allow_none=True)
    due_provisional = PROVISIONAL()
    created_at = Timestamp(required=True)
    returned = fields.Nested(Returned, allow_none=True, metadata={
        "description": "Set when a later decision sent this step back for revision."})


class TaskList(Schema):
    """The tasks waiting for the user, soonest due first."""

    items = fields.List(fields.Nested(TaskSummary), required=True)
    more = fields.Boolean(required=True, metadata={"description": "True if the list was cut at `limit`."})


class ProjectRef(Schema):
    """The project a task belongs to."""

    instance_id = fields.Integer(required=True)
    title = fields.String(required=True)
    status = fields.String(required=True)
    stage = fields.String(required=True)


class TaskPlanRow(Schema):
    """One row of the plan table: 序号, the project, its amount and remark (备注)."""

    no = fields.Integer(required=True, metadata={"description": "序号, from 1."})
    project_id = fields.Integer(required=True, metadata={"description": "The project's process instance id."})
    name = fields.String(required=True)
    amount = Money(required=True)
    remark = fields.String(required=True)


class TaskPlan(Schema):
    """The fund use plan a task belongs to, with its table as it stands now."""

    id = fields.Integer(required=True, metadata={"description": "The plan's process instance id."})
    bank = _text("The bank's code.", required=True)
    bank_name = fields.String(required=True)
    year = fields.Integer(required=True)
    number = fields.Integer(required=True, metadata={"description": "第N号: counts the bank's plans of the year."})
    status = _text("draft, review, signoff, bank, confirmed or terminated", required=True)
    rows = fields.List(fields.Nested(TaskPlanRow), required=True)
    total = Money(required=True)


class TaskDetail(Schema):
    """One task with its project and the JSON Schema of its form."""

    id = fields.String(required=True)
    instance_id = fields.Integer(required=True)
    name = fields.String(required=True)
    title = fields.String(required=True)
    lane = fields.String(required=True)
    stage = fields.String(required=True)
    status = _text("ready, completed or cancelled", required=True)
    created_at = Timestamp(required=True)
    due = Timestamp(allow_none=True)
    due_provisional = PROVISIONAL()
    completed_at = Timestamp(allow_none=True)
    can_complete = fields.Boolean(required=True)
    project = fields.Nested(ProjectRef, required=True)
    form = fields.Dict(required=True, metadata={
        "description": "JSON Schema (2020-12) of the form, with defaults and choices filled in."})
    plan = fields.Nested(TaskPlan, required=True, allow_none=True, metadata={
        "description": "The fund use plan's table for a task of a plan; null for other tasks."})


class Completion(Schema):
    """What completing a task changed."""

    task_id = fields.String(required=True)
    instance_id = fields.Integer(required=True)
    status = fields.String(required=True)
    stage = fields.String(required=True)
    ready = fields.List(fields.Nested(ReadyTask), required=True)


class Started(Schema):
    """A new project and the tasks now waiting in it."""

    instance_id = fields.Integer(required=True)
    task_id = _text("The declaration task, if its form was submitted.", allow_none=True, dump_default=None)
    status = fields.String(required=True)
    stage = fields.String(required=True)
    ready = fields.List(fields.Nested(ReadyTask), required=True)
