"""The ledger's invariants under random sequences of plan, contract, pay and cancel, on both databases.

Planning is also taken apart into its per-bank steps: a reviewed project joins its bank's draft plan
(several projects share one), may be moved to the other bank's draft by the bureau, and the plan is
signed for all of them at once; contracting first has the bank confirm the plan if it has not yet.

Projects are driven through the services as people would (no rows written by hand). The database
is not reset between examples, so every check covers all the projects made so far:

- every total of the ledger is the sum of its rows (category lines → bank, banks → year, years → all);
- it agrees with the projects it summarises (read straight from the project rows);
- per contract, the payments never exceed the price and the project's paid total is their sum;
- nothing is negative (only "remaining" may be, when plans exceed the allocation);
- a bank's own ledger is exactly its rows in everyone's ledger.
"""
from __future__ import annotations

import itertools
from decimal import ROUND_DOWN, Decimal
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from models.tables import allocation, fund_plan, fund_plan_item, organization, payment, process_instance, project
from services.context import Services
from services.money.ledger import CLOSED_STATUSES, CONTRACTED_STAGES, SIGNED_PLANS, SIGNED_STAGES, ledger
from services.oversight import actions
from services.plans.moves import Target, move_project
from services.users import load_actor
from services.withdraw import withdraw
from tests import support
from tests.services import allocation_helpers as alloc
from tests.services.journey import Journey

BANKS = {"bank-icbc": "icbc_user", "bank-abc": "abc_user"}
PRICES = ("1150000.00", "1000000.00", "333333.33", "0.01")
PARTS = ("all", "half", "fen")
NUMBERS = itertools.count(1)
AMOUNTS = ("planned", "contracted", "paid", "unpaid")
FEN = Decimal("0.01")

steps = st.lists(st.tuples(st.sampled_from(("declare", "plan", "join", "move", "sign", "contract", "pay", "cancel")),
                           st.integers(0, 7), st.sampled_from(sorted(BANKS)), st.sampled_from(PRICES),
                           st.sampled_from(PARTS)), min_size=1, max_size=6)


class Project:
    """One project driven by the test, and where it stands: declared, planned, payable or ended."""

    def __init__(self, ctx: Services, bank: str) -> None:
        self.journey, self.bank, self.state = Journey(ctx), bank, "new"
        self.price, self.paid = Decimal("0.00"), Decimal("0.00")

    def declare(self) -> None:
        self.journey.do("health_user", "declare", support.declare(self.journey.sha))
        self.state = "declared"

    def join(self) -> None:
        j = self.journey
        j.do("bdc_reviewer", "review", support.review(sha=j.sha))
        j.do("hrss_clerk", "assign_bank", support.assign_bank(self.bank))
        self.state = "joined"

    def move(self, ctx: Services) -> None:
        other = next(bank for bank in sorted(BANKS) if bank != self.bank)
        move_project(ctx, load_actor(ctx, "hrss_clerk"), self.journey.plan_id(), self.journey.instance_id,
                     Target(bank=other))
        self.bank = other

    def sign(self, projects: list[Project]) -> None:
        j, plan = self.journey, self.journey.plan_id()
        j.plan_do("hrss_clerk", "plan_prepare", {})
        j.plan_do("hrss_reviewer", "plan_review", support.decision("plan_review"))
        j.plan_do("hrss_head", "plan_signoff", {**support.decision("plan_signoff"), "plan_override_reason": "测试"})
        for other in projects:  # the plan is signed for every project it lists
            if other.state == "joined" and other.journey.plan_id() == plan:
                other.state = "planned"

    def plan(self, projects: list[Project]) -> None:
        self.join()
        self.sign(projects)

    def _plan_status(self) -> str:
        with self.journey.ctx.db.read() as conn:
            return conn.execute(select(fund_plan.c.status).where(
                fund_plan.c.instance_id == self.journey.plan_id())).scalar_one()

    def contract(self, price: str) -> None:
        j, bank_user = self.journey, BANKS[self.bank]
        if self._plan_status() == "bank":  # the bank confirms once for every project of the plan
            j.plan_do(bank_user, "bank_confirm", support.SECURE_FUNDS)
        j.do("hrss_clerk", "procurement", {**support.PROCUREMENT, "contract_price": price})
        j.do(bank_user, "contract", support.CONTRACT)
        j.do("health_user", "construction", support.CONSTRUCTION)
        j.do("health_user", "acceptance", support.acceptance(sha=j.sha))
        j.do("bdc_reviewer", "acceptance_bdc", support.sign("bdc"))
        j.do("hrss_reviewer", "acceptance_hrss", support.sign("hrss"))
        self.price, self.state = Decimal(price), "payable"

    def pay(self, part: str) -> None:
        left = self.price - self.paid
        amount = {"all": left, "half": (left / 2).quantize(FEN, ROUND_DOWN), "fen": FEN}[part] or FEN
        number, j, bank_user = next(NUMBERS), self.journey, BANKS[self.bank]
        j.do("hrss_clerk", "payment_notice", {**support.notice(str(amount), sha=j.sha), "invoice_no": f"P-{number}"})
        j.do(bank_user, "payment_receipt", support.receipt())
        j.do(bank_user, "payment", support.paid(reference=f"TX-P-{number}"))
        self.paid += amount
        if self.paid == self.price:
            self.state = "ended"

    def cancel(self, ctx: Services) -> None:
        if self.state == "declared":
            withdraw(ctx, load_actor(ctx, "health_user"), self.journey.instance_id, "不再申报")
        else:
            actions.terminate(ctx, load_actor(ctx, "admin"), self.journey.instance_id, "不再建设")
        self.state = "ended"


def _ready(ctx: Services, projects: list[Project], state: str, bank: str, price: str) -> Project:
    """Return a new project of *bank* brought to *state* through the steps before it."""
    made = Project(ctx, bank)
    projects.append(made)
    made.declare()
    if state == "joined":
        made.join()
    if state in ("planned", "payable"):
        made.plan(projects)
    if state == "payable":
        made.contract(price)
    return made


WANTED = {"plan": "declared", "join": "declared", "move": "joined", "sign": "joined", "contract": "planned",
          "pay": "payable", "cancel": "declared"}


def _act(ctx: Services, projects: list[Project], step: tuple[str, int, str, str, str]) -> None:
    """Do *step* to one of the projects it applies to, or to a new one brought to where it applies."""
    action, index, bank, price, part = step
    if action == "declare":
        _ready(ctx, projects, "declared", bank, price)
        return
    wanted = WANTED[action]
    eligible = [p for p in projects if p.state == wanted or (action == "cancel" and p.state != "ended")]
    chosen = eligible[index % len(eligible)] if eligible else _ready(ctx, projects, wanted, bank, price)
    {"plan": lambda: chosen.plan(projects), "join": chosen.join, "move": lambda: chosen.move(ctx),
     "sign": lambda: chosen.sign(projects), "contract": lambda: chosen.contract(price),
     "pay": lambda: chosen.pay(part), "cancel": lambda: chosen.cancel(ctx)}[action]()


def _decimal(row: dict[str, Any], name: str) -> Decimal | None:
    return None if row[name] is None else Decimal(row[name])


def _sums_of_rows(total: dict[str, Any], rows: list[dict[str, Any]], names: tuple[str, ...]) -> None:
    for name in names:
        known = [_decimal(r, name) for r in rows if r[name] is not None]
        expected = sum(known, Decimal("0.00")) if known or name not in ("allocated", "remaining") else None
        assert _decimal(total, name) == expected, name


def _check_totals(data: dict[str, Any]) -> None:
    every = ("allocated", *AMOUNTS, "remaining")
    for block in data["years"]:
        for bank in block["banks"]:
            _sums_of_rows(bank, bank["categories"], AMOUNTS)
            for line in (bank, *bank["categories"]):
                assert all(_decimal(line, n) >= 0 for n in AMOUNTS), line  # type: ignore[operator]
                assert _decimal(line, "paid") <= _decimal(line, "contracted") <= _decimal(line, "planned"), line  # type: ignore[operator]
            if bank["allocated"] is not None:
                assert _decimal(bank, "remaining") == _decimal(bank, "allocated") - _decimal(bank, "planned")  # type: ignore[operator]
        _sums_of_rows(block["totals"], block["banks"], every)
    _sums_of_rows(data["totals"], [b["totals"] for b in data["years"]], every)


def _from_projects(ctx: Services) -> dict[tuple[int, str, str], list[Decimal]]:
    """Return {(year, bank, category): [planned, contracted, paid]} computed from every project row.

    A project listed in a per-bank plan counts its row's amount once the head signed that plan; one
    without a plan row counts its plan amount once its own plan is signed (its stage).
    """
    result: dict[tuple[int, str, str], list[Decimal]] = {}
    with ctx.db.read() as conn:
        rows = conn.execute(select(project, process_instance.c.stage.label("now_stage"),
                                   process_instance.c.status.label("now_status"), organization.c.code,
                                   fund_plan_item.c.amount.label("row_amount"), fund_plan.c.status.label("plan_status"))
                            .join(process_instance, process_instance.c.id == project.c.instance_id)
                            .join(organization, organization.c.id == process_instance.c.bank_org_id)
                            .outerjoin(fund_plan_item, fund_plan_item.c.project_instance_id == project.c.instance_id)
                            .outerjoin(fund_plan, fund_plan.c.instance_id == fund_plan_item.c.plan_instance_id)).all()
    for r in rows:
        closed = r.now_status in CLOSED_STATUSES
        if r.row_amount is not None:
            planned = r.paid_total if closed else r.row_amount if r.plan_status in SIGNED_PLANS else 0
        else:
            planned = r.paid_total if closed else (r.plan_amount or 0) if r.now_stage in SIGNED_STAGES else 0
        contracted = r.paid_total if closed else (r.contract_price or 0) if r.now_stage in CONTRACTED_STAGES else 0
        sums = result.setdefault((r.year, r.code, r.category), [Decimal("0.00")] * 3)
        for index, value in enumerate((planned, contracted, r.paid_total)):
            sums[index] += value
    return result


def _check_against_projects(ctx: Services, data: dict[str, Any]) -> None:
    shown = {(block["year"], bank["bank"], line["category"]): [Decimal(line[n]) for n in ("planned", "contracted", "paid")]
             for block in data["years"] for bank in block["banks"] for line in bank["categories"]}
    assert shown == _from_projects(ctx)


def _check_contracts(ctx: Services) -> None:
    with ctx.db.read() as conn:
        rows = conn.execute(select(project.c.instance_id, project.c.contract_price, project.c.paid_total,
                                   func.coalesce(func.sum(payment.c.amount), 0).label("payments"))
                            .outerjoin(payment, payment.c.instance_id == project.c.instance_id)
                            .group_by(project.c.instance_id, project.c.contract_price, project.c.paid_total)).all()
    for r in rows:
        assert Decimal(r.payments) == r.paid_total >= 0
        assert r.contract_price is None or r.paid_total <= r.contract_price


def _check_bank_view(ctx: Services, data: dict[str, Any]) -> None:
    for bank, user in BANKS.items():
        own = ledger(ctx, load_actor(ctx, user))
        assert [(b["year"], b["banks"]) for b in own["years"] if b["banks"]] == [
            (block["year"], [r for r in block["banks"] if r["bank"] == bank]) for block in data["years"]
            if any(r["bank"] == bank for r in block["banks"])]


def _allocated_once(ctx: Services) -> None:
    with ctx.db.read() as conn:
        fixed = conn.execute(select(allocation.c.id).where(allocation.c.year == 2026)).first()
    if fixed is None:
        alloc.run_to_fixed(ctx, allocation_year=2026, allocation_pool="3000000.00")


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(steps)
@example([("declare", 5, "bank-abc", "0.01", "all"), ("pay", 5, "bank-abc", "0.01", "all"),
          ("pay", 5, "bank-icbc", "1150000.00", "fen"), ("contract", 4, "bank-abc", "333333.33", "fen"),
          ("pay", 5, "bank-abc", "0.01", "all"), ("plan", 3, "bank-icbc", "1000000.00", "all")])
@example([("join", 0, "bank-icbc", "0.01", "all"), ("join", 1, "bank-icbc", "0.01", "all"),
          ("move", 0, "bank-icbc", "0.01", "all"), ("sign", 0, "bank-icbc", "0.01", "all"),
          ("contract", 0, "bank-abc", "333333.33", "all"), ("cancel", 1, "bank-icbc", "0.01", "all")])
def test_the_ledger_holds_its_invariants_whatever_is_planned_contracted_paid_or_cancelled(
        services: Services, sequence: list[tuple[str, int, str, str, str]]) -> None:
    _allocated_once(services)
    projects: list[Project] = []
    for step in sequence:
        _act(services, projects, step)
    data = ledger(services, load_actor(services, "supervisor"))
    _check_totals(data)
    _check_against_projects(services, data)
    _check_contracts(services)
    _check_bank_view(services, data)
