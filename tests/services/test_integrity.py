"""`yikatong check` finds every broken invariant in a database corrupted on purpose, and none in a sound one."""
from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import Connection, select, text
from sqlalchemy.exc import DBAPIError

from models.tables import audit_event, human_task, payment, project
from services.context import Services
from services.integrity import check
from services.oversight.actions import terminate
from services.users import load_actor
from tests.services import reconciliation_helpers as rec
from tests.services.samples import seed
from web.cli import main


def invariants(services: Services) -> set[str]:
    return {v["invariant"] for v in check(services)["violations"]}


def corrupt(services: Services, *statements: str) -> None:
    """Run raw SQL on the test's copy, outside the use cases (as a bug or a bad restore would)."""
    with services.db.engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))


def allow_audit_changes(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        conn.execute(text("DROP TRIGGER audit_event_no_delete"))
    else:
        conn.execute(text("DROP TRIGGER audit_event_no_change ON audit_event"))


def first(services: Services, query: Any) -> Any:
    with services.db.read() as conn:
        return conn.execute(query.limit(1)).first()


@pytest.fixture
def sample(services: Services) -> Services:
    seed(services)
    return services


def test_the_demo_projects_break_no_invariant(sample: Services) -> None:
    assert check(sample) == {"ok": True, "violations": []}


def test_a_completed_task_without_its_audit_entry_is_reported(sample: Services) -> None:
    done = first(sample, select(human_task.c.id).where(human_task.c.status == "completed"))
    with sample.db.engine.begin() as conn:
        allow_audit_changes(conn)
        conn.execute(audit_event.delete().where(audit_event.c.task_id == done.id,
                                                audit_event.c.event == "task_completed"))
    (violation,) = check(sample)["violations"]
    assert violation["invariant"] == "completion_audited" and violation["task_id"] == done.id
    assert "0 audit entries" in violation["detail"]


def test_a_completion_audited_twice_is_reported(sample: Services) -> None:
    event = first(sample, select(audit_event).where(audit_event.c.event == "task_completed"))
    with sample.db.engine.begin() as conn:
        conn.execute(audit_event.insert().values({k: v for k, v in event._mapping.items() if k != "id"}))
    (violation,) = check(sample)["violations"]
    assert violation["task_id"] == event.task_id and "2 audit entries" in violation["detail"]


def test_a_ready_task_missing_from_the_task_table_is_reported(sample: Services) -> None:
    ready = first(sample, select(human_task.c.id, human_task.c.instance_id).where(human_task.c.status == "ready"))
    corrupt(sample, f"DELETE FROM human_task WHERE id = '{ready.id}'")
    (violation,) = check(sample)["violations"]
    assert violation["invariant"] == "task_table" and violation["instance_id"] == ready.instance_id
    assert "missing from the task table" in violation["detail"] and ready.id in violation["detail"]


def test_an_open_task_row_the_workflow_does_not_have_is_reported(sample: Services) -> None:
    done = first(sample, select(human_task.c.id, human_task.c.instance_id).where(human_task.c.status == "cancelled")
                 .union_all(select(human_task.c.id, human_task.c.instance_id)
                            .where(human_task.c.status == "completed", human_task.c.task_name == "declare")))
    corrupt(sample, f"UPDATE human_task SET status = 'ready' WHERE id = '{done.id}'")
    violations = check(sample)["violations"]
    extra = [v for v in violations if v["invariant"] == "task_table"]
    assert len(extra) == 1 and "not ready in the workflow" in extra[0]["detail"] and done.id in extra[0]["detail"]


def test_a_paid_total_unlike_its_payment_rows_is_reported(sample: Services) -> None:
    paid = first(sample, select(payment.c.instance_id, payment.c.amount))
    corrupt(sample, f"UPDATE payment SET amount = amount + 1 WHERE instance_id = {paid.instance_id}")
    (violation,) = check(sample)["violations"]
    assert violation["invariant"] == "paid_total" and violation["instance_id"] == paid.instance_id


def test_a_contract_price_below_its_payments_cannot_even_be_written(sample: Services) -> None:
    """Since migration 0012 the database itself refuses it (CHECK and triggers), so the check stays clean."""
    paid = first(sample, select(project.c.instance_id).where(project.c.paid_total > 0))
    with pytest.raises(DBAPIError, match="contract price|paid_within|payments"):
        corrupt(sample, f"UPDATE project SET contract_price = 1 WHERE instance_id = {paid.instance_id}")
    assert "paid_within_contract" not in invariants(sample)


def test_a_price_below_its_payments_that_slipped_past_the_database_is_reported(sample: Services) -> None:
    """A copy whose trigger was lost (a partial restore, a hand-made fix) still gets caught by the check."""
    paid = first(sample, select(project.c.instance_id, project.c.paid_total).where(project.c.paid_total > 0))
    drop = (("PRAGMA ignore_check_constraints = ON", "DROP TRIGGER project_price_covers_payments")
            if sample.db.is_sqlite else ("ALTER TABLE project DROP CONSTRAINT ck_project_paid_within_price",
                                         "DROP TRIGGER project_price_covers_payments ON project"))
    corrupt(sample, *drop, f"UPDATE project SET contract_price = paid_total - 0.01 WHERE instance_id = {paid.instance_id}")
    found = check(sample)["violations"]
    assert {v["invariant"] for v in found} == {"paid_within_contract", "oversight_totals"}  # totals hold the price
    (violation,) = [v for v in found if v["invariant"] == "paid_within_contract"]
    assert violation["instance_id"] == paid.instance_id and str(paid.paid_total) in violation["detail"]


def test_running_totals_unlike_the_projects_are_reported(sample: Services) -> None:
    corrupt(sample, "UPDATE oversight_total SET instances = instances + 1 WHERE stage = 'payment'")
    assert invariants(sample) == {"oversight_totals"}


def test_a_reconciliation_marked_unlike_its_instance_is_reported(services: Services) -> None:
    """Only a live reconciliation holds its bank and period, so its terminated mark must follow the instance."""
    running, ended = rec.start(services, "bank-icbc"), rec.start(services, "bank-abc")
    terminate(services, load_actor(services, "admin"), ended, "重新对账")
    assert check(services) == {"ok": True, "violations": []}
    corrupt(services, f"UPDATE reconciliation SET status = 'terminated' WHERE instance_id = {running}",
            f"UPDATE reconciliation SET status = 'reporting' WHERE instance_id = {ended}")
    found = check(services)["violations"]
    assert sorted((v["invariant"], v["instance_id"]) for v in found) == [
        ("reconciliation_terminated", running), ("reconciliation_terminated", ended)]
    assert any("status terminated but its instance is running" in v["detail"] for v in found)


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_sqlite_file_failing_its_integrity_check_is_reported(sample: Services) -> None:
    path = sample.db.engine.url.database
    sample.db.dispose()
    with closing(sqlite3.connect(path)) as raw:  # an index that no longer matches its table's rows
        raw.execute("PRAGMA writable_schema = ON")
        raw.execute("UPDATE sqlite_master SET sql = replace(sql, 'task_name', 'title') "
                    "WHERE name = 'ix_human_task_due'")
        raw.commit()
    result = check(sample)
    assert not result["ok"] and {v["invariant"] for v in result["violations"]} == {"sqlite_integrity"}
    assert "ix_human_task_due" in result["violations"][0]["detail"]


def test_the_command_prints_json_and_exits_1_on_a_violation(sample: Services, tmp_path: Path) -> None:
    env = {"YIKATONG_DATABASE_URL": sample.db.url, "YIKATONG_INSTANCE_PATH": str(tmp_path)}
    sound = CliRunner().invoke(main, ["check"], env=env)
    assert sound.exit_code == 0 and json.loads(sound.stdout) == {"ok": True, "violations": []}
    corrupt(sample, "UPDATE oversight_total SET paid_total = paid_total + 5")
    broken = CliRunner().invoke(main, ["check"], env=env)
    assert broken.exit_code == 1
    assert {v["invariant"] for v in json.loads(broken.stdout)["violations"]} == {"oversight_totals"}
