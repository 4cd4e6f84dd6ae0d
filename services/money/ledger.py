"""The ledger (§10–§12): per bank, year and category, what was allocated, planned, contracted and paid.

Read from the running totals (`oversight_total`, kept in step with every project in the same
transaction) and the fixed allocations: a few hundred rows whatever the number of projects, and no
workflow restored. What each column counts:

- allocated: the bank's share of the year's fixed allocation (per bank only: the allocation has
  no categories); None while the year's allocation is not fixed.
- planned: for a project listed in a per-bank plan (`fund_plan_item`), its row's amount once the
  bureau head has signed that plan (status `bank` or `confirmed`); for a project of the old
  per-project route (no plan row), its plan amount once its own plan is signed (stage `funds` or
  later, including projects `completed` once fully paid).
- contracted: the contract price of projects whose tripartite contract is signed (stage
  `construction` or later, including `completed` projects: the process only completes after the
  last payment, so a completed project keeps its plan and contract beside what was paid).
- paid: the amounts the banks paid (every project, whatever its state).
- A withdrawn, terminated or rejected project keeps only what was paid for it: its plan and
  contract count for that amount, the rest goes back to the bank's allocation.
- remaining = allocated − planned (per bank and in total); unpaid = planned − paid.
"""
from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import Connection, ColumnElement, case, func, literal, select, type_coerce, union

from models.tables import allocation, allocation_share, fund_plan, fund_plan_item, organization, oversight_total
from models.tables import project
from models.types import Money
from services.context import Services
from services.declaration.years import check_year
from services.errors import PermissionDenied
from services.users import Actor

ALL_ROWS_ROLES = frozenset({"hrss", "hrss_head", "bdc", "supervisor", "admin"})
# `completed` is the stage (and status) of a fund project that ended paid in full (end event
# `end_paid`, the project's only end with that status); without it a paid-up project would keep its
# payments but lose its plan and contract, and the bank's paid would exceed its contracted.
COMPLETED = "completed"
SIGNED_STAGES = ("funds", "procurement", "contract", "construction", "acceptance", "payment", COMPLETED)
CONTRACTED_STAGES = ("construction", "acceptance", "payment", COMPLETED)
CLOSED_STATUSES = ("withdrawn", "terminated", "rejected")
AMOUNTS = ("planned", "contracted", "paid")
ZERO = Decimal("0.00")
SIGNED_PLANS = ("bank", "confirmed")
CONFIRMED = "confirmed"


class Movement(NamedTuple):
    """The amounts of one bank, year and category."""

    bank_org_id: int
    year: int
    category: str
    planned: Decimal
    contracted: Decimal
    paid: Decimal


def scope(actor: Actor) -> int | None:
    """Return None if *actor* sees every bank's rows, else the one bank whose rows it may see."""
    if actor.roles & ALL_ROWS_ROLES:
        return None
    if "bank" in actor.roles:
        return actor.org_id
    raise PermissionDenied("only the bureau, the Big Data Center, supervisors, administrators and the "
                           "cooperating banks may see the ledger")


def may_see_ledger(actor: Actor) -> bool:
    """Return True if *actor* may open the ledger (all rows or its own bank's)."""
    return bool(actor.roles & (ALL_ROWS_ROLES | {"bank"}))


def _counted(stages: tuple[str, ...], column: str) -> ColumnElement[Any]:
    closed = oversight_total.c.status.in_(CLOSED_STATUSES)
    value = case((closed, oversight_total.c.paid_total),
                 (oversight_total.c.stage.in_(stages), oversight_total.c[column]), else_=0)
    return type_coerce(func.sum(value), Money)


def _plan_corrections(conn: Connection, year: int | None, bank: int | None) -> dict[tuple[Any, ...], Decimal]:
    """Return, per (bank, year, category), what per-bank plans change in the totals' planned column.

    The totals count a project's plan amount by its stage (the old per-project rule); a project listed
    in a per-bank plan counts its row's amount once that plan is signed instead. Only the rows of plans
    not yet confirmed are read: once the bank confirms, the plan's outcome sets each project's plan
    amount to its row's amount and moves it on to procurement, where the stage rule counts exactly
    that (the property tests compare with the rule applied to every project). So the query reads the
    few plans under way, whatever the number of projects.
    """
    plans = select(fund_plan.c.instance_id).where(fund_plan.c.status != CONFIRMED)
    if year is not None:
        plans = plans.where(fund_plan.c.year == year)
    if bank is not None:
        plans = plans.where(fund_plan.c.bank_org_id == bank)
    under_way = list(conn.execute(plans).scalars())
    if not under_way:  # two steps, so that no planner starts from the projects
        return {}
    closed = project.c.status.in_(CLOSED_STATUSES)
    old = case((closed, project.c.paid_total),
               (project.c.stage.in_(SIGNED_STAGES), func.coalesce(project.c.plan_amount, 0)), else_=0)
    new = case((closed, project.c.paid_total), (fund_plan.c.status.in_(SIGNED_PLANS), fund_plan_item.c.amount),
               else_=0)
    keys = (project.c.bank_org_id, project.c.year, func.coalesce(project.c.category, literal("")))
    query = (select(*keys, type_coerce(func.sum(new - old), Money))
             .select_from(fund_plan_item.join(project, project.c.instance_id == fund_plan_item.c.project_instance_id)
                          .join(fund_plan, fund_plan.c.instance_id == fund_plan_item.c.plan_instance_id))
             .where(fund_plan_item.c.plan_instance_id.in_(under_way)).group_by(*keys))
    return {tuple(r[:3]): Decimal(r[3] or 0) for r in conn.execute(query)}


def _movements(conn: Connection, year: int | None, bank: int | None) -> list[Movement]:
    """Return (bank id, year, category, planned, contracted, paid) per bank, year and category."""
    keys = (oversight_total.c.bank_org_id, oversight_total.c.year, oversight_total.c.category)
    query = (select(*keys, _counted(SIGNED_STAGES, "plan_amount"), _counted(CONTRACTED_STAGES, "contract_price"),
                    type_coerce(func.sum(oversight_total.c.paid_total), Money))
             .where(oversight_total.c.bank_org_id != 0, oversight_total.c.year != 0).group_by(*keys))
    if year is not None:
        query = query.where(oversight_total.c.year == year)
    if bank is not None:
        query = query.where(oversight_total.c.bank_org_id == bank)
    corrections = _plan_corrections(conn, year, bank)
    return [Movement(r[0], r[1], r[2], r[3] + corrections.get(tuple(r[:3]), ZERO), r[4], r[5])
            for r in conn.execute(query)]


def _allocated(conn: Connection, year: int | None, bank: int | None) -> dict[int, dict[int, Decimal]]:
    """Return {year: {bank id: share}} of the fixed allocations."""
    query = select(allocation.c.year, allocation_share.c.bank_org_id, allocation_share.c.share).join(
        allocation_share, allocation_share.c.allocation_id == allocation.c.id)
    if year is not None:
        query = query.where(allocation.c.year == year)
    if bank is not None:
        query = query.where(allocation_share.c.bank_org_id == bank)
    shares: dict[int, dict[int, Decimal]] = {}
    for r in conn.execute(query):
        shares.setdefault(r.year, {})[r.bank_org_id] = r.share
    fixed = select(allocation.c.year) if year is None else select(allocation.c.year).where(allocation.c.year == year)
    for fixed_year in conn.execute(fixed).scalars():
        shares.setdefault(fixed_year, {})  # fixed, even if this bank has no share in it
    return shares


def _banks(conn: Connection) -> dict[int, dict[str, str]]:
    rows = conn.execute(select(organization.c.id, organization.c.code, organization.c.name, organization.c.name_en)
                        .where(organization.c.kind == "bank"))
    return {r.id: {"bank": r.code, "bank_name": r.name, "bank_name_en": r.name_en} for r in rows}


def _money(values: dict[str, Decimal | None]) -> dict[str, str | None]:
    return {k: None if v is None else str(v) for k, v in values.items()}


def _sum(rows: Iterable[dict[str, Decimal | None]], name: str) -> Decimal | None:
    values = [r[name] for r in rows]
    known = [v for v in values if v is not None]
    return sum(known, ZERO) if known else None


def _line(planned: Decimal, contracted: Decimal, paid: Decimal,
          allocated: Decimal | None = None) -> dict[str, Decimal | None]:
    return {"allocated": allocated, "planned": planned, "contracted": contracted, "paid": paid,
            "remaining": None if allocated is None else allocated - planned, "unpaid": planned - paid}


def _total(lines: list[dict[str, Decimal | None]], allocated: Decimal | None) -> dict[str, Decimal | None]:
    planned, contracted, paid = (_sum(lines, name) or ZERO for name in AMOUNTS)
    return _line(planned, contracted, paid, allocated)


def _year_block(year: int, moves: list[Movement], shares: dict[int, Decimal] | None,
                banks: dict[int, dict[str, str]], bank: int | None) -> dict[str, Any]:
    by_bank: dict[int, list[tuple[str, dict[str, Decimal | None]]]] = {}
    for m in moves:
        by_bank.setdefault(m.bank_org_id, []).append((m.category, _line(m[3], m[4], m[5])))
    ids = set(by_bank) | set(shares or {}) if bank is None else {bank}
    rows, totals = [], []
    for bank_id in sorted(ids, key=lambda i: banks.get(i, {}).get("bank", str(i))):
        lines = sorted(by_bank.get(bank_id, []), key=lambda c: c[0])
        allocated = None if shares is None else shares.get(bank_id, ZERO)
        total = _total([line for _c, line in lines], allocated)
        totals.append(total)
        rows.append({**banks.get(bank_id, {"bank": str(bank_id), "bank_name": "", "bank_name_en": ""}),
                     **_money(total),
                     "categories": [{"category": c, **_money(line)} for c, line in lines]})
    return {"year": year, "allocation_fixed": shares is not None, "banks": rows,
            "totals": _money(_total(totals, _sum(totals, "allocated")))}


def ledger_in(conn: Connection, year: int | None, bank: int | None) -> dict[str, Any]:
    """Return the ledger of *year* (None: every year) inside the caller's read transaction."""
    moves, shares, banks = _movements(conn, year, bank), _allocated(conn, year, bank), _banks(conn)
    years = {m.year for m in moves} | set(shares) | ({year} if year is not None else set())
    blocks = [_year_block(y, [m for m in moves if m.year == y], shares.get(y), banks, bank)
              for y in sorted(years, reverse=True)]
    lines = [{k: None if v is None else Decimal(v) for k, v in b["totals"].items()} for b in blocks]
    return {"year": year, "own_bank_only": bank is not None, "years": blocks,
            "totals": _money(_total(lines, _sum(lines, "allocated")))}


def known_years(conn: Connection, bank: int | None = None) -> list[int]:
    """Return the years that have projects (of *bank*, if given) or a fixed allocation, newest first."""
    projects = select(oversight_total.c.year).where(oversight_total.c.year != 0, oversight_total.c.instances > 0)
    if bank is not None:
        projects = projects.where(oversight_total.c.bank_org_id == bank)
    return sorted(conn.execute(union(projects, select(allocation.c.year))).scalars(), reverse=True)


def ledger(ctx: Services, actor: Actor, year: int | None = None) -> dict[str, Any]:
    """Return the ledger as *actor* may see it: every bank's rows, or only its own bank's."""
    bank = scope(actor)
    if year is not None:
        year = check_year(year)
    with ctx.db.read() as conn:
        return {**ledger_in(conn, year, bank), "years_known": known_years(conn, bank)}
