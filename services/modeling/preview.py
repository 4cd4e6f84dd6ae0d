"""A form as role users will see it, for the process owner's live preview while editing its schema."""
from __future__ import annotations

from typing import Any

from engine.forms import apply_patch, form_patch
from engine.validation import Problem
from services import forms
from services.context import Services
from services.modeling.access import require_reader
from services.modeling.validation import schema_problems
from services.users import Actor, bank_options


def preview_form(ctx: Services, actor: Actor, name: str, schema: Any) -> tuple[dict[str, Any] | None, list[Problem]]:
    """Return the schema filled in as a new task would show it (None if it cannot be shown), and its problems."""
    require_reader(actor)
    problems = schema_problems(name, schema)
    if not isinstance(schema, dict) or not isinstance(schema.get("properties"), dict):
        return None, problems
    shown = apply_patch(schema, form_patch(schema, {}, ctx.script_engine.environment.evaluator))
    with ctx.db.read() as conn:
        shown = forms.with_options(shown, {"banks": bank_options(conn)})
    return shown, problems
