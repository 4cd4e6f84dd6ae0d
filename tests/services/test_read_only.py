"""The supervisor reads everything and changes nothing; another role beside it keeps its own rights."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from models.tables import comment, file_upload, process_instance
from services.admin import add_user
from services.comments import add_comment
from services.context import Services
from services.errors import PermissionDenied
from services.files import store_file
from services.instances import show_instance, start_instance
from services.users import load_actor, require_writer
from services.withdraw import withdraw
from tests.services.journey import PDF, Journey


def _count(ctx: Services, table) -> int:  # type: ignore[no-untyped-def]
    with ctx.db.read() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def test_the_supervisor_sees_every_project_but_writes_nothing(services: Services) -> None:
    j = Journey(services)
    supervisor = load_actor(services, "supervisor")
    assert show_instance(services, supervisor, j.instance_id)["instance_id"] == j.instance_id
    before = {t.name: _count(services, t) for t in (comment, file_upload, process_instance)}
    with pytest.raises(PermissionDenied):
        require_writer(supervisor)
    with pytest.raises(PermissionDenied):
        add_comment(services, supervisor, j.instance_id, "看过了。")
    with pytest.raises(PermissionDenied):
        store_file(services, supervisor, "x.pdf", PDF)
    with pytest.raises(PermissionDenied):
        start_instance(services, supervisor, "fund_project")
    with pytest.raises(PermissionDenied):
        withdraw(services, supervisor, j.instance_id, "reason")
    assert {t.name: _count(services, t) for t in (comment, file_upload, process_instance)} == before


def test_a_supervisor_who_is_also_a_department_user_keeps_the_departments_rights(services: Services) -> None:
    add_user(services, None, "health_lead", "a-long-password", "卫健委领导", "dept-health",
             ["department", "supervisor"])
    lead = load_actor(services, "health_lead")
    own, other = Journey(services), Journey(services, department="transport_user")
    assert add_comment(services, lead, own.instance_id, "请加快进度。")["author"] == "health_lead"
    assert show_instance(services, lead, other.instance_id)["instance_id"] == other.instance_id
    with pytest.raises(PermissionDenied):
        add_comment(services, lead, other.instance_id, "看过了。")
    assert store_file(services, lead, "x.pdf", PDF)["filename"] == "x.pdf"
