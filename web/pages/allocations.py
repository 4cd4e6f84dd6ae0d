"""The allocation among banks per year (§3): the fixed shares and the run toward them."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from werkzeug.wrappers import Response

from services.money.allocations import allocation_page, list_allocations, start_allocation
from web.app import services as ctx
from web.pages.auth import actor

bp = Blueprint("allocations", __name__, url_prefix="/allocations")


@bp.get("/")
def index() -> str:
    """List the fixed allocations (a bank sees its own share only) and open this year's page."""
    this_year = ctx().clock.today().year
    return render_template("allocations/list.html", allocations=list_allocations(ctx(), actor()),
                           years=[this_year + 1, this_year])


@bp.get("/<int:year>")
def show(year: int) -> str:
    """Show a year's allocation: pool, counts, shares, who approved it and when, and any run under way."""
    return render_template("allocations/year.html", page=allocation_page(ctx(), actor(), year))


@bp.post("/<int:year>/start")
def start(year: int) -> Response:
    """Start the year's allocation and open the form for the pool and the card counts."""
    allocation_page(ctx(), actor(), year)
    started = start_allocation(ctx(), actor(), initial={"allocation_year": year})
    return redirect(url_for("tasks.show", task_id=started["ready"][0]["id"]))
