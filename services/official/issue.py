"""Issue an official document at the step that produces it, in that step's transaction.

- Attachment 3, the payment notice: when the bureau completes `payment_notice` (one per instalment).
- Attachment 2, the acceptance report: when the last of the three acceptances completes and the
  project passes (the instance moves on to payment).
- Attachment 1, the fund use plan table: when the bureau head signs a bank's plan (`plan_signoff` of the
  `fund_plan` process approved; archived on the plan's instance, see `issue_plan_document`), and for
  projects of the old per-project diagram version at their own `plan_signoff`.

The PDF is rendered and sealed with the configured key (unsealed when none is configured, see
``keys``) by this process's renderer (a child process in the servers, see ``rendering``), stored
under its sha256 and recorded as the next version of that kind for the instance, all before the
step commits: the step and its document are written together or not at all.
"""
from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime
from time import perf_counter
from typing import Any

from sqlalchemy import Connection, func, insert, select

from documents import ACCEPTANCE_REPORT, FUND_PLAN, PAYMENT_NOTICE, Document, DocumentMeta
from models.tables import issued_document, process_instance
from services import audit, files
from services.clock import to_db
from services.context import Services
from services.errors import ProcessFailed
from services.official import content
from services.official.keys import public_url
from services.official.rendering import Job, renderer_of

FILE_NAMES = {FUND_PLAN: "资金使用计划表", ACCEPTANCE_REPORT: "竣工验收报告", PAYMENT_NOTICE: "付款通知书"}
PASSED_STAGE = "payment"


def verify_url(public_id: str) -> str:
    """Return the address printed in the seal's QR code of the document *public_id*."""
    return f"{public_url()}/verify?id={public_id}"


def _next_version(conn: Connection, instance_id: int, kind: str) -> int:
    latest = conn.execute(select(func.max(issued_document.c.version)).where(
        issued_document.c.instance_id == instance_id, issued_document.c.kind == kind)).scalar()
    return (latest or 0) + 1


def _pdf(ctx: Services, doc: Document, meta: DocumentMeta, at: datetime) -> tuple[bytes, bool]:
    try:
        return renderer_of(ctx).produce(Job(doc, meta, at, verify_url(meta.document_id)))
    except Exception as exc:  # noqa: BLE001 - any rendering or sealing failure refuses the step, nothing written
        raise ProcessFailed(f"the {FILE_NAMES[doc.kind]} could not be produced: {exc}") from exc


def issue(ctx: Services, conn: Connection, instance_id: int, doc: Document, *, actor_id: int | None,
          task_id: str | None, at: datetime) -> dict[str, Any]:
    """Render, seal, store and record *doc* as the next version of its kind; return the new row's facts."""
    version = _next_version(conn, instance_id, doc.kind)
    public_id = secrets.token_hex(16)
    meta = DocumentMeta(kind=doc.kind, document_id=public_id, version=version, project_id=instance_id)
    pdf, signed = _pdf(ctx, doc, meta, at)
    name = f"{FILE_NAMES[doc.kind]}-{instance_id}-v{version}.pdf"
    digest = files.store_generated(ctx, conn, name, pdf, "application/pdf", actor_id)
    conn.execute(insert(issued_document).values(
        public_id=public_id, instance_id=instance_id, kind=doc.kind, version=version, sha256=digest,
        signed=signed, task_id=task_id, created_at=to_db(at),
        created_by=actor_id))
    audit.record(conn, "document_issued", at, actor_id=actor_id, instance_id=instance_id, task_id=task_id,
                 data={"kind": doc.kind, "version": version, "sha256": digest, "signed": signed,
                       "document_id": public_id})
    return {"document_id": public_id, "kind": doc.kind, "version": version, "sha256": digest, "signed": signed}


def _stage(conn: Connection, instance_id: int) -> str:
    return conn.execute(select(process_instance.c.stage).where(process_instance.c.id == instance_id)).scalar_one()


def document_for(ctx: Services, conn: Connection, instance_id: int, task_name: str,
                 data: Mapping[str, Any]) -> Document | None:
    """Return the document the completion of *task_name* issues, or None when it issues none."""
    if task_name == "payment_notice":
        return content.payment_notice(conn, instance_id, data, ctx.today())
    if task_name in ("acceptance_bdc", "acceptance_hrss") and _stage(conn, instance_id) == PASSED_STAGE:
        return content.acceptance_report(conn, instance_id, data)
    if task_name == "plan_signoff" and data.get("plan_signoff_decision") == "approve":
        return content.fund_plan(conn, instance_id, ctx.today())
    return None


def on_task_completed(ctx: Services, conn: Connection, instance_id: int, task_name: str,
                      data: Mapping[str, Any], actor_id: int, at: datetime, task_id: str | None) -> None:
    """Issue the document this step produces, if any (called by the fund project's completion hook)."""
    doc = document_for(ctx, conn, instance_id, task_name, data)
    if doc is not None:
        issue(ctx, conn, instance_id, doc, actor_id=actor_id, task_id=task_id, at=at)


def issue_plan_document(ctx: Services, conn: Connection, plan_instance_id: int, actor_id: int | None,
                        at: datetime, task_id: str | None) -> dict[str, Any]:
    """Issue Attachment 1 of a per-bank plan the head just signed, archived on the plan's own instance."""
    doc = content.plan_table(conn, plan_instance_id, ctx.today())
    return issue(ctx, conn, plan_instance_id, doc, actor_id=actor_id, task_id=task_id, at=at)


def warm_up(ctx: Services) -> float:
    """Render and seal a sample of each official document, storing nothing; return the seconds it took.

    A server process calls it once before it takes requests: the first document a process produces
    otherwise pays for importing WeasyPrint and pyHanko and loading the CJK fonts (about 1 s of
    CPU, several seconds under load), inside a step's transaction and holding the process's GIL.
    """
    from documents import samples

    started = perf_counter()
    for doc in (samples.fund_plan(), samples.acceptance_report(), samples.payment_notice()):
        _pdf(ctx, doc, samples.meta_for(doc.kind), ctx.clock.now())
    return perf_counter() - started
