"""The issued documents of a project: listed and downloaded by those who may see the project."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from models.tables import app_user, issued_document, process_instance
from services import audit
from services.clock import from_db
from services.context import Services
from services.errors import Hidden, NotFound
from services.files import path_of
from services.official.issue import FILE_NAMES
from services.users import Actor
from services.visibility import can_see_instance


def _visible(conn: Connection, actor: Actor, instance_id: int) -> None:
    row = conn.execute(select(process_instance.c.department_org_id, process_instance.c.bank_org_id)
                       .where(process_instance.c.id == instance_id)).first()
    if row is None:
        raise NotFound(f"project {instance_id} does not exist")
    if not can_see_instance(actor, row.department_org_id, row.bank_org_id):
        raise Hidden("project", instance_id, instance_id)


def _row(r: Any) -> dict[str, Any]:
    return {"id": r.public_id, "kind": r.kind, "version": r.version, "sha256": r.sha256, "signed": r.signed,
            "issued_at": from_db(r.created_at).isoformat(), "issued_by": r.display_name, "task_id": r.task_id,
            "project_id": r.instance_id, "filename": f"{FILE_NAMES[r.kind]}-{r.instance_id}-v{r.version}.pdf"}


def _select() -> Any:
    return (select(issued_document, app_user.c.display_name)
            .outerjoin(app_user, app_user.c.id == issued_document.c.created_by))


def documents_of(conn: Connection, instance_id: int) -> list[dict[str, Any]]:
    """Return the instance's issued documents, oldest first (the caller checked visibility)."""
    rows = conn.execute(_select().where(issued_document.c.instance_id == instance_id)
                        .order_by(issued_document.c.id))
    return [_row(r) for r in rows]


@audit.audit_denials
def list_documents(ctx: Services, actor: Actor, instance_id: int) -> list[dict[str, Any]]:
    """Return the documents issued for a project *actor* may see (404 otherwise)."""
    with ctx.db.read() as conn:
        _visible(conn, actor, instance_id)
        return documents_of(conn, instance_id)


@audit.audit_denials
def open_document(ctx: Services, actor: Actor, instance_id: int, document_id: str) -> dict[str, Any]:
    """Return an issued document's facts and the path of its PDF, if *actor* may see its project."""
    with ctx.db.read() as conn:
        _visible(conn, actor, instance_id)
        row = conn.execute(_select().where(issued_document.c.instance_id == instance_id,
                                           issued_document.c.public_id == document_id)).first()
    if row is None:
        raise NotFound(f"document {document_id} does not exist")
    path: Path = path_of(ctx, row.sha256)
    return {**_row(row), "path": path}
