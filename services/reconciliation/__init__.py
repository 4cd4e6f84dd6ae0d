"""Reconciliation with each cooperating bank (§10): card counts and the amounts paid, per period."""
