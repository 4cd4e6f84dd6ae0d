"""`yikatong rmb` and `yikatong documents …`: JSON out, one line on stderr and exit 2 on bad input."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from web.cli import main


def _run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_rmb_prints_the_capitals_as_json() -> None:
    code, out, _ = _run("rmb", "100001000")
    assert code == 0 and json.loads(out) == {"upper": "壹亿零壹仟元整"}
    assert json.loads(_run("rmb", "0.01")[1]) == {"upper": "壹分"}


@pytest.mark.parametrize("amount", ["-1", "1e3", "1,000", "1.234", "１２３", "NaN", "", " 1", "10000000000000000"])
def test_rmb_refuses_bad_amounts_with_one_line_and_exit_2(amount: str) -> None:
    code, out, err = _run("rmb", amount)
    assert (code, out) == (2, "")
    assert len(err.splitlines()) == 1 and err.startswith("error: amount")


def test_a_sample_document_is_sealed_and_verified_with_a_demo_ca(tmp_path: Path) -> None:
    code, out, _ = _run("documents", "make-ca", str(tmp_path / "ca"))
    env = json.loads(out)
    assert code == 0 and set(env) == {"YIKATONG_SIGNING_KEY", "YIKATONG_SIGNING_CERT", "YIKATONG_SIGNING_TRUST"}
    pdf = tmp_path / "notice.pdf"
    code, out, _ = _run("documents", "sample", "payment_notice", str(pdf), "--sign", "https://example.org/v/1", env=env)
    assert code == 0 and json.loads(out)["signed"] is True and pdf.read_bytes().startswith(b"%PDF")
    code, out, _ = _run("documents", "verify", str(pdf), env=env)
    verdict = json.loads(out)
    assert code == 0 and verdict["valid"] is True and verdict["kind"] == "payment_notice" and verdict["project_id"] == 4
    pdf.write_bytes(pdf.read_bytes() + b"%%EOF\n")
    assert json.loads(_run("documents", "verify", str(pdf), env=env)[1])["valid"] is False


def test_sealing_or_verifying_without_configuration_is_refused(tmp_path: Path) -> None:
    bare = {"YIKATONG_SIGNING_KEY": "", "YIKATONG_SIGNING_CERT": "", "YIKATONG_SIGNING_TRUST": ""}
    code, _, err = _run("documents", "sample", "fund_plan", str(tmp_path / "x.pdf"), "--sign", "https://e/1", env=bare)
    assert code == 2 and "YIKATONG_SIGNING_KEY" in err and not (tmp_path / "x.pdf").exists()
    code, _, err = _run("documents", "verify", str(tmp_path / "missing.pdf"), env=bare)
    assert code == 2 and "no such file" in err
