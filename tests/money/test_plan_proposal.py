"""The proposed assignment of projects to banks: complete, deterministic, exact, and never worse than one bank."""
from __future__ import annotations

import random
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.plans.proposal import Candidate, distance, moves, propose

FEN = Decimal("0.01")
money = st.integers(min_value=1, max_value=10**11).map(lambda fen: Decimal(fen) / 100)
codes = st.sampled_from(["bank-abc", "bank-boc", "bank-ccb", "bank-icbc", "bank-rcb"])
allocations = st.dictionaries(codes, st.integers(0, 10**11).map(lambda fen: Decimal(fen) / 100), min_size=1)


@st.composite
def worlds(draw: st.DrawFn) -> tuple[list[Candidate], dict[str, Decimal], dict[str, Decimal]]:
    shares = draw(allocations)
    fixed = draw(st.dictionaries(st.sampled_from(sorted(shares)), money, max_size=len(shares)))
    amounts = draw(st.lists(money, max_size=25))
    banks = draw(st.lists(st.one_of(st.none(), st.sampled_from(sorted(shares))), min_size=len(amounts),
                          max_size=len(amounts)))
    return [Candidate(i + 1, a, b) for i, (a, b) in enumerate(zip(amounts, banks))], shares, fixed


@settings(max_examples=300)
@given(worlds())
def test_every_project_is_placed_exactly_once_with_a_known_bank(world: tuple) -> None:
    projects, shares, fixed = world
    proposal = propose(projects, shares, fixed)
    assert sorted(proposal) == sorted(p.project_id for p in projects)
    assert set(proposal.values()) <= set(shares)


@settings(max_examples=200)
@given(worlds(), st.randoms(use_true_random=False))
def test_the_proposal_does_not_depend_on_the_order_it_is_given(world: tuple, shuffle: random.Random) -> None:
    projects, shares, fixed = world
    shuffled = list(projects)
    shuffle.shuffle(shuffled)
    assert propose(shuffled, dict(reversed(list(shares.items()))), fixed) == propose(projects, shares, fixed)


@settings(max_examples=300)
@given(worlds())
def test_the_banks_end_no_further_from_their_allocations_than_with_everything_on_one_bank(world: tuple) -> None:
    projects, shares, fixed = world
    amounts = {p.project_id: p.amount for p in projects}
    ours = distance(propose(projects, shares, fixed), amounts, shares, fixed)
    for bank in shares:
        assert ours <= distance({p.project_id: bank for p in projects}, amounts, shares, fixed)


@settings(max_examples=200)
@given(worlds())
def test_distances_are_exact_to_the_fen(world: tuple) -> None:
    projects, shares, fixed = world
    amounts = {p.project_id: p.amount for p in projects}
    planned = sum(amounts.values(), Decimal(0)) + sum(fixed.values(), Decimal(0))
    result = distance(propose(projects, shares, fixed), amounts, shares, fixed)
    assert result == result.quantize(FEN)
    assert result >= abs(sum(shares.values(), Decimal(0)) - planned)  # the triangle inequality, exactly


@settings(max_examples=200)
@given(worlds())
def test_the_moves_lead_from_the_current_banks_to_the_proposal(world: tuple) -> None:
    projects, shares, fixed = world
    proposal = propose(projects, shares, fixed)
    suggested = moves(projects, shares, fixed)
    after = {p.project_id: p.bank for p in projects} | {m.project_id: m.target for m in suggested}
    assert after == proposal
    assert all(m.source != m.target for m in suggested)


def test_largest_first_to_the_bank_with_most_room_and_ties_by_code() -> None:
    shares = {"bank-icbc": Decimal("1000000.00"), "bank-abc": Decimal("600000.00"), "bank-boc": Decimal("600000.00")}
    projects = [Candidate(1, Decimal("300000.00")), Candidate(2, Decimal("820000.00")),
                Candidate(3, Decimal("500000.00"))]
    # 820k → icbc (1,000k room); 500k → abc (600k, tied with boc, abc first); 300k → boc (600k room)
    assert propose(projects, shares) == {2: "bank-icbc", 3: "bank-abc", 1: "bank-boc"}


def test_a_project_stays_with_its_bank_when_that_bank_is_tied_for_the_most_room() -> None:
    shares = {"bank-abc": Decimal("500.00"), "bank-boc": Decimal("500.00")}
    project = Candidate(7, Decimal("100.00"), "bank-boc")
    assert propose([project], shares) == {7: "bank-boc"}
    assert moves([project], shares) == []


def test_what_is_already_fixed_counts_against_the_room() -> None:
    shares = {"bank-abc": Decimal("500.00"), "bank-boc": Decimal("400.00")}
    assert propose([Candidate(1, Decimal("10.00"))], shares, {"bank-abc": Decimal("200.00")}) == {1: "bank-boc"}


def test_a_project_named_twice_or_no_bank_at_all_is_refused() -> None:
    with pytest.raises(ValueError, match="twice"):
        propose([Candidate(1, Decimal("1.00")), Candidate(1, Decimal("2.00"))], {"bank-abc": Decimal("1.00")})
    with pytest.raises(ValueError, match="no bank"):
        propose([Candidate(1, Decimal("1.00"))], {})
    assert propose([], {}) == {}
