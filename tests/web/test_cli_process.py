"""The yikatong command line drives a project with JSON in and out and meaningful exit codes."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from services.context import Services
from tests import support
from web.cli import main


class Cli:
    """Runs yikatong commands against the test's database."""

    def __init__(self, services: Services, folder: Path) -> None:
        self.env = {"YIKATONG_DATABASE_URL": services.db.url, "YIKATONG_INSTANCE_PATH": str(folder)}
        self.runner = CliRunner()

    def run(self, *args: str) -> Result:
        return self.runner.invoke(main, list(args), env=self.env, catch_exceptions=False)

    def json(self, *args: str) -> Any:
        result = self.run(*args)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)


@pytest.fixture
def cli(services: Services, tmp_path: Path) -> Cli:
    return Cli(services, tmp_path)


def upload(cli: Cli, tmp_path: Path) -> str:
    pdf = tmp_path / "报告.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%%EOF\n")
    return cli.json("upload", str(pdf), "--as", "health_user")["sha256"]


def test_a_declaration_goes_from_start_to_review_on_the_command_line(cli: Cli, tmp_path: Path) -> None:
    sha = upload(cli, tmp_path)
    started = cli.json("start", "fund_project", "--as", "health_user",
                       "--data", json.dumps(support.declare(sha), ensure_ascii=False))
    assert started["stage"] == "review"
    tasks = cli.json("tasks", "--as", "bdc_reviewer")
    assert [(t["name"], t["instance_id"]) for t in tasks] == [("review", started["instance_id"])]
    assert tasks[0]["form"]["properties"]["approved_budget"]["default"] == "1200000.00"
    assert tasks[0]["returned"] is None
    cli.json("complete", tasks[0]["id"], "--as", "bdc_reviewer", "--data", json.dumps(support.review(sha=sha)))
    shown = cli.json("show", str(started["instance_id"]))
    assert (shown["stage"], [t["name"] for t in shown["open_tasks"]]) == ("plan", ["assign_bank"])
    assert [e["event"] for e in shown["history"]].count("task_completed") == 2


@pytest.mark.parametrize(("args", "code", "message"), [
    (("complete", "TASK", "--as", "bdc_reviewer", "--data", "{not json"), 2, "not valid JSON"),
    (("complete", "TASK", "--as", "nobody", "--data", "{}"), 2, "unknown user"),
    (("complete", "no-such-task", "--as", "bdc_reviewer", "--data", "{}"), 2, "does not exist"),
    (("complete", "TASK", "--as", "hrss_clerk", "--data", "{}"), 3, "role 'bdc'"),
    (("complete", "TASK", "--as", "bdc_reviewer", "--data", '{"review_decision": "approve"}'), 2, "required"),
    (("show", "999", "--as", "icbc_user"), 2, "does not exist"),
    (("start", "nothing", "--as", "health_user"), 2, "no process"),
])
def test_bad_input_gives_one_line_and_an_exit_code(cli: Cli, tmp_path: Path, args: tuple[str, ...],
                                                    code: int, message: str) -> None:
    sha = upload(cli, tmp_path)
    cli.json("start", "fund_project", "--as", "health_user", "--data", json.dumps(support.declare(sha)))
    task_id = cli.json("tasks", "--as", "bdc_reviewer")[0]["id"]
    result = cli.run(*[task_id if a == "TASK" else a for a in args])
    assert result.exit_code == code
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""
    assert cli.json("tasks", "--as", "bdc_reviewer")[0]["id"] == task_id


def test_completing_twice_is_a_conflict(cli: Cli, tmp_path: Path) -> None:
    sha = upload(cli, tmp_path)
    cli.json("start", "fund_project", "--as", "health_user", "--data", json.dumps(support.declare(sha)))
    task_id = cli.json("tasks", "--as", "bdc_reviewer")[0]["id"]
    review = json.dumps(support.review("reject"))
    assert cli.run("complete", task_id, "--as", "bdc_reviewer", "--data", review).exit_code == 0
    assert cli.run("complete", task_id, "--as", "bdc_reviewer", "--data", review).exit_code == 4


def test_deploy_refuses_an_unsafe_diagram_and_accepts_the_shipped_one(cli: Cli, tmp_path: Path) -> None:
    shipped = cli.json("deploy", str(support.FUND_PROJECT))
    assert (shipped["process_id"], shipped["version"]) == ("fund_project", 1)
    bad = tmp_path / "bad.bpmn"
    (tmp_path / "forms").mkdir()
    for name, data in support.read_forms().items():
        (tmp_path / "forms" / name).write_bytes(data)
    bad.write_bytes(support.FUND_PROJECT.read_bytes().replace(
        b'value="paid_total = money(0)"', b'value="paid_total = open(0)"').replace(
        b">paid_total = money(0)<", b">paid_total = open(0)<"))
    result = cli.run("deploy", str(bad))
    assert result.exit_code == 2 and "payment_init" in result.stderr


def test_demo_is_idempotent_and_lists_users(cli: Cli) -> None:
    first, second = cli.json("demo"), cli.json("demo")
    assert first == second
    assert {"username": "icbc_user", "roles": ["bank"], "organization": "bank-icbc"} in first
    assert {r for u in first for r in u["roles"]} >= {"department", "bdc", "hrss", "hrss_head", "bank", "supervisor"}


def test_timers_run_due_reports_nothing_when_nothing_is_due(cli: Cli) -> None:
    assert cli.json("timers", "run-due") == []
