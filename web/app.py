"""The Flask application factory."""
from __future__ import annotations

from typing import Any

from flask import Flask, jsonify

from services.bootstrap import build_services
from services.context import Services


def create_app(test_config: dict[str, Any] | None = None, services: Services | None = None) -> Flask:
    """Create the web application around *services* (built from the environment by default)."""
    app = Flask(__name__)
    app.config.from_mapping(test_config or {})
    app.extensions["yikatong"] = services or build_services()

    @app.get("/health")
    def health() -> Any:
        return jsonify(status="ok")

    @app.get("/")
    def index() -> Any:
        return "<!doctype html><meta charset=utf-8><title>一卡通</title><h1>太仓市社会保障卡“一卡通”合作金融资金</h1>"

    return app
