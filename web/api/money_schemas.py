"""Marshmallow schemas of card functions, funding years and allocations (also OpenAPI components)."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from web.api.schemas import Day, Money, Timestamp


class CardFunction(Schema):
    """One entry of the card function list (应用功能清单)."""

    code = fields.String(required=True, metadata={"description": "Stable identifier a declaration names."})
    name = fields.String(required=True)
    description = fields.String(required=True)
    department = fields.String(required=True, metadata={"description": "Code of the owning department."})
    department_name = fields.String(required=True)
    active = fields.Boolean(required=True, metadata={"description": "Only active functions can be declared."})
    uses = fields.Integer(required=True, metadata={"description": "Projects that declared this function."})


class CardFunctionList(Schema):
    """The card function list, in list order."""

    items = fields.List(fields.Nested(CardFunction), required=True)


class CardFunctionQuery(Schema):
    """Filters of the card function list."""

    active = fields.Boolean(metadata={"description": "true: only the functions a declaration may pick."})


class CardFunctionCreate(Schema):
    """A new card function (the bureau only)."""

    code = fields.String(required=True, validate=validate.Length(max=64),
                         metadata={"description": "a-z first, then a-z, 0-9 and -; never changes."})
    name = fields.String(required=True, validate=validate.Length(max=200))
    description = fields.String(load_default="", validate=validate.Length(max=4000))
    department = fields.String(required=True, validate=validate.Length(max=64))


class CardFunctionPatch(Schema):
    """Changes to a card function (the bureau only); a used function is deactivated, never deleted."""

    name = fields.String(validate=validate.Length(max=200))
    description = fields.String(validate=validate.Length(max=4000))
    department = fields.String(validate=validate.Length(max=64))
    active = fields.Boolean()


class AnnualRound(Schema):
    """A year's annual declaration round."""

    opens_on = Day(required=True)
    closes_on = Day(required=True)
    configured = fields.Boolean(required=True, metadata={"description": "false: the default, all of January."})


class SupplementaryRound(Schema):
    """A supplementary round the bureau opened."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)
    opens_on = Day(required=True)
    closes_on = Day(required=True)
    projects = fields.Integer(required=True)


class TodaysRound(Schema):
    """The round a declaration submitted today belongs to."""

    year = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"description": "annual or supplementary"})
    name = fields.String(required=True)
    round_id = fields.Integer(allow_none=True)


class FundingYear(Schema):
    """A funding year's declaration rounds."""

    year = fields.Integer(required=True)
    annual = fields.Nested(AnnualRound, required=True)
    rounds = fields.List(fields.Nested(SupplementaryRound), required=True)
    today = fields.Nested(TodaysRound, required=True)


class AllocationShare(Schema):
    """One bank's card count and share."""

    bank = fields.String(required=True)
    bank_name = fields.String(required=True)
    card_count = fields.Integer(required=True, metadata={"description": "Third-generation cards at the end of "
                                                                        "the previous year, as confirmed."})
    share = Money(required=True)


class Allocation(Schema):
    """A fixed allocation; a bank sees only its own share (and no pool or total)."""

    year = fields.Integer(required=True)
    pool = Money(metadata={"description": "Absent for a bank."})
    total_cards = fields.Integer(metadata={"description": "Absent for a bank."})
    approved_by = fields.String(required=True)
    approved_at = Timestamp(required=True)
    instance_id = fields.Integer(required=True)
    shares = fields.List(fields.Nested(AllocationShare), required=True)


class AllocationList(Schema):
    """The fixed allocations, newest year first."""

    items = fields.List(fields.Nested(Allocation), required=True)


class RunTask(Schema):
    """An open task of an allocation run."""

    id = fields.String(required=True)
    name = fields.String(required=True)
    title = fields.String(required=True)
    lane = fields.String(required=True)
    bank = fields.String(allow_none=True)
    actionable = fields.Boolean(required=True, metadata={"description": "The user may complete it."})


class AllocationRun(Schema):
    """An allocation process of the year."""

    instance_id = fields.Integer(required=True)
    title = fields.String(required=True)
    status = fields.String(required=True)
    stage = fields.String(required=True)
    created_at = Timestamp(required=True)
    open_tasks = fields.List(fields.Nested(RunTask), required=True)


class AllocationYear(Schema):
    """A year's allocation (null until fixed) and its runs."""

    year = fields.Integer(required=True)
    fixed = fields.Nested(Allocation, allow_none=True, required=True)
    runs = fields.List(fields.Nested(AllocationRun), required=True)
    own_rows_only = fields.Boolean(required=True)
    may_start = fields.Boolean(required=True)
