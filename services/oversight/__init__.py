"""Oversight: the dashboard over all projects, the audit page and the administrators' actions."""
