"""Marshmallow schemas of the fund use plans per bank (also OpenAPI components)."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from web.api.documents import IssuedDocument
from web.request import MAX_URL_INTEGER as MAX_ID
from web.api.schemas import Money

STATUSES = ["draft", "review", "signoff", "bank", "confirmed", "terminated"]
WAN = {"description": "The same amount in 万元 (10,000 yuan), converted exactly, never rounded: "
                      "820000.00 → \"82\", 1234.56 → \"0.123456\".", "example": "82"}


class PlanAmount(Schema):
    """An amount in yuan (the unit of record) and in exact 万元 (as the plan table prints it)."""

    yuan = Money(required=True)
    wan = fields.String(required=True, metadata=WAN)


class PlansQuery(Schema):
    """Which year the plans are shown for, and which page of them."""

    year = fields.Integer(metadata={"description": "A funding year; absent: this year."})
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100),
                              metadata={"description": "Plans (each with its table) per page."})


class PlanItem(Schema):
    """One row of a plan table: 序号, 项目名称, 预算金额（万元）, 备注."""

    no = fields.Integer(required=True, metadata={"description": "序号: by the time the project joined the plan."})
    project_id = fields.Integer(required=True)
    name = fields.String(required=True)
    category = fields.String(allow_none=True, required=True)
    amount = fields.Nested(PlanAmount, required=True)
    remark = fields.String(required=True)


class Plan(Schema):
    """One bank's fund use plan of a year (or a supplementary round), its own process instance."""

    id = fields.Integer(required=True, metadata={"description": "The plan's process instance id."})
    bank = fields.String(required=True)
    bank_name = fields.String(required=True)
    bank_name_en = fields.String(required=True)
    year = fields.Integer(required=True)
    round_id = fields.Integer(allow_none=True, required=True, metadata={"description": "null: the annual plan."})
    round_name = fields.String(allow_none=True, required=True)
    number = fields.Integer(required=True, metadata={"description": "第N号: counts the bank's plans of the year."})
    status = fields.String(required=True, validate=validate.OneOf(STATUSES), metadata={
        "description": "draft (being prepared, takes projects), review, signoff (awaiting the bureau head), "
                       "bank (signed, awaiting the bank), confirmed (the bank secured the funds)."})
    override_reason = fields.String(allow_none=True, required=True, metadata={
        "description": "Why the head signed a plan above the bank's remaining allocation."})
    total = fields.Nested(PlanAmount, required=True)
    items = fields.List(fields.Nested(PlanItem), required=True)
    documents = fields.List(fields.Nested(IssuedDocument), required=True, metadata={
        "description": "The issued fund use plan tables (Attachment 1) of this plan."})


class BankFigures(Schema):
    """A bank's figures of the year."""

    bank = fields.String(required=True)
    bank_name = fields.String(required=True)
    bank_name_en = fields.String(required=True)
    allocation = fields.Nested(PlanAmount, allow_none=True, required=True,
                               metadata={"description": "null while the year's allocation is not fixed."})
    planned = fields.Nested(PlanAmount, required=True, metadata={"description": "Plans signed by the head."})
    in_draft = fields.Nested(PlanAmount, required=True, metadata={"description": "Plans not yet signed."})
    difference = fields.Nested(PlanAmount, allow_none=True, required=True,
                               metadata={"description": "allocation − planned − in_draft."})


class BankPlans(BankFigures):
    """A bank's figures over all its plans of the year, and its plans on this page."""

    plans = fields.List(fields.Nested(Plan), required=True)


class ProposedMove(Schema):
    """A move the proposed assignment suggests for a project of a draft plan."""

    project_id = fields.Integer(required=True)
    name = fields.String(required=True)
    amount = fields.Nested(PlanAmount, required=True)
    plan_id = fields.Integer(required=True, metadata={"description": "The draft plan the project is in."})
    source = fields.String(allow_none=True, required=True)
    target = fields.String(required=True)


class PlanOverview(Schema):
    """The plans of a year per bank (a bank sees its own), with the proposal for the bureau."""

    year = fields.Integer(required=True)
    allocation_fixed = fields.Boolean(required=True)
    own_bank_only = fields.Boolean(required=True)
    banks = fields.List(fields.Nested(BankPlans), required=True)
    proposal = fields.List(fields.Nested(ProposedMove), required=True, metadata={
        "description": "Largest amount first to the bank with the most allocation left; only for the bureau."})
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True, metadata={"description": "Plans of the year the user may see."})
    more = fields.Boolean(required=True, metadata={"description": "True if later pages hold more plans."})


class PlanDetail(Plan):
    """One plan with its bank's figures of the year."""

    summary = fields.Nested(BankFigures, required=True)


class PlanMove(Schema):
    """Move a project of this draft plan to another bank's draft plan: name the target plan or the bank."""

    project_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_ID))
    target_bank = fields.String(validate=validate.Length(min=1, max=64), metadata={
        "description": "The bank whose draft plan (same year and round) takes the project."})
    target_plan_id = fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_ID))


class PlanSide(Schema):
    """One end of a move."""

    plan_id = fields.Integer(required=True)
    bank = fields.String(required=True)
    number = fields.Integer(required=True)
    year = fields.Integer(required=True)
    round_id = fields.Integer(allow_none=True, required=True)


class PlanMoved(Schema):
    """A project moved between plans."""

    project_id = fields.Integer(required=True)
    name = fields.String(required=True)
    amount = Money(required=True)
    source = fields.Nested(PlanSide, required=True)
    target = fields.Nested(PlanSide, required=True)
