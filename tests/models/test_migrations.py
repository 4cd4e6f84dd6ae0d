"""Migrations carry existing data forward, on SQLite and PostgreSQL."""
from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import orjson
import pytest
from sqlalchemy import Connection, create_engine, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from models.db import Database, normalize_url
from models.migrate import upgrade
from models.tables import document, file_upload, human_task, metadata, payment, payment_notice, project
from services.oversight.totals import misplaced, recomputed, stored
from services.reconciliation.periods import parse_period
from tests.conftest import PG_URL

AT = datetime(2026, 3, 2, 4, 0)


@pytest.fixture
def empty_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """The URL of a new, empty database on the test's backend."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    admin = create_engine(normalize_url(PG_URL or ""), isolation_level="AUTOCOMMIT")
    name = f"yikatong_migrate_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(normalize_url(PG_URL or "")).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _rows_at_0002(db: Database) -> None:
    tables = metadata.tables
    with db.write() as conn:
        conn.execute(insert(tables["organization"]).values(id=1, code="dept-a", name="A", kind="department"))
        conn.execute(insert(tables["app_user"]).values(id=1, username="a", display_name="A", password_hash="x",
                                                       organization_id=1, created_at=AT))
        conn.execute(insert(tables["process_model"]).values(id=1, process_id="p", version=1, name="P",
                                                             content_hash="h", bpmn_xml="", forms_json="{}",
                                                             spec_json="{}", created_at=AT))
        conn.execute(insert(tables["process_instance"]).values(
            id=1, model_id=1, process_id="p", title="t", status="running", stage="s", started_by=1,
            created_at=AT, updated_at=AT, version=1, state=b"{}"))
        conn.execute(insert(tables["stored_file"]).values(sha256="f" * 64, filename="报告.pdf",
                                                          content_type="application/pdf", size=9,
                                                          created_at=AT, created_by=1))
        conn.execute(text("INSERT INTO document (instance_id, sha256, field, created_at, created_by) "
                          "VALUES (1, :sha, 'report', :at, 1)"), {"sha": "f" * 64, "at": AT})


def test_uploads_and_document_names_are_carried_into_0003(empty_url: str) -> None:
    db = Database(empty_url)
    try:
        assert upgrade(db.engine, "0002") == "0002"
        _rows_at_0002(db)
        assert upgrade(db.engine, "0003") == "0003"
        with db.read() as conn:
            uploads = conn.execute(select(file_upload.c.sha256, file_upload.c.user_id, file_upload.c.filename)).all()
            names = conn.execute(select(document.c.filename)).scalars().all()
        assert [tuple(u) for u in uploads] == [("f" * 64, 1, "报告.pdf")]
        assert names == ["报告.pdf"]
    finally:
        db.dispose()


def _state(*texts: str) -> bytes:
    tasks = {f"t{i}": {"last_state_change": float(i), "data": {"card_function": text, "project_name": "p"}}
             for i, text in enumerate(texts)}
    return orjson.dumps({"tasks": tasks, "subprocesses": {}, "serializer_version": "1.5"})


def test_free_text_card_functions_are_carried_into_the_function_list_in_0008(empty_url: str) -> None:
    db = Database(empty_url)
    tables = metadata.tables
    try:
        upgrade(db.engine, "0003")
        _rows_at_0002(db)
        with db.write() as conn:
            conn.execute(text("UPDATE organization SET kind = 'department'"))
            for instance_id, state in ((2, _state("乘车", "公交乘车")), (3, _state(" 公交乘车 ")), (4, _state("就医结算")),
                                       (5, b"{}")):
                conn.execute(text(
                    "INSERT INTO process_instance (id, model_id, process_id, title, status, stage, started_by, "
                    "created_at, updated_at, version, state, department_org_id) VALUES (:id, 1, 'fund_project', 't', "
                    "'running', 'review', 1, :at, :at, 1, :state, 1)"), {"id": instance_id, "at": AT, "state": state})
                conn.execute(text("INSERT INTO project (instance_id, year, round, paid_total) "
                                  "VALUES (:id, 2026, 'annual', 0)"), {"id": instance_id})
        assert upgrade(db.engine, "0008") == "0008"
        with db.read() as conn:
            functions = conn.execute(select(tables["card_function"].c.code, tables["card_function"].c.name,
                                            tables["card_function"].c.department_org_id,
                                            tables["card_function"].c.active)
                                     .order_by(tables["card_function"].c.id)).all()
            projects = conn.execute(select(tables["project"].c.instance_id, tables["project"].c.card_function_id,
                                           tables["project"].c.year, tables["project"].c.round)
                                    .order_by(tables["project"].c.instance_id)).all()
        assert [tuple(f) for f in functions] == [("legacy-1", "公交乘车", 1, True), ("legacy-2", "就医结算", 1, True)]
        assert [tuple(p) for p in projects] == [(2, 1, 2026, "annual"), (3, 1, 2026, "annual"),
                                                (4, 2, 2026, "annual"), (5, None, 2026, "annual")]
    finally:
        db.dispose()


def _rows_at_0003(db: Database) -> None:
    tables = metadata.tables
    _rows_at_0002(db)
    notice = {"task": "payment_notice", "data": {"notice_amount": "600000.00", "notice_date": "2026-09-15",
                                                 "invoice_no": "0320001", "invoice_file": "f" * 64}}
    with db.write() as conn:
        conn.execute(insert(tables["organization"]).values(id=2, code="bank-a", name="B", kind="bank"))
        conn.execute(insert(tables["project"]).values(instance_id=1, contractor="某公司", paid_total=0))
        conn.execute(insert(tables["audit_event"]), [
            {"at": AT, "actor_id": 1, "instance_id": 1, "task_id": f"t{n}", "event": "task_completed",
             "data": json.dumps({**notice, "data": {**notice["data"], "invoice_no": invoice}})}
            for n, invoice in enumerate(["0320001", "0320001", "0320002"])])
        conn.execute(insert(tables["payment"]), [
            {"instance_id": 1, "bank_org_id": 2, "instalment": n, "amount": "1.00", "notice_date": AT.date(),
             "paid_on": AT.date(), "reference": "TX1", "recorded_at": AT, "recorded_by": 1} for n in (1, 2)])


def test_issued_notices_are_recorded_and_reused_references_marked_by_0004(empty_url: str) -> None:
    db = Database(empty_url)
    try:
        assert upgrade(db.engine, "0003") == "0003"
        _rows_at_0003(db)
        assert upgrade(db.engine, "0004") == "0004"
        with db.read() as conn:
            notices = conn.execute(select(payment_notice.c.task_id, payment_notice.c.invoice_no,
                                          payment_notice.c.amount).order_by(payment_notice.c.id)).all()
            references = conn.execute(select(payment.c.id, payment.c.reference).order_by(payment.c.id)).all()
        assert [tuple(n) for n in notices] == [("t0", "0320001", Decimal("600000.00")),
                                               ("t2", "0320002", Decimal("600000.00"))]
        assert [r.reference for r in references] == ["TX1", f"TX1 (duplicate #{references[1].id})"]
    finally:
        db.dispose()


def test_tasks_open_before_0005_stay_open_and_unmarked(empty_url: str) -> None:
    db = Database(empty_url)
    try:
        upgrade(db.engine, "0003")
        _rows_at_0002(db)
        with db.write() as conn:
            conn.execute(text(
                "INSERT INTO human_task (id, instance_id, task_name, title, lane, stage, status, form_patch, "
                "created_at) VALUES ('t1', 1, 'declare', '项目申报', 'department', 's', 'ready', '{}', :at)"),
                {"at": AT})
        upgrade(db.engine)
        with db.read() as conn:
            row = conn.execute(select(human_task.c.status, human_task.c.returned_by, human_task.c.returned_from,
                                      human_task.c.return_reason)).one()
        assert tuple(row) == ("ready", None, None, None)
    finally:
        db.dispose()


def _projects_at_0003(db: Database) -> None:
    tables = metadata.tables
    _rows_at_0002(db)
    with db.write() as conn:
        conn.execute(insert(tables["organization"]).values(id=2, code="bank-a", name="B", kind="bank"))
        conn.execute(insert(tables["process_instance"]).values(
            id=2, model_id=1, process_id="p", title="t2", status="completed", stage="completed", started_by=1,
            department_org_id=1, bank_org_id=2, created_at=AT, updated_at=AT, version=9, state=b"{}"))
        conn.execute(insert(tables["project"]), [
            {"instance_id": 1, "year": 2026, "round": "annual", "category": "it.software",
             "budget": Decimal("100.10"), "approved_budget": None, "plan_amount": None, "contract_price": None,
             "paid_total": Decimal("0")},
            {"instance_id": 2, "year": 2026, "round": "annual", "category": "it.software",
             "budget": Decimal("200.20"), "approved_budget": Decimal("150.15"), "plan_amount": Decimal("150.15"),
             "contract_price": Decimal("120.12"), "paid_total": Decimal("120.12")}])
        contract = {"task": "contract", "title": "签订三方合同",
                    "data": {"contract_no": "HT-9", "contract_name": "三方合同", "contract_signed": True}}
        conn.execute(insert(tables["audit_event"]).values(at=AT, actor_id=1, instance_id=2, task_id="t",
                                                          event="task_completed", data=json.dumps(contract)))


def _rows_of_0009(db: Database) -> None:
    """Add what the migrations after 0003 brought: a card function and round, a returned task with its due date."""
    tables = metadata.tables
    with db.write() as conn:
        conn.execute(insert(tables["card_function"]).values(id=7, code="bus", name="公交乘车", department_org_id=1,
                                                            created_at=AT, updated_at=AT))
        conn.execute(insert(tables["declaration_round"]).values(id=3, year=2026, name="集中申报",
                                                                opens_on=AT.date(), closes_on=AT.date(),
                                                                created_at=AT))
        conn.execute(text("UPDATE project SET card_function_id = 7, round_id = 3 WHERE instance_id = 1"))
        conn.execute(insert(tables["human_task"]).values(
            id="t1", instance_id=1, task_name="declare", title="项目申报", lane="department", org_id=1, stage="s",
            status="ready", form_patch="{}", created_at=AT, due_at=AT, due_provisional=True, returned_by=1,
            returned_from="review", return_reason="补充材料"))


def test_totals_and_contract_numbers_are_built_by_0007_after_0009(empty_url: str) -> None:
    db = Database(empty_url)
    try:
        assert upgrade(db.engine, "0003") == "0003"
        _projects_at_0003(db)
        assert upgrade(db.engine, "0009") == "0009"
        _rows_of_0009(db)
        assert upgrade(db.engine, "0007") == "0007"
        with db.read() as conn:
            contracts = conn.execute(select(project.c.instance_id, project.c.contract_no, project.c.contract_name,
                                            project.c.card_function_id, project.c.round_id, project.c.stage,
                                            project.c.bank_org_id)
                                     .order_by(project.c.instance_id)).all()
            task = conn.execute(select(human_task.c.due_provisional, human_task.c.returned_by,
                                       human_task.c.return_reason, human_task.c.assignee_id)).one()
            assert stored(conn) == recomputed(conn)
            assert misplaced(conn) == []
            totals = stored(conn)
        assert [tuple(c) for c in contracts] == [(1, None, None, 7, 3, "s", None),
                                                 (2, "HT-9", "三方合同", None, None, "completed", 2)]
        assert tuple(task) == (True, 1, "补充材料", None)
        assert totals == {
            (0, 0, 2026, "annual", "it.software", "s", "running"): (1, Decimal("100.10"), *[Decimal("0.00")] * 4),
            (2, 1, 2026, "annual", "it.software", "completed", "completed"): (
                1, Decimal("200.20"), Decimal("150.15"), Decimal("150.15"), Decimal("120.12"), Decimal("120.12"))}
    finally:
        db.dispose()


def test_0013_adds_the_reconciliation_tables_and_removes_them_again(empty_url: str) -> None:
    from alembic import command

    from models.migrate import alembic_config
    db = Database(empty_url)
    try:
        assert upgrade(db.engine, "0007") == "0007"
        assert upgrade(db.engine, "0013") == "0013"
        config = alembic_config(db.engine)
        with db.engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, "0007")
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM process_instance")).scalar() == 0
            with pytest.raises(Exception, match="reconciliation"):
                conn.execute(text("SELECT 1 FROM reconciliation"))
        assert upgrade(db.engine, "0013") == "0013"
    finally:
        db.dispose()


def test_0012_refuses_rows_that_break_the_money_rules_then_holds_them(empty_url: str) -> None:
    db = Database(empty_url)
    try:
        upgrade(db.engine, "0003")
        _projects_at_0003(db)
        upgrade(db.engine, "0007")
        with db.write() as conn:
            conn.execute(text("UPDATE project SET paid_total = contract_price + 1 WHERE instance_id = 2"))
        with pytest.raises(RuntimeError, match=r"0012: .*'project': \[2\]"):
            upgrade(db.engine)
        with db.write() as conn:
            conn.execute(text("UPDATE project SET paid_total = contract_price WHERE instance_id = 2"))
        assert upgrade(db.engine, "0012") == "0012"
        for statement in ("UPDATE project SET budget = -1 WHERE instance_id = 1",
                          "UPDATE project SET paid_total = contract_price + 1 WHERE instance_id = 2"):
            with pytest.raises(DBAPIError):
                with db.write() as conn:
                    conn.execute(text(statement))
        with db.read() as conn:
            assert conn.execute(select(project.c.budget).where(project.c.instance_id == 1)).scalar() == Decimal("100.10")
    finally:
        db.dispose()


def test_0014_adds_the_fund_plan_tables_and_removes_them_again(empty_url: str) -> None:
    from alembic import command

    from models.migrate import alembic_config
    db = Database(empty_url)
    try:
        assert upgrade(db.engine, "0012") == "0012"
        assert upgrade(db.engine, "0014") == "0014"
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM fund_plan_item")).scalar() == 0
        config = alembic_config(db.engine)
        with db.engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, "0012")
        with db.engine.connect() as conn:
            with pytest.raises(Exception, match="fund_plan"):
                conn.execute(text("SELECT 1 FROM fund_plan"))
        assert upgrade(db.engine, "0014") == "0014"
    finally:
        db.dispose()


def _reconciliations_at_0015(db: Database) -> None:
    """Two ICBC reconciliations: 2026Q1 explained in part, then terminated; 2026Q2 running."""
    tables = metadata.tables
    with db.write() as conn:
        conn.execute(insert(tables["organization"]).values(id=1, code="bank-icbc", name="工商银行", kind="bank"))
        conn.execute(insert(tables["app_user"]).values(id=1, username="a", display_name="A", password_hash="x",
                                                       organization_id=1, created_at=AT))
        conn.execute(insert(tables["process_model"]).values(id=1, process_id="reconciliation", version=1, name="R",
                                                             content_hash="h", bpmn_xml="", forms_json="{}",
                                                             spec_json="{}", created_at=AT))
        for instance_id, status in ((1, "terminated"), (2, "running")):
            conn.execute(insert(tables["process_instance"]).values(
                id=instance_id, model_id=1, process_id="reconciliation", title="t", status=status, stage=status,
                started_by=1, created_at=AT, updated_at=AT, version=1, state=b"{}"))
        for record_id, period, status in ((1, "2026Q1", "explaining"), (2, "2026Q2", "reporting")):
            start, end = parse_period(period).start, parse_period(period).end
            conn.execute(insert(tables["reconciliation"]).values(
                id=record_id, instance_id=record_id, bank_org_id=1, period=period, period_start=start,
                period_end=end, status=status, scheduled=False, created_at=AT,
                reported_at=AT if status == "explaining" else None))
        conn.execute(insert(tables["reconciliation_line"]).values(reconciliation_id=1, line_no=1, kind="card_count",
                                                                  label="三代卡", reported_count=2, recorded_count=1,
                                                                  differs=True))


def _again(conn: Connection, record_id: int, period: str) -> None:
    """Insert another ICBC reconciliation for *period* on a new running instance."""
    conn.execute(text("INSERT INTO process_instance (id, model_id, process_id, title, status, stage, started_by, "
                      "created_at, updated_at, version, state) VALUES (:id, 1, 'reconciliation', 't', 'running', "
                      "'bank_report', 1, :at, :at, 1, :state)"), {"id": record_id, "at": AT, "state": b"{}"})
    conn.execute(text("INSERT INTO reconciliation (id, instance_id, bank_org_id, period, period_start, period_end, "
                      "status, scheduled, created_at) VALUES (:id, :id, 1, :period, :start, :end, 'reporting', "
                      ":no, :at)"), {"id": record_id, "period": period, "start": parse_period(period).start,
                                     "end": parse_period(period).end, "no": False, "at": AT})


def _statuses(db: Database) -> list[tuple[int, str]]:
    with db.read() as conn:
        return [tuple(r) for r in conn.execute(text("SELECT id, status FROM reconciliation ORDER BY id"))]


def test_0016_marks_terminated_reconciliations_and_frees_their_period_for_one_live_one(empty_url: str) -> None:
    from alembic import command

    from models.migrate import alembic_config
    db = Database(empty_url)
    try:
        assert upgrade(db.engine, "0015") == "0015"
        _reconciliations_at_0015(db)
        assert upgrade(db.engine, "0016") == "0016"
        assert _statuses(db) == [(1, "terminated"), (2, "reporting")]
        with db.read() as conn:
            lines = conn.execute(text("SELECT reconciliation_id, reported_count FROM reconciliation_line")).all()
        assert [tuple(line) for line in lines] == [(1, 2)], "the terminated one keeps its lines"
        with db.write() as conn:
            _again(conn, 3, "2026Q1")
        with pytest.raises(DBAPIError):
            with db.write() as conn:
                _again(conn, 4, "2026Q2")
        assert _statuses(db) == [(1, "terminated"), (2, "reporting"), (3, "reporting")]
        config = alembic_config(db.engine)
        with pytest.raises(RuntimeError, match=r"0016: .*\(1, '2026Q1'\)"):
            with db.engine.begin() as conn:
                config.attributes["connection"] = conn
                command.downgrade(config, "0015")
        with db.write() as conn:
            conn.execute(text("DELETE FROM reconciliation WHERE id = 3"))
        with db.engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, "0015")
        assert _statuses(db) == [(1, "explaining"), (2, "reporting")], "the status its figures show"
        with pytest.raises(DBAPIError):
            with db.write() as conn:
                _again(conn, 3, "2026Q1")
        assert upgrade(db.engine) == "0016"
        assert _statuses(db) == [(1, "terminated"), (2, "reporting")]
    finally:
        db.dispose()
