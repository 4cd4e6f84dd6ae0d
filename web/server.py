"""Serve the application with waitress, a production WSGI server."""
from __future__ import annotations

from waitress import serve

from web.app import create_app


def run(host: str, port: int) -> None:
    """Serve the application on *host*:*port* until interrupted."""
    serve(create_app(), host=host, port=port, threads=8)
