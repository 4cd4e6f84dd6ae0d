"""Read the fund use plans of a year as each user may see them: per bank its figures, plans and rows.

Per bank: allocation (the fixed share, None while the year's allocation is not fixed), planned (plans
the head has signed: with the bank or confirmed), in draft (plans not yet signed: draft, review,
sign-off) and the difference allocation − planned − in draft. Each plan lists its rows in 序号 order
(added_at, project) with the amounts in yuan and in exact 万元, and its total. The bureau also gets
the proposed assignment of the projects in draft plans (`services.plans.proposal`).
"""
from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Row, func, select

from models.tables import (allocation, allocation_share, declaration_round, fund_plan, fund_plan_item,
                           issued_document, organization, project)
from services.declaration.years import check_year
from services.errors import NotFound, PermissionDenied
from services.money.wan import to_wan
from services.official.archive import documents_of
from services.plans.moves import MOVERS
from services.plans.proposal import Candidate, moves
from services.users import Actor

SIGNED = ("bank", "confirmed")
UNSIGNED = ("draft", "review", "signoff")
COMMITTED = ("review", "signoff", "bank", "confirmed")  # past the draft: the proposal moves none of them
ZERO = Decimal("0.00")
PER_PAGE = 20  # plans (each with its table) per page
MAX_PER_PAGE = 100


def scope(actor: Actor) -> int | None:
    """Return None if *actor* sees every bank's plans, else its own bank; refuse everyone else."""
    if actor.sees_all:
        return None
    if "bank" in actor.roles:
        return actor.org_id
    raise PermissionDenied("only the bureau, supervisors and the cooperating banks may see the fund use plans")


def may_see_plans(actor: Actor) -> bool:
    """Return True if *actor* may open the plans page."""
    return actor.sees_all or "bank" in actor.roles


def may_move(actor: Actor) -> bool:
    """Return True if *actor* may move projects between draft plans."""
    return bool(actor.roles & MOVERS)


def money(amount: Decimal) -> dict[str, str]:
    """Return an amount as yuan and as exact 万元."""
    return {"yuan": str(amount), "wan": to_wan(amount)}


def _banks(conn: Connection) -> dict[int, Row[Any]]:
    query = select(organization.c.id, organization.c.code, organization.c.name, organization.c.name_en).where(
        organization.c.kind == "bank")
    return {r.id: r for r in conn.execute(query)}


def _shares(conn: Connection, year: int) -> dict[int, Decimal] | None:
    found = conn.execute(select(allocation.c.id).where(allocation.c.year == year)).scalar()
    if found is None:
        return None
    rows = conn.execute(select(allocation_share.c.bank_org_id, allocation_share.c.share)
                        .where(allocation_share.c.allocation_id == found))
    return {r.bank_org_id: Decimal(r.share) for r in rows}


def _plans(conn: Connection, year: int, bank: int | None, plan_id: int | None = None) -> list[Row[Any]]:
    query = (select(fund_plan, declaration_round.c.name.label("round_name"))
             .join(organization, organization.c.id == fund_plan.c.bank_org_id)
             .outerjoin(declaration_round, declaration_round.c.id == fund_plan.c.round_id)
             .where(fund_plan.c.year == year).order_by(organization.c.code, fund_plan.c.number))
    if bank is not None:
        query = query.where(fund_plan.c.bank_org_id == bank)
    if plan_id is not None:
        query = query.where(fund_plan.c.instance_id == plan_id)
    return list(conn.execute(query))


def _items(conn: Connection, plan_ids: list[int]) -> dict[int, list[Row[Any]]]:
    rows = conn.execute(select(fund_plan_item, project.c.name, project.c.category)
                        .join(project, project.c.instance_id == fund_plan_item.c.project_instance_id)
                        .where(fund_plan_item.c.plan_instance_id.in_(plan_ids))
                        .order_by(fund_plan_item.c.added_at, fund_plan_item.c.project_instance_id))
    found: dict[int, list[Row[Any]]] = {}
    for r in rows:
        found.setdefault(r.plan_instance_id, []).append(r)
    return found


def _documents(conn: Connection, plan_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    found = conn.execute(select(issued_document.c.instance_id).distinct().where(
        issued_document.c.instance_id.in_(plan_ids))).scalars()
    return {plan_id: documents_of(conn, plan_id) for plan_id in found}


def _totals(conn: Connection, plan_ids: list[int]) -> dict[int, Decimal]:
    """Return each plan's total in yuan (a plan without rows is absent)."""
    rows = conn.execute(select(fund_plan_item.c.plan_instance_id, func.sum(fund_plan_item.c.amount))
                        .where(fund_plan_item.c.plan_instance_id.in_(plan_ids))
                        .group_by(fund_plan_item.c.plan_instance_id))
    return {plan_id: Decimal(total) for plan_id, total in rows}


def _plan(plan: Row[Any], items: list[Row[Any]], banks: dict[int, Row[Any]],
          documents: list[dict[str, Any]]) -> dict[str, Any]:
    total = sum((Decimal(i.amount) for i in items), ZERO)
    bank = banks[plan.bank_org_id]
    return {"id": plan.instance_id, "bank": bank.code, "bank_name": bank.name, "bank_name_en": bank.name_en,
            "year": plan.year, "round_id": plan.round_id, "round_name": plan.round_name, "number": plan.number,
            "status": plan.status, "override_reason": plan.override_reason, "total": money(total),
            "items": [{"no": n, "project_id": i.project_instance_id, "name": i.name or "", "category": i.category,
                       "amount": money(Decimal(i.amount)), "remark": i.remark or ""}
                      for n, i in enumerate(items, start=1)],
            "documents": documents}


def _sum(plans: Iterable[Row[Any]], totals: dict[int, Decimal], statuses: Iterable[str]) -> Decimal:
    return sum((totals.get(p.instance_id, ZERO) for p in plans if p.status in statuses), ZERO)


def _summary(bank: Row[Any], share: Decimal | None, own: list[Row[Any]], totals: dict[int, Decimal],
             shown: list[dict[str, Any]]) -> dict[str, Any]:
    """Return the bank's figures over all its plans *own* of the year, with the tables *shown* on this page."""
    planned, draft = _sum(own, totals, SIGNED), _sum(own, totals, UNSIGNED)
    return {"bank": bank.code, "bank_name": bank.name, "bank_name_en": bank.name_en,
            "allocation": None if share is None else money(share), "planned": money(planned),
            "in_draft": money(draft), "difference": None if share is None else money(share - planned - draft),
            "plans": shown}


def _proposal(banks: list[dict[str, Any]], fixed: dict[str, Decimal], drafts: list[dict[str, Any]]
              ) -> list[dict[str, Any]]:
    """Return the proposed moves of the projects in the draft plans *drafts*; *fixed* is each bank's
    total of plans past their draft."""
    shares = {b["bank"]: Decimal(b["allocation"]["yuan"]) for b in banks if b["allocation"] is not None}
    if not shares:
        return []
    rows = {i["project_id"]: (i, p) for p in drafts for i in p["items"]}
    candidates = [Candidate(pid, Decimal(i["amount"]["yuan"]), p["bank"]) for pid, (i, p) in rows.items()]
    names = {b["bank"]: {"code": b["bank"], "name": b["bank_name"], "name_en": b["bank_name_en"]} for b in banks}
    return [{"project_id": m.project_id, "name": rows[m.project_id][0]["name"], "amount": money(m.amount),
             "plan_id": rows[m.project_id][1]["id"], "source": m.source, "target": m.target,
             "source_org": names.get(m.source or ""), "target_org": names[m.target]}
            for m in moves(candidates, shares, {b["bank"]: fixed.get(b["bank"], ZERO) for b in banks})]


def _page_of(plans: list[Row[Any]], page: int | None, per_page: int) -> list[Row[Any]]:
    return plans if page is None else plans[(page - 1) * per_page:page * per_page]


def overview_in(conn: Connection, year: int, bank: int | None, bureau: bool, page: int | None = None,
                per_page: int = PER_PAGE, last_if_past: bool = False, only: int | None = None) -> dict[str, Any]:
    """Return the plans of *year* (of *bank* only, if given) inside the caller's read transaction.

    The figures and the proposal count every plan of the year; the tables are those of page *page*
    (*per_page* plans in bank and number order; all of them if *page* is None; the last page if
    *page* is past it and *last_if_past*), or only plan *only*'s (then without the proposal). A bank
    with no plan at all shows on the first page only.
    """
    banks, shares, plans = _banks(conn), _shares(conn, year), _plans(conn, year, bank)
    if page is not None and last_if_past:
        page = min(page, max(1, -(-len(plans) // per_page)))
    totals = _totals(conn, [p.instance_id for p in plans])
    shown = [p for p in plans if p.instance_id == only] if only is not None else _page_of(plans, page, per_page)
    proposing = bureau and shares is not None and only is None
    detailed = {p.instance_id: p for p in shown} | (
        {p.instance_id: p for p in plans if p.status == "draft"} if proposing else {})
    items, documents = _items(conn, list(detailed)), _documents(conn, [p.instance_id for p in shown])
    tables = {i: _plan(p, items.get(i, []), banks, documents.get(i, [])) for i, p in detailed.items()}
    summaries, rows = [], []
    for bank_id in sorted((i for i in banks if bank is None or i == bank), key=lambda i: banks[i].code):
        own = [p for p in plans if p.bank_org_id == bank_id]
        if not own and not (shares and bank_id in shares):
            continue
        on_page = [tables[p.instance_id] for p in shown if p.bank_org_id == bank_id]
        summaries.append(_summary(banks[bank_id], None if shares is None else shares.get(bank_id, ZERO), own,
                                  totals, on_page))
        if on_page or (not own and (page or 1) == 1):
            rows.append(summaries[-1])
    fixed = {banks[i].code: _sum([p for p in plans if p.bank_org_id == i], totals, COMMITTED) for i in banks}
    choices = [{"code": banks[i].code, "name": banks[i].name, "name_en": banks[i].name_en}
               for i in sorted(banks, key=lambda i: banks[i].code)] if bureau else []
    drafts = [tables[p.instance_id] for p in plans if p.status == "draft"] if proposing else []
    return {"year": year, "allocation_fixed": shares is not None, "own_bank_only": bank is not None,
            "banks": rows, "proposal": _proposal(summaries, fixed, drafts) if proposing else [],
            "bank_choices": choices, "page": page or 1, "per_page": per_page if page else len(plans),
            "total": len(plans), "more": page is not None and page * per_page < len(plans)}


def plans_overview(ctx: Any, actor: Actor, year: int, page: int = 1, per_page: int = PER_PAGE,
                   last_if_past: bool = False) -> dict[str, Any]:
    """Return page *page* of the plans of *year* as *actor* may see them (a bank its own; departments are
    refused), with the figures and the proposal of the whole year; the last page if *page* is past it
    and *last_if_past* (an empty page otherwise)."""
    bank = scope(actor)
    page, per_page = max(1, page), max(1, min(per_page, MAX_PER_PAGE))
    with ctx.db.read() as conn:
        years = sorted(set(conn.execute(select(fund_plan.c.year).distinct()).scalars()), reverse=True)
        data = overview_in(conn, check_year(year), bank, may_move(actor), page, per_page, last_if_past)
        return {**data, "years_known": years, "may_move": may_move(actor)}


def plan_detail(ctx: Any, actor: Actor, plan_id: int) -> dict[str, Any]:
    """Return one plan with its rows, its bank's figures and its issued tables; another bank's plan is hidden.

    Only this plan's rows are read: the bank's figures come from the year's totals.
    """
    bank = scope(actor)
    with ctx.db.read() as conn:
        row = conn.execute(select(fund_plan.c.year, fund_plan.c.bank_org_id)
                           .where(fund_plan.c.instance_id == plan_id)).first()
        if row is None or (bank is not None and row.bank_org_id != bank):
            raise NotFound(f"plan {plan_id} does not exist")
        data = overview_in(conn, row.year, row.bank_org_id, may_move(actor), only=plan_id)
    summary = data["banks"][0]
    (plan,) = summary["plans"]
    return {**plan, "summary": {k: v for k, v in summary.items() if k != "plans"},
            "may_move": may_move(actor), "bank_choices": data["bank_choices"]}
