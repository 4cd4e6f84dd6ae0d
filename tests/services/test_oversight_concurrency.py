"""Steps moving projects between the same running totals at once, in opposite directions: none deadlocks."""
from __future__ import annotations

import threading

from services.context import Services
from services.oversight.totals import misplaced, recomputed, stored
from services.tasks import complete_task
from tests import support
from tests.services import samples
from tests.services.journey import Journey

PAIRS = 4


def test_opposite_moves_between_two_totals_all_succeed(services: Services) -> None:
    samples.at(services, samples.SEEDED_AT)
    forward, back = [], []
    for index in range(2 * PAIRS):
        j = Journey(services)
        j.do("health_user", "declare", support.declare(j.sha))
        if index % 2:
            j.do("bdc_reviewer", "review", support.review("revise", sha=j.sha))
            forward.append((j, "health_user", j.task_id("declare"), support.declare(j.sha)))
        else:
            back.append((j, "bdc_reviewer", j.task_id("review"), support.review("revise", sha=j.sha)))
    barrier = threading.Barrier(2 * PAIRS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def move(j: Journey, username: str, task_id: str, data: dict) -> None:
        actor = j.actor(username)
        barrier.wait()
        try:
            complete_task(services, actor, task_id, data)
            result = "done"
        except Exception as exc:  # reported below, so that a deadlock fails the test
            result = f"{type(exc).__name__}: {exc}"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=move, args=work) for work in forward + back]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert outcomes == ["done"] * (2 * PAIRS)
    with services.db.read() as conn:
        assert stored(conn) == recomputed(conn) and misplaced(conn) == []
    assert sorted(j.show()["stage"] for j, *_ in forward + back) == ["declaration"] * PAIRS + ["review"] * PAIRS
