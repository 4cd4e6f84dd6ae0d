"""Allocation among banks by card counts: exact to the fen, summing to the pool, whatever the input."""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.money.allocation import AllocationInputError, allocate, allocation_rows, parse_cards, parse_pool

FEN = Decimal("0.01")
pools = st.integers(min_value=0, max_value=10**15).map(lambda fen: Decimal(fen) / 100)
banks = st.text(alphabet="abcdefghijklmnopqrstuvwxyz-", min_size=1, max_size=12)
counts = st.dictionaries(banks, st.integers(min_value=0, max_value=10**9), min_size=1, max_size=12).filter(
    lambda cards: any(cards.values()))


@settings(max_examples=300)
@given(pools, counts)
def test_the_shares_add_up_to_the_pool_exactly(pool: Decimal, cards: dict[str, int]) -> None:
    shares = allocate(pool, cards)
    assert sum(shares.values()) == pool
    assert set(shares) == set(cards)
    assert all(share == share.quantize(FEN) and share >= 0 for share in shares.values())


@settings(max_examples=300)
@given(pools, counts)
def test_each_share_is_within_one_fen_of_its_exact_proportion(pool: Decimal, cards: dict[str, int]) -> None:
    shares, total = allocate(pool, cards), sum(cards.values())
    for bank, count in cards.items():
        exact = Fraction(int(pool * 100) * count, total)
        assert abs(Fraction(int(shares[bank] * 100)) - exact) < 1


@settings(max_examples=200)
@given(pools, counts, st.randoms(use_true_random=False))
def test_the_result_does_not_depend_on_the_order_of_the_banks(pool: Decimal, cards: dict[str, int],
                                                              rnd: object) -> None:
    items = list(cards.items())
    rnd.shuffle(items)  # type: ignore[attr-defined]
    assert allocate(pool, dict(items)) == allocate(pool, cards) == allocate(pool, cards)


@settings(max_examples=200)
@given(pools, counts, banks)
def test_a_bank_without_cards_gets_nothing(pool: Decimal, cards: dict[str, int], extra: str) -> None:
    cards = {**cards, extra + "-zero": 0}
    assert allocate(pool, cards)[extra + "-zero"] == Decimal("0.00")


@pytest.mark.parametrize(("pool", "cards", "expected"), [
    ("100.00", {"a": 1, "b": 1, "c": 1}, {"a": "33.34", "b": "33.33", "c": "33.33"}),
    ("0.05", {f"b{i}": 1 for i in range(6)}, {"b0": "0.01", "b1": "0.01", "b2": "0.01", "b3": "0.01",
                                              "b4": "0.01", "b5": "0.00"}),
    ("1000000.00", {"icbc": 520000, "abc": 310000, "trcb": 170000},
     {"icbc": "520000.00", "abc": "310000.00", "trcb": "170000.00"}),
    ("10.00", {"x": 2, "y": 1}, {"x": "6.67", "y": "3.33"}),
])
def test_worked_examples(pool: str, cards: dict[str, int], expected: dict[str, str]) -> None:
    assert {bank: str(share) for bank, share in allocate(Decimal(pool), cards).items()} == expected


def test_ties_go_to_the_larger_remainder_then_the_bank_code() -> None:
    assert {k: str(v) for k, v in allocate(Decimal("0.02"), {"c": 1, "a": 1, "b": 1}).items()} == {
        "c": "0.00", "a": "0.01", "b": "0.01"}


@pytest.mark.parametrize("cards", [{}, {"a": 0, "b": 0}, {"a": -1, "b": 2}, {"a": 1.5}, {"a": True}])
def test_impossible_counts_are_refused(cards: dict[str, object]) -> None:
    with pytest.raises(AllocationInputError):
        allocate(Decimal("1.00"), cards)  # type: ignore[arg-type]


@pytest.mark.parametrize("pool", [Decimal("-1"), Decimal("1.001"), Decimal("NaN"), Decimal("Infinity"), 1.5])
def test_impossible_pools_are_refused(pool: object) -> None:
    with pytest.raises(AllocationInputError):
        allocate(pool, {"a": 1})  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["-1", "1.234", "NaN", "1e3", "inf", "1.5e2", "", "1,000", "+5", "0x10", "007"])
def test_a_pool_must_be_written_as_plain_yuan(text: str) -> None:
    with pytest.raises(AllocationInputError):
        parse_pool(text)


@pytest.mark.parametrize("text", ["a=1,a=2", "a=-1", "a=1.5", "a=", "=3", "a", "a=1e3", "a=1,,b=2"])
def test_card_counts_must_be_bank_equals_whole_number_each_bank_once(text: str) -> None:
    with pytest.raises(AllocationInputError):
        parse_cards(text)


def test_the_proposal_rows_are_in_bank_order_with_the_counts_and_notes() -> None:
    rows = allocation_rows("100.00", [{"bank": "b", "card_count": 3, "reported_count": 2, "note": "更正"},
                                      {"bank": "a", "card_count": 1}])
    assert rows == [{"bank": "a", "reported_count": 1, "card_count": 1, "note": "", "share": "25.00"},
                    {"bank": "b", "reported_count": 2, "card_count": 3, "note": "更正", "share": "75.00"}]
