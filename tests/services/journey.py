"""Drive one fund project through the services as the demo users would."""
from __future__ import annotations

from typing import Any

from services import files
from services.context import Services
from services.process_models import deploy
from services.instances import show_instance, start_instance
from services.plans.records import plan_of_project
from services.tasks import complete_task
from services.users import Actor, load_actor
from tests import support

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def use_version_1(ctx: Services) -> None:
    """Deploy version 1 of the fund project (its own plan steps) as the newest: new projects follow it.

    Projects started before per-bank plans stay pinned to that version and must still finish; tests
    of that route start their projects on it.
    """
    deploy(ctx, support.FUND_PROJECT_V1.read_bytes(), support.read_forms(), "fund_project.bpmn")


class Journey:
    """One project and the people who work on it."""

    def __init__(self, ctx: Services, department: str = "health_user") -> None:
        self.ctx = ctx
        self.sha = files.store_file(ctx, self.actor(department), "可研报告.pdf", PDF)["sha256"]
        self.instance_id = start_instance(ctx, self.actor(department), "fund_project")["instance_id"]

    def actor(self, username: str) -> Actor:
        return load_actor(self.ctx, username)

    def show(self) -> dict[str, Any]:
        return show_instance(self.ctx, None, self.instance_id)

    def task_id(self, name: str) -> str:
        ids = [t["id"] for t in self.show()["open_tasks"] if t["name"] == name]
        assert len(ids) == 1, f"{name} is not open: {[t['name'] for t in self.show()['open_tasks']]}"
        return ids[0]

    def do(self, username: str, name: str, data: dict[str, Any]) -> dict[str, Any]:
        return complete_task(self.ctx, self.actor(username), self.task_id(name), data)

    def open_names(self) -> list[str]:
        return sorted(t["name"] for t in self.show()["open_tasks"])

    def notice_received(self, amount: str, on: str = "2026-09-15", bank_user: str = "icbc_user") -> Journey:
        """Issue a payment notice with its invoice and have the bank sign for both on *on*.

        The invoice number is the project's own: a contractor's invoice number is noticed only once.
        """
        notice = {**support.notice(amount, on=on, sha=self.sha), "invoice_no": f"INV-{self.instance_id}-{on}"}
        self.do("hrss_clerk", "payment_notice", notice)
        self.do(bank_user, "payment_receipt", support.receipt(on))
        return self

    def plan_id(self) -> int:
        with self.ctx.db.read() as conn:
            plan = plan_of_project(conn, self.instance_id)
        assert plan is not None, "the project is in no plan"
        return plan

    def plan_task_id(self, name: str) -> str:
        """Return the id of the open step *name* of the project's plan."""
        ids = [t["id"] for t in show_instance(self.ctx, None, self.plan_id())["open_tasks"] if t["name"] == name]
        assert len(ids) == 1, f"{name} is not open in the plan"
        return ids[0]

    def plan_do(self, username: str, name: str, data: dict[str, Any]) -> dict[str, Any]:
        """Complete the step *name* of the project's plan."""
        return complete_task(self.ctx, self.actor(username), self.plan_task_id(name), data)

    def assigned(self, bank: str = "bank-icbc", **overrides: Any) -> Journey:
        """Declare, review and assign the project to *bank*: it joins the bank's draft plan and waits."""
        self.do("health_user", "declare", support.declare(self.sha))
        self.do("bdc_reviewer", "review", support.review(sha=self.sha))
        self.do("hrss_clerk", "assign_bank", support.assign_bank(bank, **overrides))
        return self

    def to_plan(self, bank: str = "bank-icbc") -> Journey:
        """Assign the project and take its plan through preparation, review and the head's sign-off.

        A project on version 1 of the diagram (see `use_version_1`) has the plan steps itself.
        """
        self.do("health_user", "declare", support.declare(self.sha))
        self.do("bdc_reviewer", "review", support.review(sha=self.sha))
        if "plan_prepare" in self.open_names():
            self.do("hrss_clerk", "plan_prepare", support.plan_prepare(bank))
            self.do("hrss_reviewer", "plan_review", support.decision("plan_review"))
            self.do("hrss_head", "plan_signoff", support.decision("plan_signoff"))
            return self
        self.do("hrss_clerk", "assign_bank", support.assign_bank(bank))
        self.plan_do("hrss_clerk", "plan_prepare", {})
        self.plan_do("hrss_reviewer", "plan_review", support.decision("plan_review"))
        self.plan_do("hrss_head", "plan_signoff", support.decision("plan_signoff"))
        return self

    def to_payment(self, bank: str = "bank-icbc", bank_user: str = "icbc_user") -> Journey:
        self.to_plan(bank)
        if "secure_funds" in self.open_names():
            self.do(bank_user, "secure_funds", support.SECURE_FUNDS)
        else:
            self.plan_do(bank_user, "bank_confirm", support.SECURE_FUNDS)
        self.do("hrss_clerk", "procurement", support.PROCUREMENT)
        self.do(bank_user, "contract", support.CONTRACT)
        self.do("health_user", "construction", support.CONSTRUCTION)
        self.do("health_user", "acceptance", support.acceptance(sha=self.sha))
        self.do("bdc_reviewer", "acceptance_bdc", support.sign("bdc"))
        self.do("hrss_reviewer", "acceptance_hrss", support.sign("hrss"))
        return self
