"""Amounts in 万元 (ten thousand yuan), as the plan tables of Attachment 1 show them."""
from __future__ import annotations

from decimal import Decimal

TEN_THOUSAND = Decimal(10000)


def to_wan(amount: Decimal) -> str:
    """Return *amount* (yuan) in 万元 exactly, never rounded: 820000.00 → "82", 1234.56 → "0.123456".

    Plain notation (no exponent), no trailing zeros; zero is "0".
    """
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise ValueError(f"not a finite Decimal amount: {amount!r}")
    wan = (amount / TEN_THOUSAND) if amount else Decimal(0)
    text = format(wan, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text
