"""Marshmallow schemas of the reconciliations with the banks (also OpenAPI components)."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from web.api.schemas import Day, ReadyTask, Timestamp

STATUSES = ["reporting", "explaining", "closed", "terminated"]


def _text(description: str, **kwargs: object) -> fields.String:
    return fields.String(metadata={"description": description}, **kwargs)  # type: ignore[arg-type]


class ReconciliationLine(Schema):
    """One compared figure: what the bank reported beside what the system recorded, and both explanations."""

    line = fields.Integer(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(["card_count", "paid_total", "paid_project"]))
    label = fields.String(required=True)
    project_id = fields.Integer(allow_none=True, required=True)
    reported = _text("A card count, or yuan with two decimals.", allow_none=True, required=True)
    recorded = _text("A card count, or yuan with two decimals; null when the system has no figure.",
                     allow_none=True, required=True)
    difference = _text("Reported minus recorded; null when a side is missing.", allow_none=True, required=True)
    differs = fields.Boolean(required=True)
    allocation_year = fields.Integer(allow_none=True, metadata={
        "description": "For the card count: the year of the allocation whose count was compared."})
    bank_explanation = fields.String(allow_none=True, required=True)
    bank_explained_by = fields.String(allow_none=True, required=True)
    bank_explained_at = Timestamp(allow_none=True, required=True)
    bureau_explanation = fields.String(allow_none=True, required=True)
    closed_by = fields.String(allow_none=True, required=True)
    closed_at = Timestamp(allow_none=True, required=True)


class ReconciliationTask(Schema):
    """An open task of a reconciliation."""

    id = fields.String(required=True)
    name = fields.String(required=True)
    title = fields.String(required=True)
    lane = fields.String(required=True)
    actionable = fields.Boolean(required=True, metadata={"description": "The user may complete it."})


class Reconciliation(Schema):
    """One bank's reconciliation for one period."""

    id = fields.Integer(required=True)
    instance_id = fields.Integer(required=True)
    bank = fields.String(required=True)
    bank_name = fields.String(required=True)
    bank_name_en = fields.String(required=True)
    period = _text("2026Q3, 2026-07 or 2026.", required=True)
    period_start = Day(required=True)
    period_end = Day(required=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES), metadata={
        "description": "A terminated one stays on record; its bank and period may be started again."})
    instance_status = fields.String(required=True)
    scheduled = fields.Boolean(required=True, metadata={"description": "Started by the quarterly schedule."})
    created_at = Timestamp(required=True)
    reported_at = Timestamp(allow_none=True, required=True)
    closed_at = Timestamp(allow_none=True, required=True)
    card_count = fields.Nested(ReconciliationLine, allow_none=True, required=True)
    paid_total = fields.Nested(ReconciliationLine, allow_none=True, required=True)
    lines = fields.List(fields.Nested(ReconciliationLine), required=True)
    difference_count = fields.Integer(required=True)
    closed_count = fields.Integer(required=True)
    open_tasks = fields.List(fields.Nested(ReconciliationTask), metadata={"description": "Only on one record."})


class ReconciliationList(Schema):
    """The reconciliations the user may see (a bank its own), newest period first."""

    items = fields.List(fields.Nested(Reconciliation), required=True)


class ReconciliationStart(Schema):
    """Start a bank's reconciliation for an ended period (the bureau)."""

    bank = fields.String(required=True, validate=validate.Length(min=1, max=64))
    period = fields.String(required=True, validate=validate.Length(min=1, max=10))


class ReconciliationStarted(Schema):
    """A started reconciliation and the bank's report task."""

    record_id = fields.Integer(required=True)
    instance_id = fields.Integer(required=True)
    bank = fields.String(required=True)
    period = fields.String(required=True)
    status = fields.String(required=True)
    ready = fields.List(fields.Nested(ReadyTask), required=True)
