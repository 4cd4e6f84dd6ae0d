"""Amounts written for people: ¥1,234.50, and a negative one with its sign first, -¥300,000.00.

The one place the pages and the services' messages take money text from.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation


def amount_text(value: object) -> str:
    """Return an amount with thousands separators and two decimals, without the currency sign.

    A text that is no finite amount is returned as it is; a minus rounded away is dropped (-0.004 → 0.00).
    """
    try:
        number = Decimal(str(value).replace(",", ""))
    except (InvalidOperation, ValueError):
        return str(value)
    if not number.is_finite():
        return str(value)
    text = f"{number:,.2f}"
    return text[1:] if text[:1] == "-" and not text.strip("-0.,") else text


def money_text(value: object) -> str:
    """Return an amount in yuan as ¥1,150,000.00; a negative one has its sign first: -¥300,000.00."""
    text = amount_text(value)
    if text[:1] == "-" and text[1:2].isdigit():
        return f"-¥{text[1:]}"
    return f"¥{text}" if text[:1].isdigit() else text
