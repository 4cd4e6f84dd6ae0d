"""Build what a reconciliation compares: a fixed allocation and payments recorded for a bank's projects."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select

from models.tables import app_user, organization, payment, process_instance, process_model, project, reconciliation
from services.context import Services
from services.inbox import tasks_for
from services.reconciliation.listing import list_reconciliations
from services.reconciliation.start import start_reconciliation
from services.tasks import complete_task
from services.users import load_actor
from tests.services import allocation_helpers as alloc

BANK_USERS = alloc.BANK_USERS
AT = datetime(2026, 7, 20, 3, 0)


def org(ctx: Services, code: str) -> int:
    with ctx.db.read() as conn:
        return conn.execute(select(organization.c.id).where(organization.c.code == code)).scalar_one()


def fix_allocation(ctx: Services, year: int = 2026) -> None:
    """Fix *year*'s allocation: ICBC 520000 cards, ABC 310000, TRCB 170000."""
    alloc.run_to_fixed(ctx, allocation_year=year)


def paid_project(ctx: Services, bank: str, name: str, payments: list[tuple[str, str]]) -> int:
    """Record a project of *bank* with payments [(amount, paid_on)]; return its id."""
    bank_id = org(ctx, bank)
    with ctx.db.write() as conn:
        model = conn.execute(select(process_model.c.id).where(process_model.c.process_id == "fund_project")
                             .limit(1)).scalar_one()
        user = conn.execute(select(app_user.c.id).where(app_user.c.username == BANK_USERS[bank])).scalar_one()
        instance = conn.execute(insert(process_instance).values(
            model_id=model, process_id="fund_project", title=name, status="running", stage="payment",
            bank_org_id=bank_id, started_by=user, created_at=AT, updated_at=AT, version=0, state=b"{}",
        )).inserted_primary_key[0]
        total = sum((Decimal(a) for a, _ in payments), Decimal("0.00"))
        conn.execute(insert(project).values(instance_id=instance, name=name, bank_org_id=bank_id,
                                            contract_price=total, paid_total=total))
        for number, (amount, paid_on) in enumerate(payments, start=1):
            conn.execute(insert(payment).values(
                instance_id=instance, bank_org_id=bank_id, instalment=number, amount=Decimal(amount),
                notice_date=date.fromisoformat(paid_on), paid_on=date.fromisoformat(paid_on),
                reference=f"{bank}-{instance}-{number}", recorded_at=AT, recorded_by=user))
    return instance


def start(ctx: Services, bank: str = "bank-icbc", period: str = "2026Q2", user: str = "hrss_clerk") -> int:
    """Start the bank's reconciliation as the bureau; return the instance id."""
    return start_reconciliation(ctx, load_actor(ctx, user), bank, period)["instance_id"]


def tasks(ctx: Services, username: str, instance_id: int, name: str) -> list[dict[str, Any]]:
    """Return *username*'s ready tasks *name* of the instance."""
    return [t for t in tasks_for(ctx, load_actor(ctx, username)) if t["instance_id"] == instance_id and t["name"] == name]


def report(ctx: Services, instance_id: int, data: dict[str, Any], bank: str = "bank-icbc") -> dict[str, Any]:
    """Let the bank's user submit its report."""
    (task,) = tasks(ctx, BANK_USERS[bank], instance_id, "bank_report")
    return complete_task(ctx, load_actor(ctx, BANK_USERS[bank]), task["id"], data)


def record(ctx: Services, instance_id: int) -> Any:
    with ctx.db.read() as conn:
        return conn.execute(select(reconciliation).where(reconciliation.c.instance_id == instance_id)).first()


def rec_rows(ctx: Services, username: str) -> list[dict[str, Any]]:
    """Return the reconciliations *username* sees."""
    return list_reconciliations(ctx, load_actor(ctx, username))
