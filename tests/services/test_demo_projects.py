"""The demo's sample projects: one at each of several stages, created once."""
from __future__ import annotations

from sqlalchemy import select

from models.tables import fund_plan, organization
from services.context import Services
from services.demo_projects import seed_sample_plans, seed_sample_projects
from services.inbox import tasks_for
from services.instances import show_instance
from services.money.allocations import allocation_page
from services.reconciliation.listing import list_reconciliations
from services.users import load_actor


def test_sample_projects_wait_at_different_steps_and_are_created_once(services: Services) -> None:
    created = seed_sample_projects(services)
    stages = [show_instance(services, None, i)["stage"] for i in created]
    assert stages == ["review", "plan", "contract", "payment", "payment", "completed", "allocation_banks",
                      "completed", "completed", "reconciliation_report"]
    assert seed_sample_projects(services) == []
    plans = seed_sample_plans(services)
    assert [show_instance(services, None, i)["stage"] for i in plans] == ["plan", "plan"]
    waiting = {user: sorted(t["name"] for t in tasks_for(services, load_actor(services, user)))
               for user in ("bdc_reviewer", "hrss_head", "trcb_user", "icbc_user", "hrss_clerk", "abc_user")}
    assert waiting == {"bdc_reviewer": ["review"], "hrss_head": ["plan_signoff"],
                       "trcb_user": ["bank_confirm", "bank_report", "contract"],
                       "icbc_user": ["bank_confirm", "payment"],
                       "hrss_clerk": ["payment_notice", "plan_prepare"], "abc_user": ["bank_confirm"]}
    with services.db.read() as conn:
        plans = conn.execute(select(organization.c.code, fund_plan.c.number, fund_plan.c.status)
                             .join(organization, organization.c.id == fund_plan.c.bank_org_id)
                             .order_by(organization.c.code, fund_plan.c.number)).all()
    assert [tuple(p) for p in plans] == [("bank-abc", 1, "signoff"), ("bank-abc", 2, "confirmed"),
                                         ("bank-icbc", 1, "confirmed"), ("bank-icbc", 2, "bank"),
                                         ("bank-trcb", 1, "confirmed"), ("bank-trcb", 2, "draft")]
    fixed = allocation_page(services, load_actor(services, "supervisor"), 2026)["fixed"]
    assert fixed["pool"] == "30000000.00" and sum(s["card_count"] for s in fixed["shares"]) == 1250465
    records = {r["bank"]: r for r in list_reconciliations(services, load_actor(services, "supervisor"))}
    assert {b: (r["period"], r["status"], r["difference_count"]) for b, r in records.items()} == {
        "bank-abc": ("2026Q2", "closed", 0), "bank-icbc": ("2026Q2", "closed", 1), "bank-trcb": ("2026Q2", "reporting", 0)}
