"""Fund use plans per bank (§7, Attachment 1): each plan is its own `fund_plan` process instance."""
