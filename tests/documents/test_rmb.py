"""Amounts in Chinese capitals: the PBOC examples, zero runs around 万 and 亿, limits and refusals."""
from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given, strategies as st

from documents.rmb import MAX_AMOUNT, AmountError, rmb_upper

# Every worked example of the PBOC rules quoted in FACTS.md, with the form this module chose
# (where the rules allow two, both are listed and ours must be one of them).
PBOC_EXAMPLES = {
    "1409.50": {"壹仟肆佰零玖元伍角"},
    "6007.14": {"陆仟零柒元壹角肆分"},
    "1680.32": {"壹仟陆佰捌拾元零叁角贰分", "壹仟陆佰捌拾元叁角贰分"},
    "107000.53": {"壹拾万柒仟元零伍角叁分", "壹拾万零柒仟元伍角叁分"},
    "16409.02": {"壹万陆仟肆佰零玖元零贰分"},
    "325.04": {"叁佰贰拾伍元零肆分"},
}


@pytest.mark.parametrize("amount", sorted(PBOC_EXAMPLES))
def test_every_pboc_example(amount: str) -> None:
    assert rmb_upper(amount) in PBOC_EXAMPLES[amount]


@pytest.mark.parametrize(("amount", "upper"), [
    ("1680.32", "壹仟陆佰捌拾元零叁角贰分"),      # our convention: the 零 after a zero 元 digit is written
    ("107000.53", "壹拾万柒仟元零伍角叁分"),      # … and zeros ending a written 万 group are not
    ("100001000", "壹亿零壹仟元整"),
    ("100000000", "壹亿元整"),
    ("100010000", "壹亿零壹万元整"),
    ("110000000", "壹亿壹仟万元整"),
    ("1000000001", "壹拾亿零壹元整"),
    ("1000100000", "壹拾亿零壹拾万元整"),
    ("10000000", "壹仟万元整"),
    ("10007000", "壹仟万柒仟元整"),
    ("1000700", "壹佰万零柒佰元整"),
    ("20000", "贰万元整"),
    ("20001", "贰万零壹元整"),
    ("10", "壹拾元整"),
    ("15.00", "壹拾伍元整"),
    ("1000000000000", "壹万亿元整"),
    ("1000100000000", "壹万零壹亿元整"),
    ("1000000000001", "壹万亿零壹元整"),
    ("1010000000000", "壹万零壹佰亿元整"),
    ("201000000000000", "贰佰零壹万亿元整"),
    ("1000000000000000", "壹仟万亿元整"),
    ("9999999999999999.99", "玖仟玖佰玖拾玖万玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
    ("820000.00", "捌拾贰万元整"),
    ("10.50", "壹拾元零伍角"),
    ("100000.05", "壹拾万元零伍分"),
    ("0.01", "壹分"),
    ("0.1", "壹角"),
    ("0.10", "壹角"),
    ("0.11", "壹角壹分"),
    ("0.00", "零元整"),
    ("0", "零元整"),
    ("000120", "壹佰贰拾元整"),
])
def test_zero_runs_limits_and_the_chosen_convention(amount: str, upper: str) -> None:
    assert rmb_upper(amount) == upper


def test_decimal_input_is_exact() -> None:
    assert rmb_upper(Decimal("1680.32")) == "壹仟陆佰捌拾元零叁角贰分"
    assert rmb_upper(Decimal("1E+3")) == "壹仟元整"
    assert rmb_upper(Decimal("2.500")) == "贰元伍角"   # the same value with two places: nothing is rounded
    assert rmb_upper(MAX_AMOUNT).endswith("玖角玖分")


@pytest.mark.parametrize("amount", [
    "", " 1", "1 ", "1\n", "-1", "+1", "1e3", "1E3", "1,000", "1_000", "1.234", "1.", ".5", "1.2.3",
    "１２３", "١٢٣", "NaN", "nan", "Infinity", "inf", "0x10", "¥100", "100元", "10000000000000000",
    "10000000000000000.00", "9999999999999999.991", "1" * 65,
])
def test_malformed_or_out_of_range_text_is_refused(amount: str) -> None:
    with pytest.raises(AmountError):
        rmb_upper(amount)


@pytest.mark.parametrize("amount", [
    Decimal("-1"), Decimal("-0"), Decimal("NaN"), Decimal("sNaN"), Decimal("Infinity"), Decimal("1.001"),
    Decimal("10000000000000000"), 1.5, 100, None, b"100",
])
def test_refused_values(amount: object) -> None:
    with pytest.raises(AmountError):
        rmb_upper(amount)  # type: ignore[arg-type]


def test_refusals_say_why() -> None:
    with pytest.raises(AmountError, match="two decimals"):
        rmb_upper("1.234")
    with pytest.raises(AmountError, match="larger than 9,999,999,999,999,999.99"):
        rmb_upper("10000000000000000")
    with pytest.raises(AmountError, match="not float"):
        rmb_upper(1.5)  # type: ignore[arg-type]


# A reader of capitals written independently of the module, for the round trip.
_DIGIT = {c: i for i, c in enumerate("零壹贰叁肆伍陆柒捌玖")}
_PLACE = {"拾": 10, "佰": 100, "仟": 1000}


def _below_wan(text: str) -> int:
    value, digit = 0, 0
    for char in text:
        if char in _PLACE:
            value, digit = value + digit * _PLACE[char], 0
        else:
            digit = _DIGIT[char]
    return value + digit


def _below_yi(text: str) -> int:
    high, _, low = text.rpartition("万")
    return _below_wan(high) * 10_000 + _below_wan(low)


def read_upper(text: str) -> Decimal:
    """Return the amount that *text* (capitals) stands for."""
    if text == "零元整":
        return Decimal("0.00")
    integer, _, fraction = text.rpartition("元")
    high, _, low = integer.rpartition("亿")
    fen = _below_yi(high) * 10 ** 8 + _below_yi(low)
    jiao_match = re.search("(.)角", fraction)
    fen_match = re.search("(.)分", fraction)
    cents = (_DIGIT[jiao_match[1]] * 10 if jiao_match else 0) + (_DIGIT[fen_match[1]] if fen_match else 0)
    return (Decimal(fen) + Decimal(cents) / 100).quantize(Decimal("0.01"))


# Amounts with many zeros, which is where the rules are subtle.
_digits = st.lists(st.sampled_from("0000000123456789"), min_size=1, max_size=16).map("".join)
amounts = st.builds(lambda i, f: f"{i}.{f}" if f else i, _digits, st.sampled_from(["", "0", "00", "05", "5", "50", "55"]))


@given(amounts)
def test_capitals_read_back_to_the_same_amount(amount: str) -> None:
    assert read_upper(rmb_upper(amount)) == Decimal(amount).quantize(Decimal("0.01"))


@given(amounts)
def test_capitals_follow_the_structural_rules(amount: str) -> None:
    upper = rmb_upper(amount)
    if upper == "零元整":
        assert Decimal(amount) == 0
        return
    assert "零零" not in upper                                   # a run of zeros is one 零
    assert not re.search("零[元万亿角整]|零$", upper)          # 零 stands only before a non-zero digit
    assert not upper.startswith("零")
    assert not re.search("(?<![壹贰叁肆伍陆柒捌玖])拾", upper)  # 拾 always has its digit (壹拾)
    assert upper.endswith(("元整", "角", "分"))                 # 整 only after 元
    assert upper.count("元") <= 1 and upper.count("整") <= 1
