"""Per-bank fund use plans (§7, §9, Attachment 1)."""
