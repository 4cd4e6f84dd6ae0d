"""万元 is an exact conversion of the stored yuan, never rounded."""
from __future__ import annotations

from decimal import Decimal

import pytest

from services.money.wan import to_wan


@pytest.mark.parametrize(("yuan", "wan"), [
    ("820000.00", "82"),
    ("1234.56", "0.123456"),
    ("0.01", "0.000001"),
    ("0", "0"),
    ("0.00", "0"),
    ("10000", "1"),
    ("100000000.00", "10000"),
    ("90071992547409.93", "9007199254.740993"),
    ("15000.50", "1.50005"),
    ("-2500", "-0.25"),
])
def test_wan_is_exact_plain_and_without_trailing_zeros(yuan: str, wan: str) -> None:
    assert to_wan(Decimal(yuan)) == wan


def test_wan_times_ten_thousand_gives_back_the_yuan() -> None:
    for yuan in ("1.23", "987654.32", "0.07", "31415926.53"):
        assert Decimal(to_wan(Decimal(yuan))) * 10000 == Decimal(yuan)


@pytest.mark.parametrize("bad", [Decimal("NaN"), Decimal("Infinity"), 12.5, "100"])
def test_wan_refuses_what_is_not_a_finite_decimal(bad: object) -> None:
    with pytest.raises(ValueError):
        to_wan(bad)  # type: ignore[arg-type]
