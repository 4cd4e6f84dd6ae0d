"""The demo's sample projects, seeded at a moment after every date they carry, for the oversight tests."""
from __future__ import annotations

from datetime import datetime, timezone

from services.clock import FixedClock
from services.context import Services
from services import files
from services.demo_projects import seed_sample_projects
from tests.services.journey import PDF, Journey

# 10:00 in China on 2026-10-01: after every date in the samples, before project #4's payment is due.
SEEDED_AT = datetime(2026, 10, 1, 2, 0, tzinfo=timezone.utc)
# The sample projects in the order the demo creates them, named by where they stand.
NAMES = ("review", "plan", "contract", "payment", "second_payment")
PAYMENT_DUE = "2026-11-02T16:00:00+00:00"  # #4's notice arrived 2026-09-15: 30 working days later, China midnight


def at(services: Services, moment: datetime) -> None:
    """Move the test's clock to *moment*."""
    services.clock = FixedClock(moment)


def seed(services: Services) -> dict[str, int]:
    """Create the five sample projects; return their instance ids by name."""
    at(services, SEEDED_AT)
    return dict(zip(NAMES, seed_sample_projects(services)))


class Existing(Journey):
    """A sample project driven further by the demo users (files uploaded by the bureau's clerk)."""

    def __init__(self, ctx: Services, instance_id: int) -> None:
        self.ctx = ctx
        self.instance_id = instance_id
        self.sha = files.store_file(ctx, self.actor("hrss_clerk"), "付款发票.pdf", PDF)["sha256"]
