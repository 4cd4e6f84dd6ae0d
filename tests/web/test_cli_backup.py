"""`yikatong backup` and `restore`: JSON on success, one line and the convention's exit code otherwise."""
from __future__ import annotations

import json
from pathlib import Path

from services.context import Services
from tests.web.test_cli_errors import one_line, run


def test_backup_and_restore_from_the_command_line(services: Services, tmp_path: Path) -> None:
    env = {"YIKATONG_DATABASE_URL": services.db.url, "YIKATONG_INSTANCE_PATH": str(tmp_path)}
    path = tmp_path / "nightly.backup"
    done = run(env, "backup", str(path))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["path"] == str(path)
    again = run(env, "backup", str(path))
    assert again.returncode == 4 and "exists" in one_line(again)
    refused = run(env, "restore", str(path))
    assert refused.returncode == 4 and "pass --force" in one_line(refused)
    forced = run(env, "restore", str(path), "--force")
    assert forced.returncode == 0, forced.stderr
    assert json.loads(forced.stdout)["replaced"] is True
    junk = tmp_path / "junk"
    junk.write_text("hello")
    invalid = run(env, "restore", str(junk), "--force")
    assert invalid.returncode == 2 and "neither a SQLite database nor a pg_dump archive" in one_line(invalid)


def test_a_missing_folder_is_invalid_input(services: Services, tmp_path: Path) -> None:
    env = {"YIKATONG_DATABASE_URL": services.db.url, "YIKATONG_INSTANCE_PATH": str(tmp_path)}
    done = run(env, "backup", str(tmp_path / "no" / "such" / "folder.backup"))
    assert done.returncode == 2 and "not a file in an existing folder" in one_line(done)
