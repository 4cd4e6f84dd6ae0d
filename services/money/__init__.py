"""The money side of the Measures: allocation among banks by card counts (§3)."""
