"""Marshmallow schemas of the dashboard and the administrators' actions (also OpenAPI components)."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.oversight.listing import SORTS
from web.api.schemas import Day, Money, Timestamp

ROUNDS = ("annual", "supplementary")
STATUSES = ("running", "suspended", "completed", "rejected", "withdrawn", "terminated")


class DashboardQuery(Schema):
    """Filters, order and paging of the dashboard (counts and amounts follow the structured filters)."""

    year = fields.Integer(validate=validate.Range(min=1900, max=9999))
    round = fields.String(validate=validate.OneOf(ROUNDS))
    stage = fields.String(validate=validate.Length(max=40), metadata={"description": "Step, e.g. payment."})
    status = fields.String(validate=validate.OneOf(STATUSES))
    bank = fields.String(validate=validate.Length(max=64), metadata={"description": "Bank code, e.g. bank-icbc."})
    department = fields.String(validate=validate.Length(max=64), metadata={"description": "Department code."})
    category = fields.String(validate=validate.Length(max=40), metadata={"description": "Category (§11), e.g. it.software."})
    overdue = fields.Boolean(load_default=False, metadata={"description": "Only projects with an overdue payment (list only)."})
    q = fields.String(validate=validate.Length(max=100), metadata={
        "description": "Text in the project name, procurement number, contractor or contract number (list only)."})
    sort = fields.String(load_default="id", validate=validate.OneOf(sorted(SORTS)))
    dir = fields.String(load_default="desc", validate=validate.OneOf(("asc", "desc")))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class StageCount(Schema):
    """How many projects are at one stage with one status."""

    stage = fields.String(required=True)
    status = fields.String(required=True)
    instances = fields.Integer(required=True)


class Amounts(Schema):
    """Sums of the five amounts (yuan) over some projects."""

    instances = fields.Integer(required=True)
    budget = Money(required=True, metadata={"description": "Declared."})
    approved_budget = Money(required=True)
    plan_amount = Money(required=True)
    contract_price = Money(required=True)
    paid_total = Money(required=True, metadata={"description": "Sum of the payments made."})


class AmountRow(Amounts):
    """The amounts of one bank (null: not yet allocated), year and category."""

    bank = fields.String(allow_none=True)
    year = fields.Integer(required=True)
    category = fields.String(required=True)


class PaymentItem(Schema):
    """A payment a bank still owes, with its due time."""

    task_id = fields.String(required=True)
    instance_id = fields.Integer(required=True)
    title = fields.String(required=True)
    bank = fields.String(allow_none=True)
    due = Timestamp(required=True, metadata={"description": "The instant the 30 working days run out."})
    due_date = Day(required=True, metadata={"description": "The last day to pay (the day before `due`)."})
    provisional = fields.Boolean(required=True, metadata={
        "description": "The due date counted days of a year without an official holiday calendar."})
    days_left = fields.Integer(required=True, metadata={"description": "Working days left, today counted."})
    days_late = fields.Integer(required=True, metadata={"description": "Working days past the due date."})
    overdue = fields.Boolean(required=True)
    contract_price = Money(allow_none=True)
    paid_total = Money(required=True)


class PaymentList(Schema):
    """How many payments, and the first ones by due time."""

    total = fields.Integer(required=True)
    items = fields.List(fields.Nested(PaymentItem), required=True)


class DueSoon(PaymentList):
    """Payments not overdue yet that fall due within a few working days."""

    until = Day(required=True, metadata={"description": "The last due day counted."})
    working_days = fields.Integer(required=True)


class InstanceItem(Schema):
    """One project of the dashboard's list."""

    instance_id = fields.Integer(required=True)
    title = fields.String(required=True)
    status = fields.String(required=True)
    stage = fields.String(required=True)
    year = fields.Integer(allow_none=True)
    round = fields.String(allow_none=True)
    category = fields.String(allow_none=True)
    department = fields.String(allow_none=True)
    bank = fields.String(allow_none=True)
    budget = Money(allow_none=True)
    approved_budget = Money(allow_none=True)
    plan_amount = Money(allow_none=True)
    contract_price = Money(allow_none=True)
    paid_total = Money(allow_none=True)
    procurement_no = fields.String(allow_none=True)
    contractor = fields.String(allow_none=True)
    contract_no = fields.String(allow_none=True)
    created_at = Timestamp(required=True)
    updated_at = Timestamp(required=True)
    payment_due = Timestamp(allow_none=True)
    overdue = fields.Boolean(required=True)
    days_left = fields.Integer(allow_none=True, metadata={"description": "Working days left to pay, if a payment is open."})
    days_late = fields.Integer(allow_none=True, metadata={"description": "Working days the open payment is late."})


class InstancePage(Schema):
    """One page of the filtered, sorted list (unknown values sort last in both directions)."""

    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    sort = fields.String(required=True)
    descending = fields.Boolean(required=True)
    items = fields.List(fields.Nested(InstanceItem), required=True)


class Dashboard(Schema):
    """Counts per stage and status, amounts per bank/year/category, payments overdue and due soon, the list."""

    total = fields.Integer(required=True)
    by_status = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    counts = fields.List(fields.Nested(StageCount), required=True)
    amounts = fields.List(fields.Nested(AmountRow), required=True)
    amount_totals = fields.Nested(Amounts, required=True)
    overdue = fields.Nested(PaymentList, required=True)
    due_soon = fields.Nested(DueSoon, required=True)
    instances = fields.Nested(InstancePage, required=True)


class ReasonRequest(Schema):
    """Why an administrator acts (recorded in the project's history)."""

    reason = fields.String(required=True, validate=validate.Length(max=2000))


class ReassignRequest(ReasonRequest):
    """Who takes the task over, and why."""

    to = fields.String(required=True, validate=validate.Length(max=64), metadata={
        "description": "User name of someone holding the task's role (in its organisation for banks and departments)."})


class InstanceAction(Schema):
    """The project after an administrator's action."""

    instance_id = fields.Integer(required=True)
    status = fields.String(required=True)
    stage = fields.String(required=True)


class Reassigned(Schema):
    """The task and the only user who may now complete it."""

    task_id = fields.String(required=True)
    instance_id = fields.Integer(required=True)
    assignee = fields.String(required=True)
    assignee_name = fields.String(required=True)
