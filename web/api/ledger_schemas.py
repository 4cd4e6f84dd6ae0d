"""Marshmallow schemas of the ledger (also OpenAPI components)."""
from __future__ import annotations

from marshmallow import Schema, fields

from web.api.schemas import Money

NOT_FIXED = "null while the year's allocation is not fixed"


class LedgerQuery(Schema):
    """Which year the ledger shows."""

    year = fields.Integer(metadata={"description": "A funding year; absent: every year."})


class LedgerLine(Schema):
    """Amounts of one category of a bank's year (the allocation has no categories)."""

    category = fields.String(required=True, metadata={"description": "A category of §11 (e.g. it.software)."})
    allocated = Money(required=True, allow_none=True, metadata={"description": "Always null: per bank only."})
    planned = Money(required=True, metadata={"description": "Plan amounts of projects whose plan is signed."})
    contracted = Money(required=True, metadata={"description": "Contract prices of signed contracts."})
    paid = Money(required=True, metadata={"description": "Payments the bank made."})
    remaining = Money(required=True, allow_none=True, metadata={"description": "Always null: per bank only."})
    unpaid = Money(required=True, metadata={"description": "planned − paid."})


class LedgerTotals(Schema):
    """Amounts of a bank's year, a year or the whole ledger."""

    allocated = Money(required=True, allow_none=True, metadata={"description": f"Fixed allocation; {NOT_FIXED}."})
    planned = Money(required=True)
    contracted = Money(required=True)
    paid = Money(required=True)
    remaining = Money(required=True, allow_none=True,
                      metadata={"description": f"allocated − planned (negative: planned above the allocation); "
                                               f"{NOT_FIXED}."})
    unpaid = Money(required=True, metadata={"description": "planned − paid."})


class LedgerBank(LedgerTotals):
    """One bank's year: its totals and a line per category."""

    bank = fields.String(required=True, metadata={"description": "Code of the cooperating bank."})
    bank_name = fields.String(required=True)
    bank_name_en = fields.String(required=True)
    categories = fields.List(fields.Nested(LedgerLine), required=True)


class LedgerYear(Schema):
    """One year of the ledger."""

    year = fields.Integer(required=True)
    allocation_fixed = fields.Boolean(required=True)
    banks = fields.List(fields.Nested(LedgerBank), required=True)
    totals = fields.Nested(LedgerTotals, required=True)


class Ledger(Schema):
    """Allocated, planned, contracted and paid per bank, year and category (a bank sees its own rows only).

    A withdrawn, terminated or rejected project counts in planned and contracted only for what was
    paid for it.
    """

    year = fields.Integer(required=True, allow_none=True)
    own_bank_only = fields.Boolean(required=True)
    years = fields.List(fields.Nested(LedgerYear), required=True)
    totals = fields.Nested(LedgerTotals, required=True)
    years_known = fields.List(fields.Integer(), required=True,
                              metadata={"description": "Years with projects or a fixed allocation, newest first."})
