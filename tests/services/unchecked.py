"""Store a model version that never went through today's deploy checks (as an older release could have)."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, insert, select

from models.tables import process_model
from services.context import Services

Forms = dict[str, dict[str, Any]]


def store_unchecked(ctx: Services, *, forms: Callable[[Forms], None] | None = None,
                    spec: Callable[[str], str] | None = None, process_id: str = "fund_project") -> int:
    """Copy the newest version of *process_id* as the next one, its forms and spec changed in place."""
    with ctx.db.write() as conn:
        row = conn.execute(select(process_model).where(process_model.c.process_id == process_id)
                           .order_by(process_model.c.version.desc()).limit(1)).one()
        stored_forms = json.loads(row.forms_json)
        if forms:
            forms(stored_forms)
        spec_json = spec(row.spec_json) if spec else row.spec_json
        forms_json = json.dumps(stored_forms, ensure_ascii=False)
        digest = hashlib.sha256((spec_json + forms_json).encode()).hexdigest()
        version = conn.execute(select(func.max(process_model.c.version))
                               .where(process_model.c.process_id == process_id)).scalar_one() + 1
        values = {**row._mapping, "version": version, "content_hash": digest, "forms_json": forms_json,
                  "spec_json": spec_json}
        values.pop("id")
        return conn.execute(insert(process_model).values(**values)).inserted_primary_key[0]
