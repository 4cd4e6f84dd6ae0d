"""What a declaration refers to: the list of card functions (§5) and the declaration rounds (§3)."""
