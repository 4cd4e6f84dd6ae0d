"""Summaries of timing samples (nanoseconds in, milliseconds out)."""
from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any


def percentile(samples: Sequence[int], fraction: float) -> float:
    """Return the *fraction* percentile of *samples* by linear interpolation."""
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summary(samples_ns: Sequence[int]) -> dict[str, Any]:
    """Return count, median, p90, mean and min of *samples_ns*, in milliseconds."""
    if not samples_ns:
        return {"n": 0, "median_ms": None, "p90_ms": None, "mean_ms": None, "min_ms": None}
    return {
        "n": len(samples_ns),
        "median_ms": statistics.median(samples_ns) / 1e6,
        "p90_ms": percentile(samples_ns, 0.9) / 1e6,
        "mean_ms": statistics.fmean(samples_ns) / 1e6,
        "min_ms": min(samples_ns) / 1e6,
    }


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """Return numerator / denominator, or None when either is missing."""
    if numerator is None or not denominator:
        return None
    return numerator / denominator
