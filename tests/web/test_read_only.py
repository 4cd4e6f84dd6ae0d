"""The supervisor is read-only on every way in: pages (403), API (403), command line (exit 3)."""
from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import func, select

from models.tables import comment
from services.context import Services
from tests.services.journey import PDF, Journey
from tests.web.site import Site, text_of
from web.cli import main


def test_the_supervisor_may_not_comment_and_is_not_offered_the_form(site: Site, services: Services,
                                                                    journey: Journey) -> None:
    supervisor = site.user("supervisor")
    url = f"/projects/{journey.instance_id}"
    assert supervisor.get(url).status_code == 200
    assert 'name="body"' not in supervisor.get(url).get_data(as_text=True)
    refused = supervisor.post(f"{url}/comments", {"body": "看过了。"}, token_from=url)
    assert refused.status_code == 403
    with services.db.read() as conn:
        assert conn.execute(select(func.count()).select_from(comment)).scalar_one() == 0
    assert 'name="body"' in site.user("health_user").get(url).get_data(as_text=True)


def test_the_supervisor_may_not_declare_or_withdraw_on_the_pages(site: Site, journey: Journey) -> None:
    supervisor = site.user("supervisor")
    # The supervisor's home page is the dashboard (its sign-out form carries the CSRF token).
    assert supervisor.post("/projects/new", token_from="/dashboard/").status_code == 403
    url = f"/projects/{journey.instance_id}"
    assert supervisor.post(f"{url}/withdraw", {"reason": "x"}, token_from=url).status_code == 403
    assert "新申报项目" in text_of(supervisor.get(url))


def test_the_supervisor_may_not_write_on_the_command_line(services: Services, tmp_path: Path) -> None:
    env = {"YIKATONG_DATABASE_URL": services.db.url, "YIKATONG_INSTANCE_PATH": str(tmp_path)}
    pdf = tmp_path / "x.pdf"
    pdf.write_bytes(PDF)
    runner = CliRunner()
    for args in (["upload", str(pdf), "--as", "supervisor"], ["start", "fund_project", "--as", "supervisor"]):
        result = runner.invoke(main, args, env=env, catch_exceptions=False)
        assert result.exit_code == 3, result.output
    listed = runner.invoke(main, ["tasks", "--as", "supervisor"], env=env, catch_exceptions=False)
    assert listed.exit_code == 0 and json.loads(listed.stdout) == []
