"""Benchmarks against the targets of the performance brief; run ``python -m bench.run``."""
