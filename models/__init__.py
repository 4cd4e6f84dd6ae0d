"""Database tables, the money type, connections and migrations (SQLAlchemy only)."""
