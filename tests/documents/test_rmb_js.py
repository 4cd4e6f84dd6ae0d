"""The browser's converter (web/static/rmb.js, run by node) writes exactly what documents/rmb.py writes."""
from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path

from documents.rmb import AmountError, rmb_upper
from tests.documents.test_rmb import PBOC_EXAMPLES

SCRIPT = Path(__file__).resolve().parents[2] / "web" / "static" / "rmb.js"
RUNNER = """
const { rmbUpper } = require(process.argv[1]);
const amounts = JSON.parse(require("fs").readFileSync(0, "utf8"));
const out = amounts.map((a) => { try { return rmbUpper(a); } catch (e) { return null; } });
process.stdout.write(JSON.stringify(out));
"""
REFUSED = ["", " 1", "-1", "+1", "1e3", "1,000", "1.234", "1.", ".5", "１２３", "NaN", "Infinity",
           "10000000000000000", "9999999999999999.991", "1" * 65]


def _amounts(count: int) -> list[str]:
    rng = random.Random(20260915)
    amounts = [*PBOC_EXAMPLES, "0", "0.00", "0.01", "0.10", "100001000", "1000000001", "1000000000000",
               "1000100000000", "9999999999999999.99", *REFUSED]
    while len(amounts) < count:
        width = rng.randint(1, 16)
        zeros = rng.random()  # from few to many zeros, where the rules are subtle
        integer = "".join("0" if rng.random() < zeros else str(rng.randint(1, 9)) for _ in range(width))
        amounts.append(integer + rng.choice(["", ".0", ".00", ".05", ".5", ".50", f".{rng.randint(0, 99):02d}"]))
    return amounts


def _python(amount: str) -> str | None:
    try:
        return rmb_upper(amount)
    except AmountError:
        return None


def test_javascript_and_python_agree_on_2000_amounts() -> None:
    node = shutil.which("node")
    assert node, "node is required for this test (scripts/test installs Debian's nodejs)"
    amounts = _amounts(2000)
    result = subprocess.run([node, "-e", RUNNER, str(SCRIPT)], input=json.dumps(amounts), capture_output=True,
                            text=True, check=True, timeout=60)
    from_js = json.loads(result.stdout)
    differences = [(a, p, j) for a, p, j in zip(amounts, map(_python, amounts), from_js) if p != j]
    assert differences == []
    assert sum(value is None for value in from_js) == len(REFUSED)
