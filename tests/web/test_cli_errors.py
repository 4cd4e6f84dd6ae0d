"""The command line never shows a traceback: deep input and an unreachable database are one line each."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from services.context import Services

YIKATONG = Path(sys.executable).parent / "yikatong"


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run the installed `yikatong` command in a process of its own."""
    return subprocess.run([str(YIKATONG), *args], env={**os.environ, **env}, capture_output=True, text=True,
                          timeout=120, check=False)


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and result.stdout == "", result.stderr
    return lines[0]


def test_data_nested_two_thousand_deep_is_invalid_input_in_one_line(services: Services, tmp_path: Path) -> None:
    env = {"YIKATONG_DATABASE_URL": services.db.url, "YIKATONG_INSTANCE_PATH": str(tmp_path)}
    deep = '{"project_name": ' + "[" * 2000 + "]" * 2000 + "}"
    result = run(env, "start", "fund_project", "--as", "health_user", "--data", deep)
    assert result.returncode == 2
    assert "nested too deeply" in one_line(result)


@pytest.mark.parametrize("args", [("tasks", "--as", "bdc_reviewer"), ("db", "upgrade")])
def test_an_unreachable_database_is_named_in_one_line_without_its_password(tmp_path: Path,
                                                                         args: tuple[str, ...]) -> None:
    env = {"YIKATONG_DATABASE_URL": "postgresql://yikatong:s3cret-pw@127.0.0.1:1/yikatong",
           "YIKATONG_INSTANCE_PATH": str(tmp_path)}
    result = run(env, *args)
    assert result.returncode == 1
    line = one_line(result)
    assert "127.0.0.1:1/yikatong" in line and "yikatong:***@" in line
    assert "s3cret-pw" not in result.stderr


def test_a_database_url_that_is_not_one_is_refused_in_one_line(tmp_path: Path) -> None:
    result = run({"YIKATONG_DATABASE_URL": "nosuchdb://me:pw@host/db", "YIKATONG_INSTANCE_PATH": str(tmp_path)},
                 "user", "list")
    assert result.returncode == 1
    assert "database" in one_line(result) and "pw@" not in result.stderr


def test_serving_with_an_unknown_document_renderer_is_refused_in_one_line(tmp_path: Path) -> None:
    result = run({"YIKATONG_INSTANCE_PATH": str(tmp_path), "YIKATONG_DOCUMENT_RENDERER": "forked"},
                 "serve", "--port", "1")
    assert result.returncode == 2
    assert "YIKATONG_DOCUMENT_RENDERER must be 'child' or 'inline', not 'forked'" in one_line(result)
