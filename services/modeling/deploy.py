"""Validate and deploy diagrams as their owners hand them in: from the modeler, an upload or the API."""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from services import process_models
from services.context import Services
from services.errors import ValidationError
from services.modeling.access import require_owner, require_reader
from services.modeling.validation import Report, validate_model
from services.users import Actor

FORM_NAME_RE = re.compile(r"^[A-Za-z0-9_.-]{1,100}\.json$")
MAX_FORMS = 200


def form_files(parts: Mapping[str, bytes | str]) -> dict[str, bytes]:
    """Return the form files by name; names must be plain `*.json` file names."""
    if len(parts) > MAX_FORMS:
        raise ValidationError(f"at most {MAX_FORMS} form files may be sent")
    files = {}
    for name, data in parts.items():
        if not FORM_NAME_RE.match(name):
            raise ValidationError(f"a form file must be named like declare.json, not {name!r}")
        files[name] = data.encode("utf-8") if isinstance(data, str) else data
    return files


def diagram_bytes(data: bytes | str | None) -> bytes:
    """Return the diagram as bytes; a missing diagram is invalid input."""
    if not data:
        raise ValidationError("send the diagram (a .bpmn file)")
    return data.encode("utf-8") if isinstance(data, str) else data


def check_model(actor: Actor, bpmn: bytes, forms: Mapping[str, bytes]) -> Report:
    """Return the validation report of a diagram and its forms, as someone who may see models."""
    require_reader(actor)
    return validate_model(bpmn, forms)


def deploy_model(ctx: Services, actor: Actor, bpmn: bytes, forms: Mapping[str, bytes],
                 filename: str = "diagram.bpmn") -> dict[str, Any]:
    """Deploy a clean diagram as the next version of its process; refuse one with problems."""
    require_owner(actor)
    return process_models.deploy(ctx, bpmn, forms, filename, actor_id=actor.id)
