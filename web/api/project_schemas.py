"""Marshmallow schemas of project and file responses (also OpenAPI components)."""
from __future__ import annotations

from marshmallow import Schema, fields

from web.api.schemas import Day, Money, Timestamp


class ProjectSummary(Schema):
    """One project in a list."""

    instance_id = fields.Integer(required=True)
    title = fields.String(required=True)
    status = fields.String(required=True)
    stage = fields.String(required=True)
    year = fields.Integer(allow_none=True)
    round = fields.String(allow_none=True)
    category = fields.String(allow_none=True)
    department = fields.String(allow_none=True)
    bank = fields.String(allow_none=True)
    created_at = Timestamp(required=True)
    updated_at = Timestamp(required=True)
    budget = Money(allow_none=True)
    approved_budget = Money(allow_none=True)
    plan_amount = Money(allow_none=True)
    contract_price = Money(allow_none=True)
    paid_total = Money(allow_none=True)


class ProjectPage(Schema):
    """One page of the projects the user may see, newest first."""

    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    items = fields.List(fields.Nested(ProjectSummary), required=True)


class TaskRow(Schema):
    """A task of a project, open or done."""

    id = fields.String(required=True)
    name = fields.String(required=True)
    title = fields.String(required=True)
    lane = fields.String(required=True)
    stage = fields.String(required=True)
    status = fields.String(required=True, metadata={
        "description": "ready, suspended (its project is suspended), completed or cancelled"})
    assignee = fields.String(allow_none=True, metadata={
        "description": "The user an administrator gave the task to: only they may complete it."})
    created_at = Timestamp(required=True)
    due = Timestamp(allow_none=True)
    completed_at = Timestamp(allow_none=True)


class ProjectFacts(Schema):
    """The project's key facts as the process has recorded them."""

    year = fields.Integer(allow_none=True)
    round = fields.String(allow_none=True)
    name = fields.String(allow_none=True)
    category = fields.String(allow_none=True)
    budget = Money(allow_none=True)
    approved_budget = Money(allow_none=True)
    plan_amount = Money(allow_none=True)
    contractor = fields.String(allow_none=True)
    procurement_no = fields.String(allow_none=True)
    contract_price = Money(allow_none=True)
    paid_total = Money(allow_none=True)
    contract_no = fields.String(allow_none=True)
    contract_name = fields.String(allow_none=True)


class Payment(Schema):
    """One instalment the bank paid."""

    instalment = fields.Integer(required=True)
    amount = Money(required=True)
    notice_date = Day(required=True)
    paid_on = Day(required=True)
    reference = fields.String(required=True)


class Document(Schema):
    """A file submitted with one of the project's forms."""

    sha256 = fields.String(required=True)
    field = fields.String(required=True)
    task_id = fields.String(allow_none=True)
    filename = fields.String(required=True)
    content_type = fields.String(required=True)
    size = fields.Integer(required=True)


class HistoryEvent(Schema):
    """One entry of the project's append-only history."""

    at = Timestamp(required=True)
    event = fields.String(required=True)
    task_id = fields.String(allow_none=True)
    actor = fields.String(allow_none=True)
    actor_name = fields.String(allow_none=True)
    data = fields.Dict(required=True)


class Comment(Schema):
    """A participant's comment."""

    id = fields.Integer(required=True)
    author = fields.String(required=True)
    author_name = fields.String(required=True)
    at = Timestamp(required=True)
    body = fields.String(required=True)


class ProjectDetail(Schema):
    """A project: status, stage, tasks, facts, payments, documents, history and comments."""

    instance_id = fields.Integer(required=True)
    process_id = fields.String(required=True)
    model_version = fields.Integer(required=True)
    title = fields.String(required=True)
    status = fields.String(required=True)
    stage = fields.String(required=True)
    department = fields.String(allow_none=True)
    bank = fields.String(allow_none=True)
    created_at = Timestamp(required=True)
    updated_at = Timestamp(required=True)
    completed_at = Timestamp(allow_none=True)
    next_timer_due = Timestamp(allow_none=True)
    open_tasks = fields.List(fields.Nested(TaskRow), required=True)
    tasks = fields.List(fields.Nested(TaskRow), required=True)
    project = fields.Nested(ProjectFacts, allow_none=True)
    payments = fields.List(fields.Nested(Payment), required=True)
    documents = fields.List(fields.Nested(Document), required=True)
    history = fields.List(fields.Nested(HistoryEvent), required=True)
    comments = fields.List(fields.Nested(Comment), required=True)


class StoredFile(Schema):
    """An uploaded file, to be named by its sha256 in a form's file field."""

    sha256 = fields.String(required=True)
    filename = fields.String(required=True)
    content_type = fields.String(required=True)
    size = fields.Integer(required=True)
