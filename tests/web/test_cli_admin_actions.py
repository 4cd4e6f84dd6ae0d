"""`yikatong suspend|resume|terminate|reassign`: JSON out, one-line errors, exit codes 2, 3 and 4."""
from __future__ import annotations

from pathlib import Path

import pytest

from services.context import Services
from tests.services import samples
from tests.web.test_cli_process import Cli


@pytest.fixture
def cli(services: Services, tmp_path: Path) -> Cli:
    return Cli(services, tmp_path)


def test_an_administrator_acts_on_the_command_line(cli: Cli, services: Services) -> None:
    ids = samples.seed(services)
    instance = str(ids["payment"])
    assert cli.json("suspend", instance, "--reason", "核查", "--as", "admin")["status"] == "suspended"
    assert cli.json("resume", instance, "--reason", "完毕", "--as", "admin")["status"] == "running"
    task = cli.json("show", instance)["open_tasks"][0]["id"]
    done = cli.json("reassign", task, "--to", "icbc_user", "--reason", "专人办理", "--as", "admin")
    assert (done["task_id"], done["assignee"]) == (task, "icbc_user")
    assert cli.json("terminate", instance, "--reason", "合同解除", "--as", "admin")["status"] == "terminated"
    events = [e["event"] for e in cli.json("show", instance)["history"]]
    assert events[-4:] == ["instance_suspended", "instance_resumed", "task_reassigned", "instance_terminated"]


@pytest.mark.parametrize(("args", "code", "message"), [
    (("suspend", "PAY", "--reason", " ", "--as", "admin"), 2, "Give a reason"),
    (("suspend", "999", "--reason", "x", "--as", "admin"), 2, "does not exist"),
    (("suspend", "PAY", "--reason", "x", "--as", "nobody"), 2, "unknown user"),
    (("suspend", "PAY", "--reason", "x", "--as", "supervisor"), 3, "only an administrator"),
    (("terminate", "PAY", "--reason", "x", "--as", "hrss_head"), 3, "only an administrator"),
    (("resume", "PAY", "--reason", "x", "--as", "admin"), 4, "only a suspended project"),
    (("reassign", "TASK", "--to", "abc_user", "--reason", "x", "--as", "admin"), 2, "does not hold the role"),
    (("reassign", "TASK", "--to", "icbc_user", "--reason", "x", "--as", "icbc_user"), 3, "only an administrator"),
])
def test_refusals_give_one_line_and_an_exit_code(cli: Cli, services: Services, args: tuple[str, ...], code: int,
                                                 message: str) -> None:
    ids = samples.seed(services)
    task = cli.json("show", str(ids["payment"]))["open_tasks"][0]["id"]
    result = cli.run(*[str(ids["payment"]) if a == "PAY" else task if a == "TASK" else a for a in args])
    assert result.exit_code == code
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""
    assert cli.json("show", str(ids["payment"]))["status"] == "running"
