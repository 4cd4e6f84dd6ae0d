"""`yikatong user …`: list, add and change users from the command line, JSON out, exit codes."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from services.admin import list_users
from services.auth import SignInFailed, authenticate
from services.context import Services
from web.cli import main


class UserCli:
    """Runs `yikatong user` against the test's database."""

    def __init__(self, services: Services, folder: Path) -> None:
        self.env = {"YIKATONG_DATABASE_URL": services.db.url, "YIKATONG_INSTANCE_PATH": str(folder)}

    def run(self, *args: str, stdin: str | None = None) -> Result:
        return CliRunner().invoke(main, ["user", *args], env=self.env, input=stdin, catch_exceptions=False)

    def json(self, *args: str, stdin: str | None = None) -> Any:
        result = self.run(*args, stdin=stdin)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)


@pytest.fixture
def cli(services: Services, tmp_path: Path) -> UserCli:
    return UserCli(services, tmp_path)


def _signs_in(services: Services, username: str, password: str) -> bool:
    try:
        authenticate(services, username, password, "198.51.100.7")
    except SignInFailed:
        return False
    return True


def test_user_list_prints_every_user_as_json(cli: UserCli) -> None:
    users = {u["username"]: u for u in cli.json("list")}
    assert users["hrss_head"]["roles"] == ["hrss_head"] and users["icbc_user"]["organization"] == "bank-icbc"


def test_user_add_with_the_password_on_stdin(cli: UserCli, services: Services) -> None:
    created = cli.json("add", "boc_user", "--org", "bank-icbc", "--role", "bank", "--role", "supervisor",
                       "--name", "王五", "--password-stdin", stdin="s3cret-password\n")
    assert created["roles"] == ["bank", "supervisor"] and created["email"] is None
    assert _signs_in(services, "boc_user", "s3cret-password")


def test_user_add_and_set_an_e_mail_address(cli: UserCli) -> None:
    created = cli.json("add", "boc_user", "--org", "bank-icbc", "--role", "bank", "--password", "long-enough",
                       "--email", "wang@example.cn")
    assert created["email"] == "wang@example.cn"
    assert cli.json("set", "boc_user", "--email", "")["email"] is None


def test_user_set_changes_roles_organisation_activity_and_password(cli: UserCli, services: Services) -> None:
    changed = cli.json("set", "abc_user", "--org", "bank-trcb", "--role", "bank", "--password", "another-pass")
    assert changed["organization"] == "bank-trcb"
    assert _signs_in(services, "abc_user", "another-pass")
    cli.json("set", "abc_user", "--inactive")
    assert not _signs_in(services, "abc_user", "another-pass")
    assert next(u for u in list_users(services) if u["username"] == "abc_user")["roles"] == ["bank"]


@pytest.mark.parametrize(("args", "code", "message"), [
    (("add", "x_user", "--org", "nowhere", "--role", "bank", "--password", "long-enough"), 2,
     "unknown organisation"),
    (("add", "x_user", "--org", "hrss", "--role", "hrss", "--password", "short"), 2, "at least 8"),
    (("add", "x_user", "--org", "hrss", "--role", "hrss"), 2, "password is required"),
    (("add", "icbc_user", "--org", "hrss", "--role", "hrss", "--password", "long-enough"), 4, "already exists"),
    (("set", "nobody", "--inactive"), 2, "unknown user"),
    (("add", "x_user", "--org", "hrss", "--role", "hrss", "--password", "long-enough", "--email", "wang@"), 2,
     "e-mail address"),
    (("set", "abc_user", "--email", "wang at example.cn"), 2, "e-mail address"),
])
def test_user_commands_refuse_bad_input_with_an_exit_code(cli: UserCli, args: tuple[str, ...], code: int,
                                                          message: str) -> None:
    result = cli.run(*args)
    assert result.exit_code == code
    assert message in result.stderr
