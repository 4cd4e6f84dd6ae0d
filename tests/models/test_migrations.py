"""Migrations carry existing data forward, on SQLite and PostgreSQL."""
from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import make_url

from models.db import Database, normalize_url
from models.migrate import upgrade
from models.tables import document, file_upload, metadata, project
from services.oversight.totals import misplaced, recomputed, stored
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


def _rows_at_0003(db: Database) -> None:
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


def test_totals_and_contract_numbers_are_built_by_0007(empty_url: str) -> None:
    db = Database(empty_url)
    try:
        assert upgrade(db.engine, "0003") == "0003"
        _rows_at_0003(db)
        assert upgrade(db.engine, "0007") == "0007"
        with db.read() as conn:
            contracts = conn.execute(select(project.c.instance_id, project.c.contract_no, project.c.contract_name)
                                     .order_by(project.c.instance_id)).all()
            assert stored(conn) == recomputed(conn)
            assert misplaced(conn) == []
            totals = stored(conn)
        assert [tuple(c) for c in contracts] == [(1, None, None), (2, "HT-9", "三方合同")]
        assert totals == {
            (0, 0, 2026, "annual", "it.software", "s", "running"): (1, Decimal("100.10"), *[Decimal("0.00")] * 4),
            (2, 1, 2026, "annual", "it.software", "completed", "completed"): (
                1, Decimal("200.20"), Decimal("150.15"), Decimal("150.15"), Decimal("120.12"), Decimal("120.12"))}
    finally:
        db.dispose()
