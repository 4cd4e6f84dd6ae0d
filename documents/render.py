"""Documents to HTML (Jinja2 templates beside this module, autoescaped) and to PDF (WeasyPrint)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from documents.model import (ACCEPTANCE_REPORT, BUREAU, FUND_PLAN, PAYMENT_NOTICE, TITLES, AcceptanceReportDoc,
                             Document, FundPlanDoc, PaymentNoticeDoc)
from documents.rmb import parse_amount, rmb_upper

TEMPLATES = Path(__file__).parent / "templates"
ATTACHMENTS = {FUND_PLAN: "附件1", ACCEPTANCE_REPORT: "附件2", PAYMENT_NOTICE: "附件3"}
FUND_PLAN_MIN_ROWS = 5  # the paper form shows a few blank rows to fill in


def cn_date(value: date | None) -> str:
    """Return 2026年9月15日, or the blank 年 月 日 of the paper form when there is no date."""
    if value is None:
        return "\u3000\u3000年\u3000\u3000月\u3000\u3000日"
    return f"{value.year}年{value.month}月{value.day}日"


def yuan(value: Decimal) -> str:
    """Return an amount in yuan with thousands separators and two decimals: 820,000.00."""
    return f"{parse_amount(value):,.2f}"


def wan(value: Decimal) -> str:
    """Return yuan as 万元 exactly, without trailing zeros: 820000 → 82, 1234.56 → 0.123456."""
    return format(parse_amount(value).scaleb(-4).normalize(), "f")


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(cn_date=cn_date, yuan=yuan, wan=wan, upper=rmb_upper)
    return env


_ENV = _environment()


def _context(doc: Document) -> dict[str, Any]:
    context: dict[str, Any] = {"doc": doc, "kind": doc.kind, "title": TITLES[doc.kind],
                               "attachment": ATTACHMENTS[doc.kind], "author": BUREAU}
    if isinstance(doc, FundPlanDoc):
        context["blank_rows"] = max(0, FUND_PLAN_MIN_ROWS - len(doc.lines))
    if isinstance(doc, AcceptanceReportDoc):
        context["signoffs"] = [("业务主管单位", "业务负责人", doc.department),
                               ("市综指中心（大数据管理中心）", "验收人员", doc.bdc),
                               ("市人社局", "验收人员", doc.hrss)]
    return context


def render_html(doc: Document) -> str:
    """Return the document as a standalone HTML page (every value escaped)."""
    if not isinstance(doc, (FundPlanDoc, AcceptanceReportDoc, PaymentNoticeDoc)):
        raise TypeError(f"not a document: {type(doc).__name__}")
    return _ENV.get_template(f"{doc.kind}.html").render(_context(doc))


def render_pdf(doc: Document) -> bytes:
    """Return the document as an A4 PDF with the Noto CJK fonts it uses embedded as subsets."""
    from weasyprint import HTML  # imported here: it takes a second, and rmb/verify do not need it

    return HTML(string=render_html(doc), base_url=str(TEMPLATES)).write_pdf()
