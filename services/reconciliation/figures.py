"""Compare what a bank reported with what the system recorded, line by line. Pure code.

Lines: the card count, the total paid in the period and, when the bank gave per-project
lines, one line per project either side names. A line differs when the two figures are not
equal (a figure missing on one side is a difference too). Nothing is adjusted: the lines
carry both figures as given.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

ZERO = Decimal("0.00")


def _amount(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def _line(number: int, kind: str, label: str, reported: Any, recorded: Any, project_id: int | None = None,
          money: bool = True) -> dict[str, Any]:
    if money:
        reported, recorded = _amount(reported), _amount(recorded)
    differs = reported != recorded
    difference = None
    if reported is not None and recorded is not None:
        difference = reported - recorded
    shown = (lambda v: None if v is None else str(v)) if money else (lambda v: v)
    return {"line": number, "kind": kind, "label": label, "project_id": project_id,
            "reported": shown(reported), "recorded": shown(recorded), "difference": shown(difference),
            "differs": differs}


def _project_lines(first: int, reported: Sequence[Mapping[str, Any]], recorded: Sequence[Mapping[str, Any]]
                   ) -> list[dict[str, Any]]:
    theirs = {int(r["project_id"]): r["amount"] for r in reported}
    ours = {int(r["project_id"]): r for r in recorded}
    lines = []
    for offset, project in enumerate(sorted(set(theirs) | set(ours))):
        title = str(ours[project].get("title") or "") if project in ours else ""
        label = f"项目 #{project} {title}".strip() + " 支付金额（元）"
        recorded_amount = ours[project]["amount"] if project in ours else ZERO
        lines.append(_line(first + offset, "paid_project", label, theirs.get(project, ZERO), recorded_amount,
                           project))
    return lines


def compare(reported_card_count: int, reported_paid_total: str, reported_lines: Sequence[Mapping[str, Any]] | None,
            recorded_card_count: int | None, recorded_card_source: str, recorded_paid_total: str,
            recorded_lines: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Return every line with both figures, the lines that differ, and how many differ."""
    source = f"（系统记录：{recorded_card_source}）" if recorded_card_source else ""
    lines = [_line(1, "card_count", f"第三代社会保障卡持卡数量（张）{source}", reported_card_count,
                   recorded_card_count, money=False),
             _line(2, "paid_total", "本期支付合计（元）", reported_paid_total, recorded_paid_total)]
    if reported_lines:
        lines += _project_lines(3, reported_lines, recorded_lines)
    differences = [line for line in lines if line["differs"]]
    return {"lines": lines, "differences": differences, "difference_count": len(differences)}
