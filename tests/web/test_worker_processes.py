"""Two `yikatong worker --once` processes on PostgreSQL share several hundred due timers: each fires once.

The instances' deadlines lie in the past of the real clock the commands run on (the test data is
from September to November 2026), so every one of them is due for both workers at once.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from models.tables import audit_event, notification, process_instance, reconciliation, timer_worker, user_role
from services.context import Services
from tests.conftest import PG_URL
from tests.services.clones import clone_instance
from tests.services.journey import Journey

INSTANCES = 300
YIKATONG = Path(sys.executable).with_name("yikatong")


def _start_worker(services: Services, folder: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("YIKATONG_")}
    env.update(YIKATONG_DATABASE_URL=services.db.url, YIKATONG_INSTANCE_PATH=str(folder))
    return subprocess.Popen([str(YIKATONG), "worker", "--once"], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.mark.parametrize("backend", ["postgresql"] if PG_URL else [])
def test_two_worker_processes_fire_every_due_timer_exactly_once(services: Services, tmp_path: Path) -> None:
    j = Journey(services).to_payment().notice_received("1000000.00", on="2026-09-15")
    ids = {j.instance_id, *clone_instance(services, j.instance_id, INSTANCES - 1)}
    with services.db.read() as conn:
        versions = dict(conn.execute(select(process_instance.c.id, process_instance.c.version)).all())
    workers = [_start_worker(services, tmp_path / name) for name in ("a", "b")]
    outputs = [w.communicate(timeout=120) for w in workers]
    assert [w.returncode for w in workers] == [0, 0], [err[-2000:] for _out, err in outputs]
    passes = [json.loads(out) for out, _err in outputs]
    assert [p["failed"] for p in passes] == [[], []]
    fired_by = [[item["instance_id"] for item in p["fired"]] for p in passes]
    assert all(fired_by), f"both workers took a share: {[len(f) for f in fired_by]}"
    assert sorted(fired_by[0] + fired_by[1]) == sorted(ids), "every instance once, by one worker, none missed"

    with services.db.read() as conn:
        fired = Counter(conn.execute(select(audit_event.c.instance_id, audit_event.c.data)
                                     .where(audit_event.c.event == "timer_fired")).all())
        after = dict(conn.execute(select(process_instance.c.id, process_instance.c.version)).all())
        due = set(conn.execute(select(process_instance.c.next_timer_due)
                               .where(process_instance.c.id.in_(ids))).scalars())
        reconciliations = conn.execute(select(func.count()).select_from(reconciliation)).scalar()
        overdue = Counter(conn.execute(select(notification.c.instance_id)
                                       .where(notification.c.kind == "payment_overdue")).scalars())
        bureau = conn.execute(select(func.count()).select_from(user_role).where(user_role.c.role == "hrss")).scalar()
        beats = conn.execute(select(timer_worker.c.runs, timer_worker.c.fired, timer_worker.c.failed)).all()
    assert set(fired.values()) == {1}, "no timer fired twice"
    assert {i for i, _data in fired} == ids and len(fired) == 2 * INSTANCES, "reminder and deadline of each"
    assert all(after[i] == versions[i] + 1 for i in ids), "each instance advanced by exactly one transaction"
    assert len(due) == 1 and None not in due, "every instance now waits for the same first escalation"
    assert set(overdue) == ids and set(overdue.values()) == {bureau}, "one overdue notice per bureau user"
    assert sorted(beats) == sorted((1, len(f), 0) for f in fired_by)
    assert reconciliations in (0, 3), "the last quarter's reconciliations, if due by the real clock, " \
        "once per bank although both workers tried"
