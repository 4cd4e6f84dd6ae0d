"""The migrated schema matches the tables, keeps money exact and never rewrites history."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import DBAPIError

from models.migrate import current_revision, head_revision
from models.tables import audit_event, metadata, organization, process_instance, project
from services.context import Services


def test_migrations_build_exactly_the_declared_tables(services: Services) -> None:
    with services.db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []
    assert current_revision(services.db.engine) == head_revision(services.db.engine)


def _instance(conn, org_id: int) -> int:  # type: ignore[no-untyped-def]
    now = datetime(2026, 1, 1)
    return conn.execute(insert(process_instance).values(
        model_id=1, process_id="fund_project", title="t", status="running", stage="declaration",
        started_by=1, created_at=now, updated_at=now, version=0, state=b"{}",
        department_org_id=org_id)).inserted_primary_key[0]


def test_money_survives_storage_and_sums_exactly(services: Services) -> None:
    big = Decimal("90071992547409.93")
    with services.db.write() as conn:
        org = conn.execute(select(organization.c.id).limit(1)).scalar_one()
        ids = [_instance(conn, org) for _ in range(1000)]
        conn.execute(insert(project), [{"instance_id": i, "paid_total": Decimal("123.45")} for i in ids])
        conn.execute(update(project).where(project.c.instance_id == ids[0]).values(budget=big))
    with services.db.read() as conn:
        assert conn.execute(select(project.c.budget).where(project.c.instance_id == ids[0])).scalar() == big
        total = conn.execute(select(func.sum(project.c.paid_total))).scalar()
    assert total == Decimal("123450.00")


def test_money_with_more_than_two_decimals_is_refused(services: Services) -> None:
    with pytest.raises(Exception, match="decimal places"):
        with services.db.write() as conn:
            org = conn.execute(select(organization.c.id).limit(1)).scalar_one()
            conn.execute(insert(project).values(instance_id=_instance(conn, org), paid_total=Decimal("1.001")))


def test_the_audit_table_is_append_only(services: Services) -> None:
    with services.db.write() as conn:
        conn.execute(insert(audit_event).values(at=datetime(2026, 1, 1), event="x", data="{}"))
    for statement in (update(audit_event).values(event="y"), delete(audit_event)):
        with pytest.raises(DBAPIError, match="append-only"):
            with services.db.write() as conn:
                conn.execute(statement)
    with services.db.read() as conn:
        assert conn.execute(select(audit_event.c.event)).scalars().all() == ["x"]
