"""Process models for process owners (supervisors and administrators may read): list, versions, diagram,
downloads, and the upload of a diagram made elsewhere, with its validation report."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage

from services.errors import ValidationError
from services.modeling.access import LANE_ROLES, may_manage_models, require_owner, require_reader
from services.modeling.catalog import form_text, list_processes, model_source, process_versions
from services.modeling.deploy import check_model, deploy_model, diagram_bytes, form_files
from services.modeling.validation import ModelRejected, Report
from services.users import Actor
from web.app import services as ctx
from web.pages.auth import actor
from web.pages.messages import translate

bp = Blueprint("models", __name__, url_prefix="/models")


def home_for(user: Actor) -> str | None:
    """Return the home page of a user whose only work is process models, else None."""
    return url_for("models.index") if user.roles == {"process_owner"} else None


@bp.get("/")
def index() -> str:
    """List every deployed process with its newest version."""
    return render_template("models/list.html", processes=list_processes(ctx(), actor()),
                           may_manage=may_manage_models(actor()))


@bp.get("/<process_id>")
def show(process_id: str) -> str:
    """Show a process: its versions, the diagram of one of them, downloads."""
    info = process_versions(ctx(), actor(), process_id)
    wanted = request.args.get("version", "")
    numbers = [v["version"] for v in info["versions"]]
    version = int(wanted) if wanted.isdigit() and int(wanted) in numbers else info["latest_version"]
    source = model_source(ctx(), actor(), process_id, version)
    return render_template("models/detail.html", info=info, version=version, forms=sorted(source["forms"]),
                           may_manage=may_manage_models(actor()))


@bp.get("/<process_id>/<int:version>/source.json")
def source(process_id: str, version: int) -> Response:
    """Answer the diagram and forms of a version (read by the diagram widgets)."""
    found = model_source(ctx(), actor(), process_id, version)
    return jsonify(process_id=process_id, version=version, bpmn=found["bpmn"], forms=found["forms"])


def _download(body: str, filename: str, mimetype: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/<process_id>/<int:version>/diagram.bpmn")
def download_diagram(process_id: str, version: int) -> Response:
    """Download the .bpmn file of a version."""
    found = model_source(ctx(), actor(), process_id, version)
    return _download(found["bpmn"], f"{process_id}-v{version}.bpmn", "application/xml")


@bp.get("/<process_id>/<int:version>/forms/<name>")
def download_form(process_id: str, version: int, name: str) -> Response:
    """Download one form schema of a version."""
    found = model_source(ctx(), actor(), process_id, version)
    if name not in found["forms"]:
        return Response(status=404)
    return _download(form_text(found["forms"][name]), name, "application/json")


def _uploaded() -> tuple[bytes, dict[str, bytes], str]:
    part: FileStorage | None = request.files.get("bpmn")
    if part is None or not part.filename:
        raise ValidationError(_("Choose a .bpmn file."))
    forms = {(p.filename or "").rsplit("/", 1)[-1]: p.read()
             for p in request.files.getlist("forms") if p.filename}
    return diagram_bytes(part.read()), form_files(forms), part.filename


@bp.route("/upload", methods=["GET", "POST"])
def upload() -> Response | str | tuple[str, int]:
    """Upload a diagram and its forms made elsewhere: check it, or deploy it when it is clean."""
    require_owner(actor())
    if request.method == "GET":
        return render_template("models/upload.html", report=None, roles=LANE_ROLES)
    try:
        bpmn, forms, name = _uploaded()
        if request.form.get("action") != "deploy":
            report = check_model(actor(), bpmn, forms)
            return render_template("models/upload.html", report=report, filename=name, roles=LANE_ROLES)
        deployed = deploy_model(ctx(), actor(), bpmn, forms, name)
    except ModelRejected as exc:
        return render_template("models/upload.html", report=exc.report, filename=name, roles=LANE_ROLES), 422
    except ValidationError as exc:
        return render_template("models/upload.html", report=None, error=translate(exc.message),
                               roles=LANE_ROLES), 422
    flash(deployed_message(deployed), "success")
    return redirect(url_for("models.show", process_id=deployed["process_id"]))


def deployed_message(deployed: dict[str, Any]) -> str:
    """Return the confirmation of a deploy."""
    if deployed["created"]:
        return _("Version %(version)d of %(process)s was deployed.", version=deployed["version"],
                 process=deployed["process_id"])
    return _("This diagram is already version %(version)d of %(process)s.", version=deployed["version"],
             process=deployed["process_id"])


def report_json(report: Report, status: int = 200) -> tuple[Response, int]:
    """Answer a validation report as JSON."""
    return jsonify(report.as_dict()), status


@bp.before_request
def readers_only() -> None:
    """Refuse role users before any model page runs."""
    user = actor()
    if user is not None:
        require_reader(user)
