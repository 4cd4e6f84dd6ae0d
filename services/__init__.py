"""Use cases: the only place that opens and commits transactions."""
