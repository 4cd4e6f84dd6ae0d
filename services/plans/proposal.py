"""Propose which bank's plan each project should join, keeping every bank close to its allocation.

The rule (pure, deterministic, exact Decimal):

1. Each bank starts with its *headroom*: its allocation minus what is already fixed for it (signed
   plans and plans in review or sign-off, which cannot be moved any more).
2. Projects are taken largest amount first (ties: smaller project id first).
3. Each goes to the bank with the largest headroom left; on a tie the project stays with its current
   bank if that bank is among the tied ones (no needless move), else it goes to the tied bank with
   the smallest code. Its amount is then taken off that bank's headroom.

This is the "largest first onto the emptiest bin" heuristic: every step adds the least possible
overshoot (the amount planned beyond a bank's allocation), so the sum of |allocation − planned|
over the banks never ends worse than putting every project on one bank.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Candidate:
    """A project that may be placed: its id, its amount in yuan and the bank it is with now, if any."""

    project_id: int
    amount: Decimal
    bank: str | None = None


@dataclass(frozen=True)
class Move:
    """One suggested change: *project_id* leaves *source* (None: no bank yet) for *target*."""

    project_id: int
    amount: Decimal
    source: str | None
    target: str


def _pick(headroom: Mapping[str, Decimal], current: str | None) -> str:
    best = max(headroom.values())
    tied = sorted(code for code, room in headroom.items() if room == best)
    return current if current in tied else tied[0]


def propose(candidates: Iterable[Candidate], allocations: Mapping[str, Decimal],
            fixed: Mapping[str, Decimal] | None = None) -> dict[int, str]:
    """Return {project id: bank code} for every candidate, by the rule in this module's docstring.

    *allocations* names the banks that may take projects; *fixed* is what each already has that
    cannot move (missing banks: nothing). Raise ValueError for a project named twice or when there is
    a project but no bank.
    """
    projects = list(candidates)
    if len({p.project_id for p in projects}) != len(projects):
        raise ValueError("a project is named twice")
    if projects and not allocations:
        raise ValueError("there is no bank to place the projects with")
    fixed = fixed or {}
    headroom = {code: Decimal(amount) - Decimal(fixed.get(code, ZERO)) for code, amount in allocations.items()}
    assigned: dict[int, str] = {}
    for project in sorted(projects, key=lambda p: (-p.amount, p.project_id)):
        bank = _pick(headroom, project.bank)
        headroom[bank] -= project.amount
        assigned[project.project_id] = bank
    return assigned


def moves(candidates: Iterable[Candidate], allocations: Mapping[str, Decimal],
          fixed: Mapping[str, Decimal] | None = None) -> list[Move]:
    """Return the moves that turn the current banks into the proposal, largest amount first."""
    projects = list(candidates)
    proposal = propose(projects, allocations, fixed)
    changed = [Move(p.project_id, p.amount, p.bank, proposal[p.project_id])
               for p in projects if proposal[p.project_id] != p.bank]
    return sorted(changed, key=lambda m: (-m.amount, m.project_id))


def distance(assignment: Mapping[int, str], amounts: Mapping[int, Decimal], allocations: Mapping[str, Decimal],
             fixed: Mapping[str, Decimal] | None = None) -> Decimal:
    """Return the sum over the banks of |allocation − fixed − assigned|: how far the plans are from the shares."""
    fixed = fixed or {}
    left = {code: Decimal(amount) - Decimal(fixed.get(code, ZERO)) for code, amount in allocations.items()}
    for project_id, bank in assignment.items():
        left[bank] = left.get(bank, ZERO) - amounts[project_id]
    return sum((abs(value) for value in left.values()), ZERO)
