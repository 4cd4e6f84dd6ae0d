"""Entrypoints: the Flask application (pages and /api/v1) and the command line."""
