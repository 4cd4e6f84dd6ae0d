"""`yikatong validate`, `yikatong migrate` and `yikatong deploy` for process owners on the command line."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from services.context import Services
from tests import diagrams, support
from tests.services.journey import Journey
from tests.web.test_cli_process import Cli


@pytest.fixture
def cli(services: Services, tmp_path: Path) -> Cli:
    return Cli(services, tmp_path)


def write(folder: Path, bpmn: bytes, forms: dict[str, bytes]) -> Path:
    (folder / "forms").mkdir(parents=True, exist_ok=True)
    for name, data in forms.items():
        (folder / "forms" / name).write_bytes(data)
    path = folder / "fund_project.bpmn"
    path.write_bytes(bpmn)
    return path


def test_validate_prints_a_clean_report_and_exits_0(cli: Cli) -> None:
    assert cli.json("validate", str(support.FUND_PROJECT)) == {"ok": True, "problems": []}


def test_validate_prints_every_problem_and_exits_2(cli: Cli, tmp_path: Path) -> None:
    bpmn, forms = diagrams.with_publication()
    del forms["plan_publish.json"]
    path = write(tmp_path / "revised", bpmn.replace(b'name="bank"', b'name="treasury"'), forms)
    result = cli.run("validate", str(path))
    assert result.exit_code == 2 and "2 problem(s)" in result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert [(p["rule"], p["element"]) for p in report["problems"]] == [("lane-role", "Lane_bank"),
                                                                      ("form-missing", "plan_publish")]
    assert all(isinstance(p["line"], int) and p["message"] for p in report["problems"])
    assert cli.run("validate", str(tmp_path / "none.bpmn")).exit_code == 2


def test_deploy_refuses_a_diagram_with_problems_printing_the_report(cli: Cli, tmp_path: Path) -> None:
    bpmn, forms = diagrams.with_publication()
    del forms["plan_publish.json"]
    result = cli.run("deploy", str(write(tmp_path / "revised", bpmn, forms)))
    assert result.exit_code == 2 and "plan_publish" in result.stderr
    assert json.loads(result.stdout)["problems"][0]["rule"] == "form-missing"


def test_migrate_moves_running_projects_printing_one_line_each(cli: Cli, services: Services, tmp_path: Path) -> None:
    first, second = Journey(services), Journey(services)
    first.do("health_user", "declare", support.declare(first.sha))
    bpmn, forms = diagrams.with_publication()
    assert cli.json("deploy", str(write(tmp_path / "revised", bpmn, forms)))["version"] == 2
    dry = cli.run("migrate", "fund_project", "--to", "2", "--dry-run", "--as", "supervisor")
    assert dry.exit_code == 0
    lines = [json.loads(line) for line in dry.stdout.splitlines()]
    assert lines == [{"instance_id": first.instance_id, "from": 1, "to": 2, "ok": True, "reason": None},
                     {"instance_id": second.instance_id, "from": 1, "to": 2, "ok": True, "reason": None}]
    assert first.show()["model_version"] == 1
    denied = cli.run("migrate", "fund_project", "--to", "2", "--as", "supervisor")
    assert denied.exit_code == 3
    moved = cli.run("migrate", "fund_project", "--to", "2", "--as", "process_owner")
    assert moved.exit_code == 0 and len(moved.stdout.splitlines()) == 2
    assert first.show()["model_version"] == 2 and second.show()["model_version"] == 2
    assert cli.run("migrate", "fund_project", "--to", "7", "--as", "process_owner").exit_code == 2
