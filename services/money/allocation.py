"""Share a year's pool among the banks in proportion to their card counts, exact to the fen (§3).

Pure code: no database, no clock. Largest remainder in integer fen: every bank first gets
the fen its count earns rounded down; the fen left over go one each to the largest
remainders, ties broken by bank code, so the shares always add up to the pool exactly.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal

FEN = Decimal("0.01")
MAX_POOL = Decimal("9999999999999999.99")
MAX_CARDS = 10**12
POOL_RE = re.compile(r"^(0|[1-9][0-9]{0,15})(\.[0-9]{1,2})?$")
COUNT_RE = re.compile(r"^(0|[1-9][0-9]{0,12})$")
BANK_RE = re.compile(r"^[^=,\s]{1,64}$")


class AllocationInputError(ValueError):
    """The pool or the card counts cannot be allocated; the message says why in one line."""


def _check(pool: Decimal, cards: Mapping[str, int]) -> None:
    if not isinstance(pool, Decimal) or not pool.is_finite():
        raise AllocationInputError("the pool must be an exact amount in yuan")
    if pool < 0 or pool > MAX_POOL or pool != pool.quantize(FEN):
        raise AllocationInputError("the pool must be between 0 and 9999999999999999.99 yuan with at most two decimals")
    if not cards:
        raise AllocationInputError("give the card count of at least one bank")
    for bank, count in cards.items():
        if isinstance(count, bool) or not isinstance(count, int) or count < 0 or count > MAX_CARDS:
            raise AllocationInputError(f"the card count of {bank} must be a whole number from 0 to {MAX_CARDS}")
    if not any(cards.values()):
        raise AllocationInputError("at least one bank must have cards: all counts are zero")


def allocate(pool: Decimal, cards: Mapping[str, int]) -> dict[str, Decimal]:
    """Return each bank's share of *pool* in proportion to *cards*, exact to the fen and summing to *pool*."""
    _check(pool, cards)
    pool_fen, total = int(pool * 100), sum(cards.values())
    floors: dict[str, int] = {}
    remainders: dict[str, int] = {}
    for bank, count in cards.items():
        floors[bank], remainders[bank] = divmod(pool_fen * count, total)
    leftover = pool_fen - sum(floors.values())
    for bank in sorted(cards, key=lambda b: (-remainders[b], b))[:leftover]:
        floors[bank] += 1
    return {bank: (Decimal(floors[bank]) / 100).quantize(FEN) for bank in cards}


def parse_pool(text: str) -> Decimal:
    """Return the pool written as yuan with at most two decimals; refuse anything else."""
    value = (text or "").strip()
    if not POOL_RE.match(value):
        raise AllocationInputError(
            f"--pool {text!r} is not an amount in yuan: write digits with at most two decimals, e.g. 1000000.00")
    return Decimal(value)


def parse_cards(text: str) -> dict[str, int]:
    """Return {bank: count} from `BANK=COUNT,BANK=COUNT`; refuse repeats, negatives and non-integers."""
    cards: dict[str, int] = {}
    for item in (text or "").split(","):
        bank, sep, count = (part.strip() for part in item.partition("="))
        if not sep or not BANK_RE.match(bank):
            raise AllocationInputError(f"--cards item {item.strip()!r} is not BANK=COUNT")
        if bank in cards:
            raise AllocationInputError(f"--cards names bank {bank} twice")
        if not COUNT_RE.match(count):
            raise AllocationInputError(f"the card count of {bank} must be a whole number of at least 0, not {count!r}")
        cards[bank] = int(count)
    return cards


def allocation_rows(pool: str, counts: list[dict[str, object]]) -> list[dict[str, object]]:
    """Return the proposed shares as table rows in bank order: bank, counts, correction note and share."""
    cards: dict[str, int] = {}
    for row in counts:
        bank, count = str(row["bank"]), row["card_count"]
        if bank in cards or not isinstance(count, int):
            raise AllocationInputError(f"bank {bank} is listed twice or has no whole card count")
        cards[bank] = count
    shares = allocate(parse_pool(str(pool)), cards)
    by_bank = {str(row["bank"]): row for row in counts}
    return [{"bank": bank, "reported_count": by_bank[bank].get("reported_count", cards[bank]),
             "card_count": cards[bank], "note": by_bank[bank].get("note", ""), "share": str(shares[bank])}
            for bank in sorted(cards)]
