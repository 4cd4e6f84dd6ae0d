"""Deploy diagrams as model versions and serve them from a process-wide cache."""
from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, insert, select

from engine.errors import EngineError
from engine.expressions import check_expression
from engine.forms import expressions_of
from engine.model import LoadedModel, restore_model
from models.tables import process_model
from services import audit
from services.clock import to_db
from services.context import Services
from services.errors import NotFound, ValidationError
from services.forms import check_form_schema
from services.modeling.validation import ModelRejected, inspect_model
from services.form_sources import known_option, known_supplied
from services.forms import sources_of

_CACHE: dict[str, LoadedModel] = {}
_CACHE_LOCK = threading.Lock()


def read_forms(bpmn_path: Path) -> dict[str, bytes]:
    """Return every form file in the `forms/` folder beside a diagram."""
    folder = bpmn_path.parent / "forms"
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.json"))} if folder.is_dir() else {}


def _check_forms(model: LoadedModel) -> None:
    for name, schema in model.forms.items():
        check_form_schema(name, schema)
        options, supplied = sources_of(schema)
        unknown = sorted({n for n in options if not known_option(n)} | {n for n in supplied if not known_supplied(n)})
        if unknown:
            raise ValidationError(f"form {name}: the host cannot fill {', '.join(unknown)}")
        for pointer, expression in expressions_of(schema):
            try:
                check_expression(expression)
            except EngineError as exc:
                raise ValidationError(f"form {name} at {pointer}: {exc}") from exc


def _remember(model: LoadedModel) -> LoadedModel:
    with _CACHE_LOCK:
        return _CACHE.setdefault(model.content_hash, model)


def check_diagram(bpmn: bytes, forms: Mapping[str, bytes], filename: str) -> tuple[LoadedModel, bytes]:
    """Load and check a diagram without storing it; raise ModelRejected listing every problem."""
    report, loaded = inspect_model(bpmn, forms)
    if loaded is None:
        raise ModelRejected(filename, report)
    model, spec_json = loaded
    _check_forms(model)
    return model, spec_json


def _summary(row: Any) -> dict[str, Any]:
    return {"process_id": row.process_id, "version": row.version, "hash": row.content_hash}


def deploy(ctx: Services, bpmn: bytes, forms: Mapping[str, bytes], filename: str,
           actor_id: int | None = None) -> dict[str, Any]:
    """Store a checked diagram as the next version of its process (idempotent by content)."""
    model, spec_json = check_diagram(bpmn, forms, filename)
    with ctx.db.write() as conn:
        existing = conn.execute(
            select(process_model.c.process_id, process_model.c.version, process_model.c.content_hash)
            .where(process_model.c.content_hash == model.content_hash)
        ).first()
        if existing is not None:
            return {**_summary(existing), "created": False}
        version = conn.execute(
            select(func.coalesce(func.max(process_model.c.version), 0))
            .where(process_model.c.process_id == model.process_id)
        ).scalar_one() + 1
        conn.execute(insert(process_model).values(
            process_id=model.process_id, version=version, name=model.name,
            content_hash=model.content_hash, bpmn_xml=bpmn.decode("utf-8"),
            forms_json=json.dumps(model.forms, ensure_ascii=False), spec_json=spec_json.decode(),
            created_at=to_db(ctx.clock.now()), created_by=actor_id,
        ))
        if actor_id is not None:
            audit.record(conn, "model_deployed", ctx.clock.now(), actor_id=actor_id,
                         data={"process_id": model.process_id, "version": version, "hash": model.content_hash})
    _remember(model)
    return {"process_id": model.process_id, "version": version, "hash": model.content_hash, "created": True}


def model_by_id(ctx: Services, conn: Connection, model_id: int) -> LoadedModel:
    """Return the model version *model_id*, parsed once per process."""
    digest = ctx.model_hashes.get(model_id)
    if digest is None:
        digest = conn.execute(
            select(process_model.c.content_hash).where(process_model.c.id == model_id)
        ).scalar_one_or_none()
        if digest is None:
            raise NotFound(f"model version {model_id} does not exist")
        ctx.model_hashes[model_id] = digest
    return model_by_hash(conn, digest)


def cached_model(digest: str) -> LoadedModel:
    """Return an already loaded model version by content hash."""
    return _CACHE[digest]


def model_by_hash(conn: Connection, digest: str) -> LoadedModel:
    """Return the model version with content hash *digest*, from the cache when possible."""
    cached = _CACHE.get(digest)
    if cached is not None:
        return cached
    row = conn.execute(
        select(process_model.c.process_id, process_model.c.name, process_model.c.spec_json,
               process_model.c.forms_json).where(process_model.c.content_hash == digest)
    ).one()
    model = restore_model(row.process_id, row.name, digest, row.spec_json, json.loads(row.forms_json))
    return _remember(model)


def latest(conn: Connection, process_id: str) -> tuple[int, LoadedModel]:
    """Return (model id, model) of the newest version of *process_id*."""
    row = conn.execute(
        select(process_model.c.id, process_model.c.content_hash)
        .where(process_model.c.process_id == process_id)
        .order_by(process_model.c.version.desc()).limit(1)
    ).first()
    if row is None:
        raise NotFound(f"no process {process_id!r} is deployed")
    return row.id, model_by_hash(conn, row.content_hash)


def list_models(ctx: Services) -> list[dict[str, Any]]:
    """Return every deployed model version, newest first."""
    with ctx.db.read() as conn:
        rows = conn.execute(
            select(process_model.c.id, process_model.c.process_id, process_model.c.version,
                   process_model.c.name, process_model.c.content_hash, process_model.c.created_at)
            .order_by(process_model.c.process_id, process_model.c.version.desc())
        ).all()
    return [{**_summary(r), "id": r.id, "name": r.name, "created_at": r.created_at.isoformat()} for r in rows]
