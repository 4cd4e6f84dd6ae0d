"""Amounts of money in Chinese capitals (人民币大写), following the PBOC rules.

The rules are those of 《正确填写票据和结算凭证的基本规定》 part 四 (see FACTS.md). Where they allow
a choice, this module always makes the same one:

- The integer part is read in groups of four digits: 仟佰拾(个), then 万, 亿 and 万亿
  (so 1,000,000,000,000 is 壹万亿元). A leading 1 in the tens place is written 壹拾.
- A run of zeros between two non-zero digits is written as one 零, also when it spans a whole
  万 group (100,001,000 → 壹亿零壹仟元整) and between 元 and 角 (1,680.32 → 壹仟陆佰捌拾元零叁角贰分).
  The one exception: zeros that only end a group whose 万/亿 word is written do not give a 零
  (107,000.53 → 壹拾万柒仟元零伍角叁分), since the word already separates the digits.
- A zero 角 before a non-zero 分 is always written (325.04 → 叁佰贰拾伍元零肆分).
- 整 follows 元 when 角 and 分 are both zero (820,000.00 → 捌拾贰万元整; 0.00 → 零元整); it is never
  written after 角 (1,409.50 → 壹仟肆佰零玖元伍角) nor after 分.
- Below one yuan nothing is written before the first non-zero digit (0.01 → 壹分, 0.10 → 壹角).

Input is exact: a ``str`` of ASCII digits with an optional point and one or two decimals, or a
finite non-negative ``Decimal`` whose value has at most two decimal places; from 0.00 up to
9,999,999,999,999,999.99. Anything else (signs, exponents, separators, spaces, full-width digits,
NaN, floats, more decimals) raises :class:`AmountError`; nothing is ever rounded.
"""
from __future__ import annotations

import re
from decimal import Decimal

DIGITS = "零壹贰叁肆伍陆柒捌玖"
PLACES = ("", "拾", "佰", "仟")
GROUP_WORDS = {4: "万", 8: "亿", 12: "万"}  # digit index (from the right) where a group word goes
MAX_AMOUNT = Decimal("9999999999999999.99")
_PLAIN = re.compile(r"[0-9]+(?:\.[0-9]{1,2})?")
_MAX_LENGTH = 64


class AmountError(ValueError):
    """An amount that cannot be written in capitals: the message says why."""


def parse_amount(amount: str | Decimal) -> Decimal:
    """Return *amount* as a Decimal with two places, or raise AmountError."""
    if isinstance(amount, Decimal):
        return _checked_decimal(amount)
    if not isinstance(amount, str):
        raise AmountError(f"amount must be a string of digits or a Decimal, not {type(amount).__name__}")
    if not amount:
        raise AmountError("amount is empty")
    if len(amount) > _MAX_LENGTH:
        raise AmountError(f"amount is longer than {_MAX_LENGTH} characters")
    if not _PLAIN.fullmatch(amount):
        raise AmountError(f"amount {amount[:40]!r} is not plain digits with an optional point and at most "
                          "two decimals (no signs, spaces, separators, exponents or full-width digits)")
    return _in_range(Decimal(amount).quantize(Decimal("0.01")))


def _checked_decimal(value: Decimal) -> Decimal:
    if not value.is_finite():
        raise AmountError(f"amount {value} is not a finite number")
    if value.is_signed():
        raise AmountError(f"amount {value} is negative")
    if value > MAX_AMOUNT:
        raise AmountError(f"amount {value} is larger than {MAX_AMOUNT:,}")
    exact = value.quantize(Decimal("0.01"))
    if exact != value:
        raise AmountError(f"amount {value} has more than two decimals")
    return exact


def _in_range(value: Decimal) -> Decimal:
    if value > MAX_AMOUNT:
        raise AmountError(f"amount {value} is larger than {MAX_AMOUNT:,}")
    return value


def rmb_upper(amount: str | Decimal) -> str:
    """Return *amount* (yuan) in Chinese capitals, e.g. "1680.32" → 壹仟陆佰捌拾元零叁角贰分."""
    plain = f"{parse_amount(amount):.2f}"
    integer, jiao, fen = plain[:-3].lstrip("0"), int(plain[-2]), int(plain[-1])
    if not integer and not jiao and not fen:
        return "零元整"
    words = _integer_words(integer) + "元" if integer else ""
    if jiao == 0 and fen == 0:
        return words + "整"
    if jiao:
        words += ("零" if integer and integer[-1] == "0" else "") + DIGITS[jiao] + "角"
    if fen:
        words += ("零" if words and not jiao else "") + DIGITS[fen] + "分"
    return words


def _integer_words(integer: str) -> str:
    """Return the capitals of a run of digits with no leading zero, without 元."""
    words: list[str] = []
    pending_zero = False
    top = len(integer) - 1
    for index, char in enumerate(integer):
        place = top - index
        digit = int(char)
        if digit:
            words.append(("零" if pending_zero else "") + DIGITS[digit] + PLACES[place % 4])
        pending_zero = not digit
        if place in GROUP_WORDS and _group_written(integer, place):
            words.append(GROUP_WORDS[place])
            pending_zero = False  # the zeros ending a group are absorbed by its written 万/亿
    return "".join(words)


def _group_written(integer: str, place: int) -> bool:
    """Tell whether the group word at *place* is written: its group (or, for 亿, anything above) is non-zero."""
    top = len(integer) - 1
    high = top if place == 8 else min(place + 3, top)
    return any(integer[top - p] != "0" for p in range(place, high + 1))
