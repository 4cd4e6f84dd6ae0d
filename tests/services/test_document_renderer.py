"""The servers' document renderer: a child process of lower priority that issues the same documents.

These run the real child (a spawned Python process rendering with WeasyPrint and sealing with
pyHanko): it is what the production and embedded servers use for every official document.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from documents import samples
from documents.signing import KEY_ENV
from models.tables import human_task, issued_document
from services.context import Services
from services.errors import ProcessFailed
from services.official import archive, keys, verification
from services.official.rendering import ChildRenderer, Job, renderer_of, use_child_renderer
from services.users import load_actor
from tests.services.journey import Journey

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def child(services: Services, monkeypatch: pytest.MonkeyPatch) -> Iterator[ChildRenderer]:
    """Services sealing with the demo CA, whose documents are rendered by a child process."""
    monkeypatch.delenv(KEY_ENV, raising=False)
    keys.ensure_demo_ca(services)
    renderer = use_child_renderer(services, {})
    assert renderer is not None
    yield renderer
    renderer.close()


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def _wait_gone(pid: int, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.1)
    return False


def _issued(ctx: Services) -> int:
    with ctx.db.read() as conn:
        return conn.execute(select(func.count()).select_from(issued_document)).scalar_one()


def _verified_kinds(ctx: Services, journey: Journey) -> list[tuple[str, bool]]:
    actor = load_actor(ctx, "hrss_clerk")
    found = []
    for doc in archive.list_documents(ctx, actor, journey.instance_id):
        pdf = Path(archive.open_document(ctx, actor, journey.instance_id, doc["id"])["path"]).read_bytes()
        answer = verification.verify_upload(ctx, pdf)
        found.append((doc["kind"], answer["valid"] and answer["document_id"] == doc["id"]))
    return found


def test_the_child_issues_sealed_documents_that_verify_at_a_lower_priority(services: Services,
                                                                           child: ChildRenderer) -> None:
    assert renderer_of(services) is child
    journey = Journey(services).to_payment().notice_received("400000.00")
    assert ("payment_notice", True) in _verified_kinds(services, journey)
    pid = child.pid()
    assert pid != os.getpid()
    assert os.getpriority(os.PRIO_PROCESS, pid) > os.getpriority(os.PRIO_PROCESS, 0)


def test_a_killed_child_is_replaced_and_the_next_step_still_issues_its_document(services: Services,
                                                                                child: ChildRenderer) -> None:
    journey = Journey(services).to_payment()
    first = child.pid()
    os.kill(first, signal.SIGKILL)
    assert _wait_gone(first)
    journey.notice_received("400000.00")
    assert ("payment_notice", True) in _verified_kinds(services, journey)
    assert child.pid() != first


def test_a_document_the_child_cannot_seal_refuses_the_step_and_writes_nothing(
        services: Services, child: ChildRenderer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    journey = Journey(services).to_payment()
    child.close()
    monkeypatch.setenv(KEY_ENV, str(tmp_path / "missing-key.pem"))  # the next child starts with a broken key
    monkeypatch.setenv("YIKATONG_SIGNING_CERT", str(tmp_path / "missing-cert.pem"))
    issued, ready = _issued(services), journey.open_names()
    with pytest.raises(ProcessFailed, match="付款通知书 could not be produced.*misconfigured"):
        journey.notice_received("400000.00")
    assert (_issued(services), journey.open_names()) == (issued, ready)
    with services.db.read() as conn:
        assert conn.execute(select(func.count()).select_from(human_task).where(
            human_task.c.instance_id == journey.instance_id, human_task.c.status == "completed",
            human_task.c.task_name == "payment_notice")).scalar_one() == 0


def test_a_job_past_its_time_fails_and_its_child_is_killed(tmp_path: Path) -> None:
    renderer = ChildRenderer(tmp_path)
    try:
        first = renderer.pid()
        renderer.timeout = 0.05
        with pytest.raises(RuntimeError, match="took longer than 0.05 s"):
            renderer.produce(Job(samples.fund_plan(40), samples.meta_for("fund_plan"), _now(), "http://x/verify"))
        assert _wait_gone(first, 0.5), "the hung child was left running"
        renderer.timeout = 120.0
        pdf, signed = renderer.produce(Job(samples.payment_notice(), samples.meta_for("payment_notice"), _now(),
                                           "http://x/verify"))
        assert pdf.startswith(b"%PDF") and signed is False  # no key in an empty folder: issued unsealed
        assert renderer.pid() != first
    finally:
        renderer.close()


def test_the_child_ends_when_its_server_process_is_killed(tmp_path: Path) -> None:
    script = ("import sys, time; from pathlib import Path;"
              "from services.official.rendering import ChildRenderer;"
              f"r = ChildRenderer(Path({str(tmp_path)!r})); print(r.pid(), flush=True); time.sleep(60)")
    server = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        pid = int(server.stdout.readline())  # type: ignore[union-attr]
        assert _alive(pid)
        server.kill()
        server.wait()
        assert _wait_gone(pid), "the renderer outlived its server process"
    finally:
        server.kill()


def test_the_choice_of_renderer_is_read_from_the_environment(services: Services) -> None:
    assert use_child_renderer(services, {"YIKATONG_DOCUMENT_RENDERER": "inline"}) is None
    assert not isinstance(renderer_of(services), ChildRenderer)
    with pytest.raises(ValueError, match="must be 'child' or 'inline', not 'forked'"):
        use_child_renderer(services, {"YIKATONG_DOCUMENT_RENDERER": "forked"})


def _now():  # type: ignore[no-untyped-def]
    from datetime import datetime, timezone

    return datetime(2026, 9, 15, 8, tzinfo=timezone.utc)
