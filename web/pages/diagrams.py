"""A project's diagram as JSON for the diagram widget of the project page (same service as the API)."""
from __future__ import annotations

from flask import Blueprint, Response, jsonify

from services.modeling.diagram import project_diagram
from web.app import services as ctx
from web.pages.auth import actor

bp = Blueprint("diagrams", __name__)


@bp.get("/projects/<int:instance_id>/diagram.json")
def project(instance_id: int) -> Response:
    """Answer a project's diagram with its state, path and who completed what when."""
    return jsonify(project_diagram(ctx(), actor(), instance_id))
