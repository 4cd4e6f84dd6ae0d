"""`yikatong allocate` prints the shares as JSON and refuses impossible input with exit code 2."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from web.cli import main


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["allocate", *args], env={"YIKATONG_DATABASE_URL": "sqlite:////nonexistent/x.db"})
    return result.exit_code, result.stdout, result.stderr


def test_the_shares_are_printed_exact_to_the_fen_and_add_up() -> None:
    code, out, _err = run("--pool", "100.00", "--cards", "bank-icbc=1,bank-abc=1,bank-trcb=1")
    assert code == 0
    assert json.loads(out) == {"bank-icbc": "33.33", "bank-abc": "33.34", "bank-trcb": "33.33"}


def test_a_bank_without_cards_gets_zero_and_nothing_is_stored() -> None:
    code, out, _err = run("--pool", "1000000", "--cards", "a=3, b=0 ,c=1")
    assert code == 0
    assert json.loads(out) == {"a": "750000.00", "b": "0.00", "c": "250000.00"}


@pytest.mark.parametrize(("pool", "cards", "message"), [
    ("100", "a=-1,b=2", "card count of a"),
    ("100", "a=1.5", "card count of a"),
    ("100", "a=1e3", "card count of a"),
    ("100", "a=0,b=0", "all counts are zero"),
    ("100", "a=1,a=2", "names bank a twice"),
    ("100", "a", "is not BANK=COUNT"),
    ("-100", "a=1", "--pool"),
    ("100.001", "a=1", "--pool"),
    ("NaN", "a=1", "--pool"),
    ("1e6", "a=1", "--pool"),
    ("inf", "a=1", "--pool"),
    ("12.5e0", "a=1", "--pool"),
])
def test_impossible_input_is_one_line_on_stderr_and_exit_2(pool: str, cards: str, message: str) -> None:
    code, out, err = run("--pool", pool, "--cards", cards)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("error: ") and message in err
