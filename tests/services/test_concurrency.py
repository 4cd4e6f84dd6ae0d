"""Sixteen people completing the same task at once: exactly one wins, the rest are told it is handled."""
from __future__ import annotations

import threading
from decimal import Decimal

from sqlalchemy import func, select

from models.tables import audit_event, human_task, payment
from services.context import Services
from services.errors import ConflictError
from services.tasks import complete_task
from tests import support
from tests.services.journey import Journey

THREADS = 16


def race(services: Services, j: Journey, username: str, task_id: str, data: dict) -> list[str]:
    actor = j.actor(username)
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt() -> None:
        barrier.wait()
        try:
            complete_task(services, actor, task_id, data)
            result = "done"
        except ConflictError:
            result = "conflict"
        except Exception as exc:  # reported below, so a wrong error type fails the test
            result = f"{type(exc).__name__}: {exc}"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(outcomes)


def test_sixteen_threads_pay_one_notice_exactly_once(services: Services) -> None:
    j = Journey(services).to_payment()
    j.notice_received("1000000.00")
    task_id = j.task_id("payment")
    outcomes = race(services, j, "icbc_user", task_id, support.paid())
    assert outcomes == ["conflict"] * (THREADS - 1) + ["done"]
    with services.db.read() as conn:
        assert conn.execute(select(func.count()).select_from(payment)).scalar_one() == 1
        assert conn.execute(select(func.sum(payment.c.amount))).scalar_one() == Decimal("1000000.00")
        completions = conn.execute(select(func.count()).select_from(audit_event).where(
            audit_event.c.event == "task_completed", audit_event.c.task_id == task_id)).scalar_one()
        assert completions == 1
        assert conn.execute(select(human_task.c.status).where(human_task.c.id == task_id)).scalar_one() == "completed"
    assert j.show()["status"] == "completed"
