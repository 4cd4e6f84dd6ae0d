"""The browser modeler of a version: bpmn-js with its properties panel, the forms' JSON editors with a live
preview rendered by the task pages' own form macro, and validate / deploy as JSON for the page's script."""
from __future__ import annotations

from typing import Any

import orjson
from flask import Blueprint, Response, flash, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf
from werkzeug.exceptions import BadRequest

from services.errors import ValidationError
from services.modeling.access import LANE_ROLES, require_owner, require_reader
from services.modeling.catalog import form_text, model_source
from services.modeling.deploy import check_model, deploy_model, diagram_bytes, form_files
from services.modeling.preview import preview_form
from services.modeling.validation import ModelRejected
from web.app import SECURITY_HEADERS
from web.app import services as ctx
from web.pages import forms as form_fields
from web.pages import labels
from web.pages.auth import actor
from web.pages.models import deployed_message, report_json
from web.pages.schema import defaults

bp = Blueprint("modeler", __name__, url_prefix="/models")
# bpmn-js-properties-panel builds its two containers from HTML with these style attributes
# ("height: 100%" and "flex: none; height: auto"); CSP blocks style attributes unless their hashes
# are allowed. Only the modeler page allows exactly these two, nothing else inline.
PANEL_STYLE_HASHES = "'unsafe-hashes' 'sha256-nR5hyLltSjfvi2rqC26RbcredWrJvTaPA1yqPX96jpY=' " \
                     "'sha256-LIWyuNLBDBQuKJLr4mOx2cFEzHX9lM0BrbfcAAzCvSU='"
MODELER_CSP = SECURITY_HEADERS["Content-Security-Policy"].replace(
    "style-src 'self'", f"style-src 'self' {PANEL_STYLE_HASHES}")
NEW_FORM = {"type": "object", "title": "", "properties": {
    "remarks": {"type": "string", "title": "备注", "x-widget": "textarea"}}, "required": []}


def _labels() -> dict[str, str]:
    return {
        "role": _("Role of this lane"), "noRole": _("(no role)"), "roleGroup": _("Role"),
        "formGroup": _("Form and stage"), "form": _("Form file"), "formHint": _("e.g. declare.json"),
        "stage": _("Stage"), "stageHint": _("e.g. review"), "separateFrom": _("Not by the person who did"),
        "separateFromHint": _("Id of an earlier task"), "conditionGroup": _("Condition"),
        "condition": _("Condition expression"), "conditionHint": _('e.g. review_decision == "approve"'),
        "timerGroup": _("Timer"), "timerKind": _("Kind"), "timeDate": _("At a date and time"),
        "timeDuration": _("After a duration"), "timerExpression": _("Timer expression"),
        "timerHint": _('e.g. payment_due["timer"] or "PT1H"'),
        "clean": _("No problems: the diagram can be deployed."), "problems": _("Problems found"),
        "element": _("Element"), "line": _("Line"), "rule": _("Rule"), "message": _("Problem"),
        "badJson": _("Not valid JSON"), "badFormName": _("Name the form like plan_publish.json (not taken yet)."),
    }


@bp.get("/<process_id>/<int:version>/edit")
def edit(process_id: str, version: int) -> Response:
    """Open a version's diagram and forms in the modeler."""
    require_owner(actor())
    found = model_source(ctx(), actor(), process_id, version)
    config = {
        "source": url_for("models.source", process_id=process_id, version=version),
        "validate": url_for("modeler.validate"), "deploy": url_for("modeler.deploy"),
        "preview": url_for("modeler.preview"), "filename": f"{process_id}.bpmn",
        "roles": [[role, str(labels.role(role))] for role in LANE_ROLES], "labels": _labels(),
        "newFormJson": form_text(NEW_FORM), "csrf": generate_csrf(),
    }
    forms = [(name, form_text(schema)) for name, schema in sorted(found["forms"].items())]
    page = render_template("models/edit.html", process_id=process_id, version=version, forms=forms,
                           config=orjson.dumps(config).decode())
    return Response(page, mimetype="text/html", headers={"Content-Security-Policy": MODELER_CSP})


def _body() -> dict[str, Any]:
    try:
        body = orjson.loads(request.get_data(cache=True))
    except orjson.JSONDecodeError as exc:
        raise BadRequest("the body is not JSON") from exc
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object")
    return body


def _diagram(body: dict[str, Any]) -> tuple[bytes, dict[str, bytes]]:
    forms = body.get("forms") or {}
    if not isinstance(forms, dict) or not all(isinstance(v, str) for v in forms.values()):
        raise ValidationError("forms must map file names to JSON texts")
    text = body.get("bpmn")
    return diagram_bytes(text if isinstance(text, str) else None), form_files(forms)


@bp.post("/validate.json")
def validate() -> tuple[Response, int]:
    """Answer the validation report of the diagram and forms being edited."""
    bpmn, forms = _diagram(_body())
    return report_json(check_model(actor(), bpmn, forms))


@bp.post("/deploy.json")
def deploy() -> tuple[Response, int]:
    """Deploy the diagram and forms being edited; 422 with the report when they have problems."""
    body = _body()
    bpmn, forms = _diagram(body)
    filename = str(body.get("filename") or "diagram.bpmn")[:100]
    try:
        deployed = deploy_model(ctx(), actor(), bpmn, forms, filename)
    except ModelRejected as exc:
        return report_json(exc.report, 422)
    url = url_for("models.show", process_id=deployed["process_id"], version=deployed["version"])
    flash(deployed_message(deployed), "success")
    return jsonify({**deployed, "url": url}), 201


@bp.post("/form-preview")
def preview() -> str:
    """Answer the HTML of a form as role users will see it (the task pages' own form macro)."""
    body = _body()
    schema, problems = preview_form(ctx(), actor(), str(body.get("name") or _("Form")), body.get("schema"))
    fields = form_fields.build(schema, defaults(schema), {}, {})[0] if schema is not None else []
    return render_template("models/_form_preview.html", fields=fields, schema=schema or {}, problems=problems)


@bp.before_request
def readers_only() -> None:
    """Refuse role users before any modeler address runs."""
    user = actor()
    if user is not None:
        require_reader(user)
