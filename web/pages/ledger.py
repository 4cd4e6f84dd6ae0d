"""The ledger per bank, year and category (§10–§12): the bureau, the BDC, supervisors, administrators, each bank."""
from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from flask import Blueprint, g, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from werkzeug.wrappers import Response

from services.money.ledger import AMOUNTS, ledger, may_see_ledger
from web.app import services as ctx
from web.pages import exports, labels
from web.pages.auth import actor

bp = Blueprint("ledger", __name__, url_prefix="/ledger")
ALL_YEARS = "all"
COLUMNS = ("allocated", *AMOUNTS, "remaining", "unpaid")
HEADER = (_l("Year"), _l("Cooperating bank"), _l("Category"), _l("Allocated"), _l("Planned"), _l("Contracted"),
          _l("Paid"), _l("Remaining allocation"), _l("Planned, not yet paid"))


@bp.app_context_processor
def ledger_navigation() -> dict[str, Any]:
    """Tell the templates whether the signed-in user may open the ledger."""
    user = g.get("actor")
    return {"may_see_ledger": bool(user and may_see_ledger(user))}


def _year() -> int | None:
    """Return the year of the query string: this year by default, None for every year."""
    text = (request.args.get("year") or "").strip()
    if text == ALL_YEARS:
        return None
    return int(text) if text.isdigit() and len(text) == 4 else ctx().clock.today().year


@bp.get("/")
def index() -> str:
    """Show the ledger of a year: per bank its totals and a line per category, with the grand total."""
    year = _year()
    data = ledger(ctx(), actor(), year)
    years = sorted({*data["years_known"], ctx().clock.today().year}, reverse=True)
    return render_template("ledger/index.html", d=data, year=year, years=years, all_years=ALL_YEARS,
                           args={"year": ALL_YEARS if year is None else year})


def _amounts(row: dict[str, Any]) -> list[Decimal | None]:
    return [None if row.get(c) is None else Decimal(row[c]) for c in COLUMNS]


def _rows(data: dict[str, Any]) -> Iterator[list[Any]]:
    for block in data["years"]:
        for bank in block["banks"]:
            name = labels.organization_name({"code": bank["bank"], "name": bank["bank_name"],
                                             "name_en": bank["bank_name_en"]})
            for line in bank["categories"]:
                yield [block["year"], name, labels.category(line["category"]), *_amounts(line)]
            yield [block["year"], name, _("Bank total"), *_amounts(bank)]
        if not data["own_bank_only"]:  # a bank's own total is its year's
            yield [block["year"], _("All banks"), _("Year total"), *_amounts(block["totals"])]
    if len(data["years"]) > 1 and not data["own_bank_only"]:
        yield ["", _("All banks"), _("Total"), *_amounts(data["totals"])]


@bp.get("/export.<kind>")
def export(kind: str) -> Response:
    """Download the ledger of the chosen year as CSV or XLSX, with the same rows and totals as the page."""
    year = _year()
    if kind not in ("csv", "xlsx"):
        return redirect(url_for("ledger.index", year=ALL_YEARS if year is None else year))
    data = ledger(ctx(), actor(), year)
    header = [str(title) for title in HEADER]
    name = f"ledger-{ALL_YEARS if year is None else year}.{kind}"
    if kind == "csv":
        return exports.csv_response(name, header, list(_rows(data)))
    return exports.xlsx_response(name, _("Ledger"), header, _rows(data))
